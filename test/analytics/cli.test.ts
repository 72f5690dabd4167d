import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arboretumBin as bin } from '../support/arboretumBin.ts';
import { cli } from '../support/cli.ts';
import { appendEvents, smallTrees, tempLog } from './fixtures.ts';

const arboretum = (...args: string[]) => cli(args);

let env: Awaited<ReturnType<typeof tempLog>>;
let uri: string;
let total: number;
beforeAll(async () => {
  env = await tempLog();
  const { math, code, logic } = smallTrees();
  const events = [...math, ...code, ...logic, math[1]];
  total = events.length;
  await appendEvents(env.log, events);
  await env.log.close();
  uri = `file:${join(env.dir, 'log')}`;
});
afterAll(async () => {
  await env.dispose();
});

describe('arboretum analytics / sql / report', () => {
  it('analytics sync stores the log once, however often it runs', async () => {
    const db = join(env.dir, 'a.duckdb');
    const first = await arboretum('analytics', 'sync', '--log', uri, '--db', db);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`synced ${total} events (1 duplicates dropped), 3 pairs, 4 SFT rows`);
    const second = await arboretum('analytics', 'sync', '--log', uri, '--db', db);
    expect(second.stdout).toContain('synced 0 events');
    const csv = await arboretum(
      'sql',
      '--log',
      uri,
      '--db',
      db,
      '--format',
      'csv',
      'SELECT length, trees FROM tree_length',
    );
    expect(csv.stdout).toBe('length,trees\nT1,1\nT2,2\n');
  });

  it('sql answers in json; a bad query prints DuckDB’s error and exits non-zero', async () => {
    const json = await arboretum('sql', '--log', uri, '--format', 'json', 'SELECT count(*) AS n FROM pairs');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ n: 3 });
    const bad = await arboretum('sql', '--log', uri, 'SELECT nope FROM trees');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/Binder Error.*nope/);
  });

  it('report writes one HTML file with the charts libraries inlined', async () => {
    const out = join(env.dir, 'r', 'report.html');
    const r = await arboretum('report', '--log', uri, '--out', out);
    expect(r.code).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('data-library="vega-lite"');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain('Table 1');
  });

  it('view serves the viewer on a free port until stopped', async () => {
    const child = spawn(process.execPath, [bin, 'view', '--log', uri, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /viewer on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`view exited with ${code}: ${out}`)));
      });
      const trees = (await (await fetch(`${url}api/trees?task=Logic`)).json()) as { total: number };
      expect(trees.total).toBe(1);
      expect((await fetch(`${url}api/tree?id=nope`)).status).toBe(404);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
