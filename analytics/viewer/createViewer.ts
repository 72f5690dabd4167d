import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArboretumError, messageOf } from '../../schemas/errors.ts';
import type { AnalyticsDb } from '../openAnalyticsDb.ts';
import { buildReport } from '../report/buildReport.ts';
import { viewerPage } from './viewerPage.ts';
import { type TreeSearch, viewerQueries } from './viewerQueries.ts';

export interface ViewerOptions {
  readonly db: AnalyticsDb;
  /** Default 0: a free port. */
  readonly port?: number;
  /** Default 127.0.0.1 (local only). */
  readonly host?: string;
}

export interface Viewer {
  /** Where it listens, e.g. http://127.0.0.1:8787/. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The search fields of a query string, for trees and pairs alike (pairs read the fields they have): a missing text
 * field is '' (no filter); turn 0 is any turn; limit default 50 rows, offset 0.
 */
function searchOf(p: URLSearchParams): TreeSearch {
  const text = (k: string) => p.get(k) ?? '';
  const int = (k: string, fallback: number) => Number(p.get(k) ?? fallback) || fallback;
  return {
    q: text('q'),
    task: text('task'),
    dataset: text('dataset'),
    outcome: text('outcome'),
    verdict: text('verdict'),
    model: text('model'),
    strategy: text('strategy'),
    turn: int('turn', 0),
    limit: int('limit', 50),
    offset: int('offset', 0),
  };
}

/**
 * The tree viewer: a local web app (node:http) over an analytics database. `/` the page, `/report` the HTML report
 * with links back to the viewer, `/api/facets`, `/api/trees?q=&task=&dataset=&outcome=&verdict=&model=&strategy=
 * &turn=&limit=&offset=`, `/api/tree?id=`, `/api/pairs?q=&task=&dataset=&model=&turn=`, `/api/pair?id=`.
 */
export async function createViewer(options: ViewerOptions): Promise<Viewer> {
  const { db, port = 0, host = '127.0.0.1' } = options;
  const queries = viewerQueries(db);
  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, value: unknown) =>
    send(res, status, 'application/json', JSON.stringify(value));
  /** One tree or pair by `?id=`: 404 naming the id when there is none. */
  const one = async (
    res: ServerResponse,
    what: string,
    p: URLSearchParams,
    read: (id: string) => Promise<unknown>,
  ) => {
    const id = p.get('id') ?? '';
    const found = await read(id);
    return found ? json(res, 200, found) : json(res, 404, { error: `no ${what} ${id}` });
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://viewer');
    const p = url.searchParams;
    switch (url.pathname) {
      case '/':
        return send(res, 200, 'text/html', viewerPage);
      case '/report':
        return send(res, 200, 'text/html', await buildReport({ db, viewerUrl: '/' }));
      case '/api/facets':
        return json(res, 200, await queries.facets());
      case '/api/trees':
        return json(res, 200, await queries.search(searchOf(p)));
      case '/api/tree':
        return one(res, 'tree', p, queries.tree);
      case '/api/pairs':
        return json(res, 200, await queries.pairs(searchOf(p)));
      case '/api/pair':
        return one(res, 'pair', p, queries.pair);
      default:
        return json(res, 404, { error: `not found: ${url.pathname}` });
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => json(res, 500, { error: messageOf(e) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(
        new ArboretumError('INVALID_INPUT', `viewer: cannot listen on ${host}:${port}: ${messageOf(e)}`),
      ),
    );
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
