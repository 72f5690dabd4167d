import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { filter, lastValueFrom, type Observable, tap } from 'rxjs';
import { ArboretumError } from '../../schemas/errors.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { assemble } from '../assemble/assemble.ts';
import { applyReverdicts } from '../regrade/applyReverdicts.ts';
import { createReverdictCollector, type ReverdictCollector } from '../regrade/createReverdictCollector.ts';
import type { Reverdicts } from '../regrade/reverdicts.ts';
import { datasetCard } from './datasetCard.ts';
import { createDirectLines } from './directLines.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonlToParquet } from './jsonlToParquet.ts';
import { outputKindOf } from './outputKindOf.ts';
import type { RowCounts } from './rowCounts.ts';
import { type RowFilterOptions, rowFilter } from './rowFilter.ts';
import { createSortedLines, type SortedLines } from './sortedLines.ts';
import { turnOf } from './turnOf.ts';

const NO_REVERDICTS: Reverdicts = { byNode: new Map(), ids: new Set(), versions: [] };

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
  /** Where rows spill while being put in order; default the OS temp folder. */
  readonly tempDir?: string;
  /** Spill buckets per output (power of two ≤ 256); memory follows output size / buckets. Default 64. */
  readonly buckets?: number;
  /**
   * 'canonical' (default): sorted by tree id and row id, byte-identical on either backend after any replay, repeats
   * written once. 'log': rows as decided, no spill or sort (faster), identical only on the same backend.
   */
  readonly order?: 'canonical' | 'log';
}

/** What `arboretum regrade` changed on the log: the grader versions of its re-verdicts, labels that differ. */
export interface LabelSummary {
  /** Grader versions of the newest re-verdicts, sorted (empty when the log was never regraded). */
  readonly graderVersions: readonly string[];
  /** Nodes whose newest label (correct or not) differs from the grower's. */
  readonly changed: number;
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
 * every file in canonical order (tree id, row id), so the same log gives byte-identical files on either backend and
 * after any replay; a row repeated in the stream is written once. Resolves once the events complete. Each node is
 * labelled by its newest verdict (arboretum regrade's re-verdicts): a pass that meets re-verdicts collects them and
 * `events` is replayed (subscribed again, so it must be cold, as every log read is) with them applied before
 * assembly; a log never regraded is read once.
 */
export async function exportLog(options: ExportLogOptions): Promise<{
  readonly events: number;
  readonly outputs: readonly ExportSummary[];
  readonly labels: LabelSummary;
}> {
  const { events, targets, tempDir = tmpdir(), buckets = 64, order = 'canonical' } = options;
  if (!targets.length) throw new ArboretumError('INVALID_INPUT', 'export: no output given');
  for (const t of targets) outputKindOf(t.out);
  const keep = rowFilter(options.filter);
  let sorters: SortedLines[] = [];
  const openSorters = async () => {
    for (const t of targets) {
      if (order === 'log') {
        await mkdir(dirname(t.out) || '.', { recursive: true });
        const direct = outputKindOf(t.out) === 'jsonl' ? t.out : `${t.out}.jsonl-${process.pid}`;
        sorters.push(createDirectLines({ path: direct }));
      } else sorters.push(await createSortedLines({ tempDir, buckets }));
    }
  };
  try {
    const changed = new Set<string>();
    let seen = 0;
    /** One pass: every row to every target; re-verdicts applied when known, else only collected. */
    const pass = async (reverdicts: Reverdicts | null, collector: ReverdictCollector | null) => {
      await openSorters();
      const byTarget = targets.map((t, i) => ({ format: t.format, lines: sorters[i] }));
      seen = 0;
      await lastValueFrom(
        events.pipe(
          tap((e) => {
            seen++;
            collector?.add(e);
          }),
          // Once a re-verdict shows up this pass is to be redone: only collect from here on.
          filter(() => collector === null || collector.size === 0),
          applyReverdicts(reverdicts ?? NO_REVERDICTS, (key, before, after) => {
            if (before.correct !== after.correct) changed.add(key);
          }),
          assemble(),
          filter(keep),
          tap((a) => {
            const key = {
              treeId: a.row.treeId,
              id: a.row.id,
              task: a.row.task,
              dataset: a.row.dataset,
              turn: turnOf(a),
            };
            for (const { format, lines } of byTarget) {
              if (format.kind !== a.kind) continue;
              lines.add(key, format.lines(a.row));
            }
          }),
        ),
        { defaultValue: null },
      );
    };
    // A log never regraded costs one pass; one with re-verdicts is exported again with them applied.
    const collector = createReverdictCollector();
    await pass(null, collector);
    let reverdicts = NO_REVERDICTS;
    if (collector.size > 0) {
      reverdicts = collector.result();
      for (const s of sorters) await s.dispose();
      sorters = [];
      await pass(reverdicts, null);
    }
    const labels: LabelSummary = { graderVersions: reverdicts.versions, changed: changed.size };
    const outputs: ExportSummary[] = [];
    for (let i = 0; i < targets.length; i++) {
      const { format, out, card } = targets[i];
      await mkdir(dirname(out) || '.', { recursive: true });
      let counts: RowCounts;
      if (outputKindOf(out) === 'jsonl') {
        counts = await sorters[i].finish(out);
      } else {
        const jsonl = `${out}.jsonl-${process.pid}`;
        try {
          counts = await sorters[i].finish(jsonl);
          await jsonlToParquet(jsonl, out, format.structure);
        } finally {
          await rm(jsonl, { force: true });
        }
      }
      let cardPath: string | null = null;
      if (card) {
        cardPath = typeof card === 'string' ? card : join(dirname(out), 'README.md');
        await writeFile(
          cardPath,
          datasetCard({ format, file: basename(out), counts, filter: options.filter, labels }),
        );
      }
      outputs.push({ format: format.name, out, rows: counts.total, counts, card: cardPath });
    }
    return { events: seen, outputs, labels };
  } finally {
    for (const s of sorters) await s.dispose();
  }
}
