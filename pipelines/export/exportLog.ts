import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { lastValueFrom, Observable } from 'rxjs';
import { ArboretumError } from '../../schemas/errors.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import type { Assembled } from '../assemble/assembled.ts';
import { createAssembler } from '../assemble/createAssembler.ts';
import { rowHistories } from '../assemble/rowHistories.ts';
import { createReverdictCollector, type ReverdictCollector } from '../regrade/createReverdictCollector.ts';
import { newestVerdicts } from '../regrade/newestVerdicts.ts';
import type { Reverdicts } from '../regrade/reverdicts.ts';
import { createRowStrategies } from '../strategies/createRowStrategies.ts';
import { createActorSystemPrompts } from './actorSystemPrompts.ts';
import { type CardSection, mergeDatasetCard } from './datasetCard.ts';
import { createDirectLines } from './directLines.ts';
import type { ExportFormat } from './exportFormat.ts';
import { IntList } from './intList.ts';
import { jsonlToParquet } from './jsonlToParquet.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { type LengthStats, lengthStats } from './lengthStats.ts';
import { lineLengthsOf } from './lineLengthsOf.ts';
import { createLogFacts } from './logFacts.ts';
import { messagesJson } from './messagesJson.ts';
import { outputKindOf } from './outputKindOf.ts';
import { promptOf } from './promptOf.ts';
import { NO_CONTEXT, type RowContext } from './rowContext.ts';
import type { RowCounts } from './rowCounts.ts';
import { type RowFilterOptions, rowFilter } from './rowFilter.ts';
import { rowLengthsOf } from './rowLengthsOf.ts';
import { createSharedRows, type SharedRows } from './sharedRows.ts';
import { createSortedLines, type FinishedLines, type SortedLines } from './sortedLines.ts';
import { spreadLines } from './spreadLines.ts';
import type { Spread } from './spreadOf.ts';
import { createTokenCounter, type TokenCounter } from './tokenCounter.ts';
import { turnOf } from './turnOf.ts';

const NO_REVERDICTS: Reverdicts = { byNode: new Map(), ids: new Set(), versions: [] };

export interface ExportTarget {
  readonly format: ExportFormat;
  /** Output file: `.jsonl` or `.parquet`. */
  readonly out: string;
  /** Also write a dataset card: true for README.md beside `out`, or the card's path. */
  readonly card?: boolean | string;
}

