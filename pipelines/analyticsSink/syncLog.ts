import type { DuckDBConnection } from '@duckdb/node-api';
import type { Subscription } from 'rxjs';
import { map } from 'rxjs';
import type { EventLog, LogDamage, LogRecord } from '../../connectors/log/eventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { treeEventsWithoutPrompts } from '../../connectors/log/treeEventsWithoutPrompts.ts';
import { ArboretumError } from '../../schemas/errors.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { emptyTree } from '../assemble/emptyTree.ts';
import { evolveTree } from '../assemble/evolveTree.ts';
import { isValidAction } from '../assemble/isValidAction.ts';
import { pairsOf } from '../assemble/pairsOf.ts';
import { sftOf } from '../assemble/sftOf.ts';
import { collectReverdicts } from '../regrade/collectReverdicts.ts';
import { isReverdict } from '../regrade/isReverdict.ts';
import { nodeKeyOf } from '../regrade/nodeKeyOf.ts';
import type { Reverdicts } from '../regrade/reverdicts.ts';
import { appendActionFeatures } from './actionFeatures.ts';
import { actionFeaturesTable } from './actionFeaturesTable.ts';
import { appendDecided } from './appendDecided.ts';
import { appendEvent } from './appendEvent.ts';
import { checkSinkLayout } from './checkSinkLayout.ts';
import { decidedTables } from './decidedTables.ts';
import { loadSinkState } from './loadSinkState.ts';
import {
  closeSinkAppenders,
  createSinkAppenders,
  flushSinkAppenders,
  type SinkAppenders,
  sinkTables,
} from './sinkAppenders.ts';
import { sinkLayoutVersion } from './sinkLayoutVersion.ts';
import type { OpenTree } from './sinkState.ts';
import { storedPositions } from './storedPositions.ts';

export interface SyncLogOptions {
  readonly log: EventLog;
  /** A connection to a database with the tables of analytics/schema.sql (see analytics/openAnalyticsDb). */
  readonly connection: DuckDBConnection;
  /** Keep syncing new events until `signal` aborts; default false (stop at the end offsets seen on start). */
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
  /**
   * Store rows and the position every this many events; default 500,000. Large batches let DuckDB write whole row
   * groups straight to the file instead of through its WAL (about a tenth less CPU than 100,000 on 10M events).
   */
  readonly batchEvents?: number;
  /** With follow, also store them at least this often while events trickle in (ms); default 1000. */
  readonly flushMs?: number;
  /** Told after each stored batch. */
  readonly onBatch?: (progress: SyncSummary) => void;
  /**
   * Told of each damaged or missing region of the log: those this sync reads past (then recorded in sync_damage,
   * stored before any position beyond them) and, first, those earlier syncs of this database read past (their
   * `reason` says so): its tables lack those records whatever the log holds now. Without it a damaged region goes
   * to the log's own damage handler, or fails the read, and is not recorded.
   */
  readonly onDamage?: (damage: LogDamage) => void;
  /**
   * Told, before it starts, that this sync rebuilds the tables from the start of the log because an older
   * arboretum wrote them (see sinkLayoutVersion); the CLI says so on stderr.
   */
  readonly onRebuild?: (why: string) => void;
}

export interface SyncSummary {
  /** Events read by this run. */
  readonly events: number;
  /** Of them, dropped as repeats of a stored event id or as arriving after their tree's TreeClosed. */
  readonly duplicates: number;
  /** Pairs and SFT rows stored by this run. */
  readonly pairs: number;
  readonly sft: number;
  /** Next offset per partition, as stored. */
  readonly positions: ReadonlyMap<number, number>;
  /**
   * The tables were rebuilt from the start of the log: it holds re-verdicts they had not applied, or an older
   * arboretum wrote them (an older sink layout).
   */
  readonly rebuilt?: boolean;
}

const OWNS_NODES = { ownsNodes: true } as const;

