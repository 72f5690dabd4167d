import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { filter, lastValueFrom, type Observable, tap } from 'rxjs';
import { ArboretumError } from '../../schemas/errors.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { assemble } from '../assemble/assemble.ts';
import { datasetCard } from './datasetCard.ts';
import type { ExportFormat } from './exportFormat.ts';
import { outputKindOf } from './outputKindOf.ts';
import { type RowFilterOptions, rowFilter } from './rowFilter.ts';
import { createSortedRows, type RowCounts } from './sortedRows.ts';
import { sortKeyOf } from './sortKeyOf.ts';

export interface ExportTarget {
  readonly format: ExportFormat;
  /** Output file: `.jsonl` or `.parquet`. */
  readonly out: string;
  /** Also write a dataset card: true for README.md beside `out`, or the card's path. */
  readonly card?: boolean | string;
}

export interface ExportLogOptions {
  /** The tree events to replay (must complete). */
  readonly events: Observable<TreeEvent>;
  /** One or more outputs, all fed by one pass over the events. */
  readonly targets: readonly ExportTarget[];
  readonly filter?: RowFilterOptions;
  /** DuckDB memory limit for sorting before it spills to `tempDir`; default '512MB'. */
  readonly memoryLimit?: string;
  /** Where DuckDB spills; default the OS temp folder. */
  readonly tempDir?: string;
  /** DuckDB threads; default 2. */
  readonly threads?: number;
}

export interface ExportSummary {
  readonly format: string;
  readonly out: string;
  readonly rows: number;
  readonly counts: RowCounts;
  readonly card: string | null;
}

/**
 * Replays tree events into export files: assemble, filter, lay out each row in each target's format, and write
 * every file in canonical order (tree id, turn, row id), so the same log gives byte-identical files on either
 * backend and after any replay. Resolves with what was written, once the events complete.
 */
export async function exportLog(options: ExportLogOptions): Promise<{
  readonly events: number;
  readonly outputs: readonly ExportSummary[];
}> {
  const { events, targets, memoryLimit = '512MB', tempDir = tmpdir(), threads = 2 } = options;
  if (!targets.length) throw new ArboretumError('INVALID_INPUT', 'export: no output given');
  for (const t of targets) outputKindOf(t.out);
  const keep = rowFilter(options.filter);
  const spill = join(tempDir, `arboretum-export-${process.pid}-${Date.now()}`);
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: memoryLimit,
    temp_directory: spill,
    threads: String(threads),
  });
  const connection = await instance.connect();
  try {
    const tables = await Promise.all(
      targets.map((_, i) => createSortedRows({ connection, table: `rows${i}` })),
    );
    const byKind = targets.map((t, i) => ({ format: t.format, rows: tables[i] }));
    let seen = 0;
    await lastValueFrom(
      events.pipe(
        tap(() => seen++),
        assemble(),
        filter(keep),
        tap((a) => {
          let key: ReturnType<typeof sortKeyOf> | null = null;
          for (const { format, rows } of byKind) {
            if (format.kind !== a.kind) continue;
            key ??= sortKeyOf(a);
            rows.add(
              key,
              a.row.task,
              a.row.dataset,
              format.records(a.row).map((r) => JSON.stringify(r)),
            );
          }
        }),
      ),
      { defaultValue: null },
    );
    const outputs: ExportSummary[] = [];
    for (let i = 0; i < targets.length; i++) {
      const { format, out, card } = targets[i];
      const rows = tables[i];
      rows.seal();
      await mkdir(dirname(out) || '.', { recursive: true });
      const n =
        outputKindOf(out) === 'jsonl'
          ? await rows.writeJsonl(out)
          : await rows.writeParquet(out, format.structure);
      const counts = await rows.counts();
      let cardPath: string | null = null;
      if (card) {
        cardPath = typeof card === 'string' ? card : join(dirname(out), 'README.md');
        await writeFile(
          cardPath,
          datasetCard({ format, file: basename(out), counts, filter: options.filter }),
        );
      }
      await rows.drop();
      outputs.push({ format: format.name, out, rows: n, counts, card: cardPath });
    }
    return { events: seen, outputs };
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(spill, { recursive: true, force: true });
  }
}