/** 'none' (default): no system message; 'actor': the one the actors grew under (see ActorSystemPrompts); a text. */
export type SystemPromptOption = 'none' | 'actor' | { readonly text: string };

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
   * written once. 'log': rows as decided, no spill or sort (faster), identical only on the same backend. Formats that
   * spread their rows (trl-kto) are always put in their seeded order.
   */
  readonly order?: 'canonical' | 'log';
  /** System message of every prompt, for formats that accept one; default 'none' (the files as before). */
  readonly systemPrompt?: SystemPromptOption;
  /** SFT and RM rows: 'instruction' (default, UltraInteract's) or 'trajectory' (the history each action had). */
  readonly context?: 'instruction' | 'trajectory';
  /** Counts tokens for the length statistics; default the approximation (4 characters a token). */
  readonly tokens?: TokenCounter;
  /** Seed of the trl-kto order (which group of same-prompt rows goes where); default 0. */
  readonly seed?: number;
  /** Dataset card metadata: license (default 'unknown'), language (default 'en'). */
  readonly cardInfo?: { readonly license?: string; readonly language?: string };
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
  readonly lengths: LengthStats;
  /** Assembled rows written with a system message (0 with 'none'; with 'actor', those the log had one for). */
  readonly rowsWithSystem: number;
  /** trl-kto: how far apart rows sharing a prompt are; null for other formats. */
  readonly spread: Spread | null;
  readonly card: string | null;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Replays tree events into export files: assemble, filter, lay out each row in each target's format, and write
 * every file in canonical order (tree id, row id), so the same log gives byte-identical files on either backend and
 * after any replay; a row repeated in the stream is written once. trl-kto files are spread instead: rows grouped by
 * prompt in a seeded order, then laid out so rows sharing a prompt are far apart (spreadLines). Resolves once the
 * events complete. Each node is labelled by its newest verdict (arboretum regrade's re-verdicts): a pass that meets
 * re-verdicts collects them and `events` is replayed (subscribed again, so it must be cold, as every log read is)
 * with them applied before assembly; a log never regraded is read once.
 */
export async function exportLog(options: ExportLogOptions): Promise<{
  readonly events: number;
  readonly outputs: readonly ExportSummary[];
  readonly labels: LabelSummary;
}> {
  const {
    events,
    targets,
    tempDir = tmpdir(),
    buckets = 64,
    order = 'canonical',
    systemPrompt = 'none',
    context = 'instruction',
    tokens = createTokenCounter(),
    seed = 0,
  } = options;
  if (!targets.length) throw new ArboretumError('INVALID_INPUT', 'export: no output given');
  for (const t of targets) outputKindOf(t.out);
  const keep = rowFilter(options.filter);
  // Rebuilt by each pass over the events (a regraded log is read twice). The log's facts and strategy mix are for
  // the dataset card, the strategies also for --strategy: an export with neither (the usual one) keeps no per-event
  // observer but the re-verdict collector.
  const carded = targets.some((t) => t.card);
  const observesStrategies = carded || (options.filter?.strategies?.length ?? 0) > 0;
  const newActor = () => (systemPrompt === 'actor' ? createActorSystemPrompts() : null);
  const newFacts = () => (carded ? createLogFacts() : null);
  const newStrategies = () => (observesStrategies ? createRowStrategies(options.filter?.strategies) : null);
  let actor = newActor();
  let facts = newFacts();
  let strategies = newStrategies();
  const fixedSystem = typeof systemPrompt === 'object' ? systemPrompt.text : null;
  const contextOf = (format: ExportFormat, a: Assembled): RowContext => {
    const system = !format.accepts.system
      ? null
      : actor
        ? actor.systemOf(a.row.treeId, a.kind === 'sft' ? a.row.nodeId : a.row.chosenNodeId)
        : fixedSystem;
    const history =
      context === 'trajectory' && format.accepts.context ? (rowHistories.get(a.row) ?? null) : null;
    return system === null && history === null ? NO_CONTEXT : { system, history };
  };
  const jsonlOf = (out: string) => (outputKindOf(out) === 'jsonl' ? out : `${out}.jsonl-${process.pid}`);
  // Sorted outputs that every row writes with the default context share one spill of the rows (sharedRows): each
  // row spilled once, sorted once, and laid out in every such format after the sort. The others (a system prompt,
  // --context trajectory, log order) keep a line spill or direct writer each.
  const isShared = targets.map(
    (t) =>
      (order === 'canonical' || t.format.spread === true) &&
      (systemPrompt === 'none' || !t.format.accepts.system) &&
      (context === 'instruction' || !t.format.accepts.context),
  );
  const sharedKinds = new Set(targets.filter((_, i) => isShared[i]).map((t) => t.format.kind));
  const ownKinds = new Set(targets.filter((_, i) => !isShared[i]).map((t) => t.format.kind));
  let shared: SharedRows | null = null;
  let sorters: (SortedLines | null)[] = [];
  let byTarget: { format: ExportFormat; lines: SortedLines | null; withSystem: number }[] = [];
  const openSorters = async () => {
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i];
      if (isShared[i]) sorters.push(null);
      else if (order === 'log' && !t.format.spread) {
        await mkdir(dirname(t.out) || '.', { recursive: true });
        sorters.push(createDirectLines({ path: jsonlOf(t.out) }));
      } else sorters.push(await createSortedLines({ tempDir, buckets }));
    }
    if (sharedKinds.size) {
      shared = await createSharedRows({
        tempDir,
        buckets,
        seed,
        outputs: targets.flatMap((t, i) => (isShared[i] ? [{ format: t.format, path: jsonlOf(t.out) }] : [])),
      });
    }
    byTarget = targets.map((t, i) => ({ format: t.format, lines: sorters[i], withSystem: 0 }));
  };
  const disposeAll = async () => {
    for (const s of sorters) await s?.dispose();
    sorters = [];
    await shared?.dispose();
    shared = null;
  };
  try {
    const addRow = (a: Assembled) => {
      if (shared && sharedKinds.has(a.kind)) shared.add(a, rowLengthsOf(a.kind, a.row, tokens));
      // Only outputs with a line spill or direct writer of their own need the row's key (none when all share).
      if (!ownKinds.has(a.kind)) return;
      const key = {
        treeId: a.row.treeId,
        id: a.row.id,
        task: a.row.task,
        dataset: a.row.dataset,
        turn: turnOf(a),
      };
      for (const target of byTarget) {
        const { format, lines } = target;
        if (lines === null || format.kind !== a.kind) continue;
        const ctx = contextOf(format, a);
        if (ctx.system !== null) target.withSystem++;
        const written = format.lines(a.row, ctx);
        const lengths = lineLengthsOf(format, a.row, tokens, ctx);
        if (!format.spread) {
          lines.add(key, written, lengths);
          continue;
        }
        // Spread formats: the rows sharing a prompt form a group whose place is seeded; each line gets its own
        // seeded rank inside the group, so labels are mixed (and repeats of a row still share their keys).
        // Without a system message the prompt's JSON is the escaped trajectory the line was built from (jsonOfRow
        // memoises it), byte for byte JSON.stringify of promptOf's messages: no second escaping of the history.
        const promptJson =
          ctx === NO_CONTEXT && a.kind === 'pair'
            ? messagesJson(jsonOfRow(a.row).trajectory)
            : JSON.stringify(promptOf(a.row, ctx).prompt);
        const group = sha(`${seed}\n${promptJson}`);
        for (let i = 0; i < written.length; i++) {
          lines.add(
            { ...key, treeId: group, id: sha(`${seed}\n${a.row.id}\n${i}`) },
            [written[i]],
            [lengths[i]],
          );
        }
      }
    };
    const changed = new Set<string>();
    let seen = 0;
    /**
     * One pass: every row to every target; re-verdicts applied when known, else only collected. One subscriber does
     * every step of an event (the observers, the re-verdicts, the fold, the filters, the spill): each operator of a
     * pipe is a hop per event, and an export has seven of them (bench/RESULTS.md 2026-12-01 21:00Z).
     */
    const pass = async (reverdicts: Reverdicts | null, collector: ReverdictCollector | null) => {
      await openSorters();
      actor = newActor();
      facts = newFacts();
      strategies = newStrategies();
      seen = 0;
      const labelled = newestVerdicts(reverdicts ?? NO_REVERDICTS, (key, before, after) => {
        if (before.correct !== after.correct) changed.add(key);
      });
      let redo = false;
      const assembler = createAssembler({
        histories: context === 'trajectory',
        kinds: targets.map((t) => t.format.kind),
      });
      await lastValueFrom(
        new Observable<never>((subscriber) =>
          events.subscribe({
            next(e) {
              if (subscriber.closed) return;
              try {
                seen++;
                // Only a VerdictReached can be a re-verdict. Once one shows up this pass is to be redone: only
                // collect from here on.
                if (collector !== null && e.payload.kind === 'VerdictReached') {
                  collector.add(e);
                  redo ||= collector.size > 0;
                }
                facts?.observe(e);
                actor?.observe(e);
                strategies?.observe(e);
                if (redo) return;
                const event = labelled(e);
                if (event === null) return;
                const rows = assembler.add(event);
                for (let i = 0; i < rows.length; i++) {
                  const a = rows[i];
                  if (keep(a) && (strategies === null || strategies.keeps(a))) addRow(a);
                }
              } catch (err) {
                subscriber.error(err);
              }
            },
            error: (err) => subscriber.error(err),
            complete: () => subscriber.complete(),
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
      await disposeAll();
      await pass(reverdicts, null);
    }
    const labels: LabelSummary = { graderVersions: reverdicts.versions, changed: changed.size };
    const outputs: ExportSummary[] = [];
    for (const t of targets) await mkdir(dirname(t.out) || '.', { recursive: true });
    const sharedDone = shared ? await (shared as SharedRows).finish() : [];
    let nextShared = 0;
    for (let i = 0; i < targets.length; i++) {
      const { format, out, card } = targets[i];
      const jsonl = jsonlOf(out);
      let finished: FinishedLines;
      let spread: Spread | null = null;
      const sorter = sorters[i];
      try {
        if (sorter === null) {
          ({ tally: finished, spread } = sharedDone[nextShared++]);
        } else if (format.spread) {
          const grouped = `${jsonl}.grouped-${process.pid}`;
          const groups = new IntList();
          let current: string | null = null;
          let size = 0;
          try {
            finished = await sorter.finish(grouped, (g) => {
              if (g !== current && size) {
                groups.push(size);
                size = 0;
              }
              current = g;
              size++;
            });
            if (size) groups.push(size);
            spread = await spreadLines(grouped, jsonl, groups.toArray());
          } finally {
            await rm(grouped, { force: true });
          }
        } else finished = await sorter.finish(jsonl);
        if (jsonl !== out) await jsonlToParquet(jsonl, out, format.structure);
      } finally {
        if (jsonl !== out) await rm(jsonl, { force: true });
      }
      const lengths = lengthStats(format, tokens, finished.promptTokens, finished.totalTokens);
      let cardPath: string | null = null;
      if (card) {
        cardPath = typeof card === 'string' ? card : join(dirname(out), 'README.md');
        const section: CardSection = {
          format,
          file: basename(out),
          counts: finished.counts,
          lengths,
          spread,
          filter: options.filter,
          facts: facts!.facts(),
          strategyMix: strategies!.mix(format.kind),
          systemPrompt: typeof systemPrompt === 'object' ? 'text' : systemPrompt,
          rowsWithSystem: byTarget[i].withSystem,
          context: format.accepts.context ? context : null,
          labels,
        };
        let existing: string | null = null;
        try {
          existing = await readFile(cardPath, 'utf8');
        } catch {
          existing = null;
        }
        await writeFile(
          cardPath,
          mergeDatasetCard(existing, section, {
            license: options.cardInfo?.license ?? 'unknown',
            language: options.cardInfo?.language ?? 'en',
            path: cardPath,
          }),
        );
      }
      outputs.push({
        format: format.name,
        out,
        rows: finished.counts.total,
        counts: finished.counts,
        lengths,
        rowsWithSystem: byTarget[i].withSystem,
        spread,
        card: cardPath,
      });
    }
    return { events: seen, outputs, labels };
  } finally {
    await disposeAll();
    // Shared outputs are all written before any is converted: remove what a failed conversion left.
    for (const t of targets) if (jsonlOf(t.out) !== t.out) await rm(jsonlOf(t.out), { force: true });
  }
}