/** Thrown inside a pass's read when a batch is full: it is stored, and the read goes on from there. */
const BATCH: unique symbol = Symbol('batch full');

/** Thrown inside a pass that meets a re-verdict it has not applied: the tables must be rebuilt. */
const REBUILD: unique symbol = Symbol('rebuild: the log has re-verdicts the tables do not');

/** A region a sync read past, as sync_damage stores it (flushed before sync_state: see sinkAppenders). */
function appendDamage(appenders: SinkAppenders, d: LogDamage): void {
  const a = appenders.syncDamage;
  a.appendVarchar(d.topic);
  a.appendInteger(d.partition);
  a.appendVarchar(d.file);
  if (d.byteOffset === undefined) a.appendNull();
  else a.appendBigInt(BigInt(d.byteOffset));
  if (d.bytes === undefined) a.appendNull();
  else a.appendBigInt(BigInt(d.bytes));
  if (d.lost === undefined) a.appendNull();
  else a.appendBigInt(BigInt(d.lost.from));
  if (d.lost?.until === undefined) a.appendNull();
  else a.appendBigInt(BigInt(d.lost.until));
  a.appendVarchar(d.reason);
  a.appendBigInt(BigInt(Date.now()));
  a.endRow();
}

/** The regions earlier syncs of this database read past, oldest first. */
async function recordedDamage(connection: DuckDBConnection): Promise<LogDamage[]> {
  const reader = await connection.runAndReadAll(
    'SELECT topic, part, file, byte_offset, bytes, lost_from, lost_until, reason FROM sync_damage ORDER BY found_at',
  );
  return reader.getRowsJS().map(([topic, part, file, byteOffset, bytes, from, until, reason]) => ({
    topic: String(topic),
    partition: Number(part),
    file: String(file),
    ...(byteOffset === null ? {} : { byteOffset: Number(byteOffset) }),
    ...(bytes === null ? {} : { bytes: Number(bytes) }),
    ...(from === null
      ? {}
      : { lost: { from: Number(from), ...(until === null ? {} : { until: Number(until) }) } }),
    reason: `${String(reason)} (read past by an earlier sync of this database: its tables lack these records)`,
  }));
}

/**
 * Appends the tree-events topic into the analytics tables with DuckDB's appender, from the position the last run
 * stored: one row per distinct event id (repeats and events after TreeClosed are dropped, but a TreeReopened that
 * assemble's evolveTree honours: a tree closed failed with no row, grown again), and the pairs and SFT rows
 * that pipelines/assemble's pairsOf / sftOf decide, each once. A batch's rows and the position that covers them are
 * one transaction, so a run that dies is resumed by the next from its last commit without loss or double rows (the
 * next run rebuilds the event ids of open trees and the closed trees from the tables). Running it twice adds
 * nothing twice.
 *
 * Labels are each node's newest verdict. The rows pairsOf / sftOf decide depend on them and are stored once, so a
 * re-verdict (`arboretum regrade`) that a sync meets and has not applied makes it rebuild: the tables are emptied
 * (one transaction), the log's re-verdicts collected (a pass that keeps only them), and the whole log synced again
 * with each grower verdict replaced in place by its node's newest (verdict_reached keeps the grower's label in
 * `original_correct`). A sync that dies mid-rebuild meets the re-verdict again on its next run and rebuilds again.
 */
