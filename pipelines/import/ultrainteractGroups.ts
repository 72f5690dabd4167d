import { access, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { formatOf, readRows } from '../../connectors/sources/readRows.ts';
import { ArboretumError, messageOf } from '../../schemas/errors.ts';
import { uiPairRowOf, uiSftRowOf } from './uiRowOf.ts';
import type { ImportProblem, Located, UiGroup, UiPairRow, UiSftRow } from './ultrainteractRows.ts';

export interface UltraInteractGroupsOptions {
  /** UltraInteract_pair files, `.jsonl` (one row a line), `.json` (one array of rows) or `.parquet`; see readRows. */
  readonly pairFiles?: readonly string[];
  /** UltraInteract_sft files, likewise. */
  readonly sftFiles?: readonly string[];
  /** Told each row that cannot be read (bad JSON, missing fields), with `file:line` or `file:row N`. */
  readonly onProblem: (problem: ImportProblem) => void;
  /** Where DuckDB spills while grouping; default the OS temp folder. */
  readonly tempDir?: string;
  /** DuckDB memory limit; default '512MB'. */
  readonly memoryLimit?: string;
}

const PAIR = 0;
const SFT = 1;
const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * Reads UltraInteract rows from files and yields them grouped by parent_id (one group = one instruction = one tree),
 * in parent_id order, rows in file order within a group. Grouping goes through a DuckDB table, so files larger
 * than memory work. Unreadable rows go to onProblem; the others are all yielded.
 */
export async function* ultrainteractGroups(options: UltraInteractGroupsOptions): AsyncGenerator<UiGroup> {
  const { pairFiles = [], sftFiles = [], onProblem, tempDir = tmpdir(), memoryLimit = '512MB' } = options;
  const files = [...pairFiles.map((f) => ({ f, kind: PAIR })), ...sftFiles.map((f) => ({ f, kind: SFT }))];
  for (const { f } of files) {
    formatOf(f);
    await access(f).catch(() => {
      throw new ArboretumError('NOT_FOUND', `${f}: no such file`, { context: { file: f } });
    });
  }
  const spill = join(tempDir, `arboretum-import-${process.pid}-${Date.now()}`);
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: memoryLimit,
    temp_directory: spill,
  });
  const c = await instance.connect();
  try {
    await c.run(
      'CREATE TABLE raw (parent_id VARCHAR, kind TINYINT, file_no INTEGER, ord BIGINT, src VARCHAR, j VARCHAR)',
    );
    for (const [fileNo, { f, kind }] of files.entries()) {
      const format = formatOf(f);
      if (format === 'parquet') {
        try {
          await c.run(
            `INSERT INTO raw SELECT parent_id::VARCHAR, ${kind}, ${fileNo}, rn, ${quote(f)} || ':row ' || rn, j FROM (SELECT to_json(t) AS j, t.parent_id AS parent_id, row_number() OVER () AS rn FROM read_parquet(${quote(f)}) t)`,
          );
        } catch (e) {
          throw new ArboretumError(
            'INVALID_INPUT',
            `${f}: cannot read as UltraInteract Parquet: ${messageOf(e)}`,
            {
              context: { file: f },
            },
          );
        }
        continue;
      }
      const appender = await c.createAppender('raw');
      // The one row reader of every command (see readRows: .jsonl lines, .json one document): a BOM dropped, invalid
      // UTF-8 a problem with its byte offset (never decoded to U+FFFD), a line that does not parse a problem.
      let ord = 0;
      for await (const row of readRows(f, format)) {
        const { source } = row;
        if (row.error !== undefined) {
          onProblem({ source, reason: row.error, raw: Buffer.from(row.bytes) });
          continue;
        }
        const line = row.bytes.toString('utf8');
        const parentId = (row.value as { parent_id?: unknown } | null)?.parent_id;
        if (typeof parentId !== 'string') {
          onProblem({ source, reason: 'parent_id must be a string', raw: line });
          continue;
        }
        ord++;
        appender.appendVarchar(parentId);
        appender.appendTinyInt(kind);
        appender.appendInteger(fileNo);
        appender.appendBigInt(BigInt(ord));
        appender.appendVarchar(source);
        appender.appendVarchar(line);
        appender.endRow();
      }
      appender.flushSync();
      appender.closeSync();
    }
    const nulls = await c.runAndReadAll(
      'SELECT src, j FROM raw WHERE parent_id IS NULL ORDER BY file_no, ord',
    );
    for (const [src, j] of nulls.getRows() as [string, string][]) {
      onProblem({ source: src, reason: 'parent_id must be a string', raw: j });
    }
    const result = await c.stream(
      'SELECT parent_id, kind, src, j FROM raw WHERE parent_id IS NOT NULL ORDER BY parent_id, kind, file_no, ord',
    );
    let current: { parentId: string; pairs: Located<UiPairRow>[]; sft: Located<UiSftRow>[] } | null = null;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      for (const [parentId, kind, source, raw] of chunk.getRows() as [string, number, string, string][]) {
        if (current && current.parentId !== parentId) {
          yield current;
          current = null;
        }
        current ??= { parentId, pairs: [], sft: [] };
        try {
          const json = JSON.parse(raw);
          if (kind === PAIR) current.pairs.push({ row: uiPairRowOf(json, source), source, raw });
          else current.sft.push({ row: uiSftRowOf(json, source), source, raw });
        } catch (e) {
          onProblem({ source, reason: messageOf(e).replace(`${source}: `, ''), raw });
        }
      }
    }
    if (current) yield current;
  } finally {
    c.closeSync();
    instance.closeSync();
    await rm(spill, { recursive: true, force: true });
  }
}
