import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAnalyticsDb } from '../../analytics/openAnalyticsDb.ts';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { treeScript } from '../assemble/treeScript.ts';
import { cli } from '../support/cli.ts';
import { appendEvents, smallTrees, tempLog } from './fixtures.ts';

const arboretum = (...args: string[]) => cli(args);

/** Every file under `dir` (relative path → sha256 of its bytes), but those `skip` names. */
async function snapshot(dir: string, skip: (path: string) => boolean = () => false) {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (skip(path)) continue;
    files.set(
      relative(dir, path),
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex'),
    );
  }
  return files;
}

let env: Awaited<ReturnType<typeof tempLog>>;
let uri: string;
let logDir: string;
let db: string;
let segment: string;
/** Rows of the tables a hostile statement aims at, read straight from the file (read-only). */
async function tableCounts() {
  const reader = await openAnalyticsDb({ path: db, readOnly: true });
  try {
    const r = await reader.query(
      `SELECT (SELECT count(*) FROM critique_emitted) AS critiques, (SELECT count(*) FROM trees) AS trees,
              (SELECT count(*) FROM duckdb_tables() WHERE NOT temporary) AS tables,
              (SELECT count(*) FROM duckdb_views() WHERE NOT internal) AS views,
              (SELECT max(turn) FROM nodes) AS max_turn`,
    );
    return r.rows[0];
  } finally {
    reader.close();
  }
}
let counts: readonly unknown[];

beforeAll(async () => {
  env = await tempLog();
  const { math, code, logic } = smallTrees();
  await appendEvents(env.log, [...math, ...code, ...logic]);
  await env.log.close();
  logDir = join(env.dir, 'log');
  uri = `file:${logDir}`;
  db = join(env.dir, 'a.duckdb');
  segment = join(logDir, 'tree-events', (await readdir(join(logDir, 'tree-events')))[0]);
  const first = await arboretum(
    'sql',
    '--log',
    uri,
    '--db',
    db,
    '--format',
    'csv',
    'SELECT count(*) AS n FROM critique_emitted',
  );
  expect(first.stdout).toBe('n\n2\n');
  counts = await tableCounts();
}, 120_000);
afterAll(async () => {
  await env.dispose();
});

const isDb = (path: string) => path.startsWith(db);

describe('arboretum sql is read-only by default', () => {
  const hostile: [string, () => string, RegExp][] = [
    [
      'COPY … TO a log segment',
      () => `COPY (SELECT 1) TO '${segment}'`,
      // DuckDB first tries to install its avro extension for the .avro name, and may not.
      /Cannot access (file|directory) ".*" - file system operations are disabled by configuration/,
    ],
    [
      'COPY … TO a log segment as CSV',
      () => `COPY (SELECT 1) TO '${segment}' (FORMAT csv)`,
      /Permission Error: Cannot access file ".*00000000000000000000\.avro" - file system operations are disabled/,
    ],
    [
      'read_text of a host file',
      () => "SELECT * FROM read_text('/etc/passwd')",
      /Permission Error: Cannot access file "\/etc\/passwd"/,
    ],
    ['read_csv of a host file', () => "SELECT * FROM read_csv('/etc/passwd', sep = ':')", /Permission Error/],
    ['ATTACH', () => `ATTACH '${join(env.dir, 'x.db')}'`, /Permission Error: Cannot access file ".*x\.db"/],
    ['INSTALL httpfs', () => 'INSTALL httpfs', /Permission Error/],
    ['LOAD httpfs', () => 'LOAD httpfs', /Permission Error: Loading external extensions is disabled/],
    ['EXPORT DATABASE', () => `EXPORT DATABASE '${join(env.dir, 'dump')}'`, /Permission Error/],
    [
      're-enabling external access first',
      () => "SET enable_external_access = true; SELECT * FROM read_text('/etc/passwd')",
      /configuration has been locked/,
    ],
    ['DELETE FROM critique_emitted', () => 'DELETE FROM critique_emitted', /"DELETE".*read-only/],
    ['UPDATE', () => 'UPDATE turn_executed SET action = NULL', /"UPDATE".*read-only/],
    ['CREATE TABLE', () => 'CREATE TABLE notes AS SELECT 1 AS n', /"CREATE".*read-only/],
    ['DROP VIEW', () => 'DROP VIEW nodes', /"DROP".*read-only/],
    ['INSERT', () => "INSERT INTO tree_closed VALUES ('t', 'solved', '', 0, 0, 0)", /"INSERT".*read-only/],
    [
      'COMMIT to escape the read-only transaction',
      () => 'COMMIT; DELETE FROM critique_emitted',
      /transaction statement .*refused/,
    ],
  ];

  it.each(hostile)(
    '%s on a --db file: refused with DuckDB’s error; files, log and tables unchanged',
    async (_, sql, message) => {
      const before = await snapshot(env.dir, isDb);
      const logBefore = await snapshot(logDir);
      const r = await arboretum('sql', '--log', uri, '--db', db, sql());
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(await snapshot(logDir)).toEqual(logBefore);
      // No file created or changed anywhere in the test folder (the database file aside: its sync position moves).
      expect(await snapshot(env.dir, isDb)).toEqual(before);
      expect(await tableCounts()).toEqual(counts);
    },
    60_000,
  );

  it('without --db (in memory): DELETE and COPY are refused too', async () => {
    const before = await snapshot(env.dir, isDb);
    const del = await arboretum(
      'sql',
      '--log',
      uri,
      'DELETE FROM critique_emitted; SELECT count(*) FROM critique_emitted',
    );
    expect(del.code).not.toBe(0);
    expect(del.stderr).toMatch(
      /Cannot write to database "memory" - transaction is launched in read-only mode/,
    );
    const copy = await arboretum('sql', '--log', uri, `COPY (SELECT 1) TO '${join(env.dir, 'out.csv')}'`);
    expect(copy.code).not.toBe(0);
    expect(copy.stderr).toMatch(/Permission Error/);
    expect(await snapshot(env.dir, isDb)).toEqual(before);
  }, 60_000);

  it('the sync before a read-only query still brings the --db file up to date', async () => {
    const log = createFileEventLog({ dir: logDir, fsync: 'never' });
    await appendEvents(
      log,
      treeScript('more-1', { task: 'Logic', dataset: 'ReClor', text: 'More?' })
        .open()
        .action('m1', { correct: true, action: 'Answer: C', model: 'gpt-4' })
        .close('solved').events,
    );
    await log.close();
    const r = await arboretum(
      'sql',
      '--log',
      uri,
      '--db',
      db,
      '--format',
      'csv',
      'SELECT count(*) AS n FROM trees',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`n\n${Number(counts[1]) + 1}\n`);
    counts = await tableCounts();
  }, 60_000);

  it('--write opts in: the statement may change the --db tables and write files', async () => {
    const out = join(env.dir, 'out.csv');
    const r = await arboretum(
      'sql',
      '--log',
      uri,
      '--db',
      db,
      '--write',
      `CREATE TABLE notes AS SELECT 42 AS n; COPY notes TO '${out}'; SELECT n FROM notes`,
    );
    expect(r.code).toBe(0);
    expect(await readFile(out, 'utf8')).toBe('n\n42\n');
    const after = await arboretum('sql', '--log', uri, '--db', db, '--format', 'csv', 'SELECT n FROM notes');
    expect(after.stdout).toBe('n\n42\n');
  }, 60_000);

  it('--help documents the read-only default and --write', async () => {
    const r = await arboretum('sql', '--help');
    expect(r.stdout).toMatch(/Read-only by default/);
    expect(r.stdout).toMatch(/--write runs the query as it is/);
  });
});