export async function syncLog(options: SyncLogOptions): Promise<SyncSummary> {
  const { log, connection, follow = false, batchEvents = 500_000 } = options;
  if (!Number.isInteger(batchEvents) || batchEvents < 1)
    throw new ArboretumError(
      'INVALID_CONFIG',
      `syncLog: batchEvents must be a whole number >= 1, got ${batchEvents}`,
    );
  const topic = topics.treeEvents;
  const layout = await checkSinkLayout(connection, sinkTables);
  if (layout.stale) {
    // Rows an older sink wrote may read wrong now (e.g. no action_validity: every action invalid): all of them go,
    // with the positions and the recorded damage, and the log is synced again from its start.
    options.onRebuild?.(`${layout.why}: rebuilding its tables from the log`);
    await emptySinkTables(connection);
  }
  if (options.onDamage) for (const d of await recordedDamage(connection)) options.onDamage(d);
  if (!follow) {
    // Nothing new (the usual case of `arboretum sql --db`): done without loading the sink's memory.
    const stored = await storedPositions(connection, topic.name);
    const ends = await log.endOffsets(topic);
    if ([...ends].every(([part, end]) => end <= (stored.get(part) ?? 0)))
      return { events: 0, duplicates: 0, pairs: 0, sft: 0, positions: stored };
  }
  // The sink stores each action's features with it; a file synced before features existed gets its older ones here.
  await appendActionFeatures(connection);
  let reverdicts: Reverdicts | null = null;
  for (;;) {
    const result = await syncPass(options, reverdicts);
    if (result !== REBUILD) return reverdicts || layout.stale ? { ...result, rebuilt: true } : result;
    await emptySinkTables(connection);
    reverdicts = await collectReverdicts(log.read(topic).pipe(map((r) => r.value)));
  }
}

/** Empties every sink table and stamps this arboretum's layout, in one transaction. */
async function emptySinkTables(connection: DuckDBConnection): Promise<void> {
  await connection.run(
    `BEGIN TRANSACTION; ${sinkTables.map((t) => `DELETE FROM ${t};`).join(' ')}
     DELETE FROM sink_meta WHERE key = 'layout'; INSERT INTO sink_meta VALUES ('layout', '${sinkLayoutVersion}');
     COMMIT;`,
  );
}

/** One pass of syncLog from the stored positions, applying `reverdicts`; REBUILD when it meets one it has not. */
async function syncPass(
  options: SyncLogOptions,
  reverdicts: Reverdicts | null,
): Promise<SyncSummary | typeof REBUILD> {
  const { log, connection, follow = false, signal, batchEvents = 500_000, flushMs = 1000, onBatch } = options;
  // Without StrategySampled.prompt (45% of a log's bytes): the sink stores no prompt (genSinkTables' OMITTED) and
  // nothing it decides reads one; skipping its bytes cut a sync's CPU by ~18% (bench/RESULTS.md), same tables.
  const topic = treeEventsWithoutPrompts;
  const state = await loadSinkState(connection, topic.name);
  const appenders: SinkAppenders = await createSinkAppenders(connection);
  let events = 0;
  let duplicates = 0;
  let pairs = 0;
  let sft = 0;
  let pending = 0;
  const touchedParts = new Set<number>();

  const decide = (t: OpenTree) => {
    if (t.tree.opened === null) return;
    const ps = pairsOf(t.tree);
    for (let i = t.pairs; i < ps.length; i++)
      appendDecided(appenders.pairRows, decidedTables.pairRows, ps[i]);
    pairs += ps.length - t.pairs;
    t.pairs = ps.length;
    const ss = sftOf(t.tree);
    for (let i = t.sft; i < ss.length; i++) appendDecided(appenders.sftRows, decidedTables.sftRows, ss[i]);
    sft += ss.length - t.sft;
    t.sft = ss.length;
    t.dirty = false;
  };

  const summary = (): SyncSummary => ({
    events,
    duplicates,
    pairs,
    sft,
    positions: new Map(state.positions),
  });

  const store = () => {
    let decided = false;
    for (const t of state.open.values())
      if (t.dirty) {
        decide(t);
        decided = true;
      }
    if (pending === 0 && touchedParts.size === 0 && !decided) return false;
    flushSinkAppenders(appenders);
    const now = BigInt(Date.now());
    for (const part of touchedParts) {
      const s = appenders.syncState;
      s.appendVarchar(topic.name);
      s.appendInteger(part);
      s.appendBigInt(BigInt(state.positions.get(part) ?? 0));
      s.appendBigInt(BigInt(events));
      s.appendBigInt(BigInt(duplicates));
      s.appendBigInt(now);
      s.endRow();
    }
    appenders.syncState.flushSync();
    touchedParts.clear();
    pending = 0;
    return true;
  };

  // The context of the event being appended: one object, refilled for each (appendEvent reads it at once).
  const context: {
    task: string | null;
    dataset: string | null;
    generation: number;
    originalCorrect?: boolean;
  } = {
    task: null,
    dataset: null,
    generation: 0,
    originalCorrect: undefined,
  };

  const apply = (logged: LogRecord<TreeEvent>) => {
    let record = logged;
    let e = record.value;
    let originalCorrect: boolean | undefined;
    // Once an event: the test builds a string. A re-verdict applied in place keeps its event id and node.
    const reverdict = isReverdict(e);
    if (reverdict) {
      // Applied in place of its node's first verdict, or news: then every row decided from that label is stale.
      if (!reverdicts?.ids.has(e.eventId)) throw REBUILD;
    } else if (reverdicts !== null && e.payload.kind === 'VerdictReached') {
      const newest = reverdicts.byNode.get(nodeKeyOf(e.treeId, e.payload.nodeId));
      if (newest) {
        originalCorrect = e.payload.correct;
        e = { ...e, payload: { kind: 'VerdictReached', ...newest.verdict } };
        record = { ...record, value: e };
      }
    }
    events++;
    pending++;
    state.positions.set(record.partition, record.offset + 1);
    touchedParts.add(record.partition);
    if (reverdict) {
      // Its fields are in its node's verdict row already.
    } else if (state.closed.has(e.treeId)) {
      duplicates++;
    } else {
      let t = state.open.get(e.treeId);
      if (!t) {
        t = {
          tree: emptyTree(e.treeId),
          seen: new Set(),
          pairs: 0,
          sft: 0,
          task: null,
          dataset: null,
          dirty: false,
        };
        state.open.set(e.treeId, t);
      }
      // The node this event changes, as it was (read before the fold, which updates the map in place).
      const before = 'nodeId' in e.payload ? t.tree.nodes.get(e.payload.nodeId) : undefined;
      // The sink owns its open trees' node maps (it keeps no older state of a tree): updated in place, not copied for
      // every node event. `before` is the node object replaced, itself unchanged.
      const next = t.seen.has(e.eventId) || e.seq < t.tree.since ? null : evolveTree(t.tree, e, OWNS_NODES);
      // After a TreeClosed `failed` only a reopen that evolveTree honours counts (a new growth); an event older than
      // the growth it would join (by seq) is a re-delivery.
      if (next === null || (t.tree.closed !== null && next.generation === t.tree.generation)) {
        duplicates++;
      } else {
        const p = e.payload;
        if (p.kind === 'TreeOpened') {
          t.task = p.instruction.task;
          t.dataset = p.instruction.dataset;
        }
        if (next.generation !== t.tree.generation) {
          // The failed growth decided no row (evolveTree's rule): the new one's are counted from 0.
          t.pairs = 0;
          t.sft = 0;
        }
        t.tree = next;
        context.task = t.task;
        context.dataset = t.dataset;
        context.generation = next.generation;
        context.originalCorrect = originalCorrect;
        appendEvent(appenders, record, context);
        if (p.kind === 'TurnExecuted') {
          // Its text features, in the same batch (and transaction) as its row.
          actionFeaturesTable.push(appenders.actionFeatures.columns, e.treeId, p.nodeId, p.action);
          appenders.actionFeatures.endRow();
        }
        if ('nodeId' in p) {
          // An action's validity, once: when it becomes complete (sampled, executed and judged, in any order).
          const node = next.nodes.get(p.nodeId);
          if (node && node.completeAt !== null && (before === undefined || before.completeAt === null)) {
            const c = appenders.actionValidity.columns;
            c[0].push(e.treeId);
            c[1].push(node.nodeId);
            c[2].push(isValidAction(node));
            appenders.actionValidity.endRow();
          }
        }
        if (p.kind === 'TreeClosed' && p.outcome === 'failed') {
          // It may be reopened (grow --retry-failed): kept, with its event ids.
          decide(t);
          t.seen.add(e.eventId);
        } else if (p.kind === 'TreeClosed') {
          decide(t);
          state.open.delete(e.treeId);
          state.closed.add(e.treeId);
        } else {
          t.seen.add(e.eventId);
          t.dirty = true;
        }
      }
    }
    if (pending >= batchEvents) throw BATCH;
  };

  /**
   * Reads from the positions reached until the log ends (or `signal` aborts): 'end'; until a batch is full or, with
   * follow, `flushMs` passed: 'batch' (the read is cut there and the next one starts where it stopped); or REBUILD.
   */
  const readSome = () =>
    new Promise<'end' | 'batch' | typeof REBUILD>((resolve, reject) => {
      if (signal?.aborted) return resolve('end');
      let subscription: Subscription | undefined;
      let finished = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (outcome: 'end' | 'batch' | typeof REBUILD | { error: unknown }) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        subscription?.unsubscribe();
        if (typeof outcome === 'object') reject(outcome.error);
        else resolve(outcome);
      };
      const onAbort = () => done('end');
      // The sink's work is synchronous (appenders): the log cannot get ahead of it and nothing piles up.
      // What a throw out of the sink's work ends the read with.
      const stopped = (error: unknown) =>
        done(error === BATCH ? 'batch' : error === REBUILD ? REBUILD : { error });
      const safely = (f: () => void) => {
        if (finished) return;
        try {
          f();
        } catch (error) {
          stopped(error);
        }
      };
      signal?.addEventListener('abort', onAbort);
      if (follow) timer = setTimeout(() => safely(() => done('batch')), flushMs);
      const onDamage = options.onDamage;
      subscription = log
        .read(topic, {
          from: new Map(state.positions),
          follow,
          ...(onDamage
            ? {
                onDamage: (d: LogDamage) => {
                  appendDamage(appenders, d);
                  onDamage(d);
                },
              }
            : {}),
        })
        .subscribe({
          next: (r) => {
            // As safely(() => apply(r)), without a closure an event.
            if (finished) return;
            try {
              apply(r);
            } catch (error) {
              stopped(error);
            }
          },
          error: (error) => done({ error }),
          complete: () => done('end'),
        });
      if (finished) subscription.unsubscribe();
    });

  // Each batch's rows, its damage records and the positions that cover them are one transaction (the appenders
  // write inside the connection's open transaction): a sync that dies mid-batch leaves the tables and positions of
  // the last commit, and the next sync reads on from there, neither losing nor repeating a row.
  await connection.run('BEGIN TRANSACTION');
  const rollback = async () => {
    try {
      closeSinkAppenders(appenders);
    } finally {
      await connection.run('ROLLBACK');
    }
  };
  try {
    for (;;) {
      const outcome = await readSome();
      if (outcome === REBUILD) {
        await rollback();
        return REBUILD;
      }
      // Told only of a batch that stored something (a quiet --follow commits nothing new every flushMs).
      const stored = store();
      if (outcome === 'end') {
        closeSinkAppenders(appenders);
        await connection.run('COMMIT');
        if (stored) onBatch?.(summary());
        return summary();
      }
      await connection.run('COMMIT');
      await connection.run('BEGIN TRANSACTION');
      if (stored) onBatch?.(summary());
    }
  } catch (e) {
    // The error that stopped the sync is the one to tell; a failed rollback (the transaction already aborted by
    // DuckDB) adds nothing to it.
    await rollback().catch(() => {});
    throw e;
  }
}
