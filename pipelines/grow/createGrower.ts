import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { LlmClient } from '../../connectors/llm/llmClient.ts';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { ArboretumError, type ErrorContext, isArboretumError, messageOf } from '../../schemas/errors.ts';
import { treeIdOf } from '../../schemas/ids.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import type { ActionJudge } from './actionJudge.ts';
import { appendBatcher } from './appendBatcher.ts';
import { createTreeRunner } from './createTreeRunner.ts';
import { type GrowConfig, growConfigFromTree } from './growConfig.ts';
import { type GrowInput, growInputOf } from './growInput.ts';
import type { GrowStats } from './growStats.ts';
import { createGrowStatsRecorder } from './growStatsRecorder.ts';
import { emptyGrowTree, evolveGrowTree, type GrowTree } from './growTree.ts';
import { createPartitionOwnership } from './partitionOwnership.ts';
import { createTreeEmitter, REVOKED } from './treeEmitter.ts';
import { createTreeScheduler } from './treeScheduler.ts';

export type { GrowInput } from './growInput.ts';

export interface GrowerOptions {
  readonly log: EventLog;
  readonly llm: LlmClient;
  readonly judge: ActionJudge;
  /** How new trees grow; an opened tree keeps the config its TreeOpened recorded. */
  readonly config: GrowConfig;
  /** Written on every event (default `<hostname>-<pid>`). */
  readonly writer?: string;
  /** Trees grown at once (default 64). Calls in flight are bounded by the LLM client's per-endpoint concurrency. */
  readonly trees?: number;
  readonly now?: () => number;
  /**
   * grow --retry-failed (default false): each tree the log shows closed `failed` with no row decided (no valid
   * correct action) is reopened — TreeReopened, then a fresh growth from turn 1 with new node ids — once per run.
   */
  readonly retryFailed?: boolean;
  /** Consumer group of this worker (grow --follow), recorded on the trees it opens; default null (no group). */
  readonly group?: string | null;
  /** The lease recorded with the group on TreeOpened, in ms; default null (readers' DEFAULT_LEASE_MS). */
  readonly leaseMs?: number | null;
  /** Trees another live group holds (grow --follow's view of the whole log): never grown here. Default: none. */
  readonly heldElsewhere?: (treeId: string) => boolean;
  /**
   * In a consumer group, how long to wait after an assignment adds partitions before reading and growing their trees,
   * in ms (default 0): the previous owner appends the answers of its calls in flight after it loses them, and what is
   * on the log by then is not asked again. The cost: a dead worker's trees start this much later.
   */
  readonly handOverMs?: number;
}

/** Why a run ended early, or null when it ran out of work. */
export type StopReason = {
  readonly code: string;
  readonly message: string;
  readonly context?: ErrorContext;
} | null;

export interface Grower {
  /**
   * Reads the tree-events log (all partitions, or these) to its end and folds every tree. Call before run, except in
   * a consumer group: there each assignment loads the partitions it adds.
   */
  load(partitions?: readonly number[]): Promise<void>;
  /**
   * Grows every tree the log shows open, then one tree per instruction of `source` not yet on the log, `trees` at a
   * time; resolves when all are closed or the run stops (budget, an endpoint or sandbox gone, stop()), once nothing
   * it started is still running.
   */
  run(source: AsyncIterable<GrowInput>): Promise<StopReason>;
  /**
   * Stops the run: the calls in flight are aborted (their intents stay on the log and are asked again by the next
   * run; they count as neither answers nor failures), everything already answered stays on the log, and run()
   * resolves as soon as the appends under way are durable.
   */
  stop(reason?: string): void;
  /**
   * A consumer group's new assignment, told the moment it comes (groupInputs' onAssignment): the partitions it takes
   * away stop being grown at once; those it adds are read when run() reaches the assignment input.
   */
  released(held: readonly number[]): void;
  stats(): GrowStats;
  /** The grower's view of a tree (for tests and tools). */
  tree(treeId: string): GrowTree | undefined;
}

/**
 * The grow process manager: a thin interpreter around the pure decider (decide.ts). It folds each tree from its
 * events, runs the commands decide returns against the LLM client, the judge and the log (createTreeRunner), `trees`
 * trees at a time (treeScheduler), on the partitions it owns (partitionOwnership). Every answer is on the log the
 * moment it arrives, before it is judged, so after a crash `load` rebuilds everything and only the calls that were
 * in flight are asked again. Any error thrown by the LLM client or the judge (an endpoint fault, a budget, an abort,
 * a sandbox gone) stops the run; it never fails a tree. A malformed answer of a healthy endpoint (ChatResult.failure)
 * is a failed action.
 */
export function createGrower({
  log,
  llm,
  judge,
  config,
  writer = `${hostname()}-${process.pid}`,
  trees: maxTrees = 64,
  now = Date.now,
  retryFailed = false,
  group = null,
  leaseMs = null,
  heldElsewhere,
  handOverMs = 0,
}: GrowerOptions): Grower {
  if (!(Number.isInteger(maxTrees) && maxTrees >= 1)) {
    throw new ArboretumError('INVALID_CONFIG', `grower: trees must be a whole number >= 1, got ${maxTrees}`);
  }
  const state = new Map<string, GrowTree>();
  const configs = new Map<string, GrowConfig>();
  const stats = createGrowStatsRecorder(now());
  const ownership = createPartitionOwnership(heldElsewhere);
  const acks = new Map<string, () => void>();
  const abort = new AbortController();
  // One listener per call in flight (each call links its own signal to this one): as many as `trees` × a wave.
  setMaxListeners(0, abort.signal);
  let stopReason: StopReason = null;
  /** Wakes run() when it waits for the next input or a slot. */
  let onStop = () => {};
  const stopWith = (e: unknown) => {
    if (stopReason || e === REVOKED) return;
    stopReason = {
      code: isArboretumError(e) ? e.code : 'ERROR',
      message: messageOf(e),
      // Where it failed (tree, node, endpoint...), when the error knew.
      ...(isArboretumError(e) && Object.keys(e.context).length ? { context: e.context } : {}),
    };
    onStop();
  };

  const appendEvents = appendBatcher((records: readonly { value: TreeEvent }[]) =>
    log.append(topics.treeEvents, records),
  );
  const emit = createTreeEmitter({
    append: (events) => appendEvents(events.map((value) => ({ value }))),
    trees: state,
    owns: ownership.owns,
    writer,
    now,
    appended: (tree) => {
      const ack = acks.get(tree.treeId);
      if (ack && tree.opened) {
        acks.delete(tree.treeId);
        ack();
      }
      if (tree.closed) configs.delete(tree.treeId);
    },
  });
  const configOf = (tree: GrowTree): GrowConfig => {
    let c = configs.get(tree.treeId);
    if (!c) {
      c = tree.opened ? growConfigFromTree(tree.opened.config) : config;
      if (tree.opened) configs.set(tree.treeId, c);
    }
    return c;
  };
  /** Trees this run reopens or reopened: each is reopened once a run, as its loop starts (see reopen). */
  const retried = new Set<string>();
  const toReopen = new Set<string>();
  const retriable = (tree: GrowTree) =>
    retryFailed &&
    tree.closed !== null &&
    tree.reopenable &&
    tree.opened !== null &&
    !retried.has(tree.treeId);
  const markReopen = (treeId: string) => {
    retried.add(treeId);
    toReopen.add(treeId);
  };
  const runTree = createTreeRunner({
    llm,
    judge,
    emit,
    trees: state,
    configOf,
    stats,
    signal: abort.signal,
    running: () => stopReason === null,
    owns: ownership.owns,
    failed: stopWith,
    reopen: (treeId) => toReopen.delete(treeId),
    owner: { group, leaseMs },
  });
  const scheduler = createTreeScheduler({
    maxTrees,
    grow: runTree,
    failed: stopWith,
    stopped: () => stopReason !== null,
    open: stats.opened,
  });

  const load = async (partitions?: readonly number[]): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      log.read(topics.treeEvents, partitions ? { partitions } : {}).subscribe({
        next: (r) => {
          const e = r.value;
          ownership.place(e.treeId, r.partition);
          state.set(e.treeId, evolveGrowTree(state.get(e.treeId) ?? emptyGrowTree(e.treeId), e));
        },
        error: reject,
        complete: resolve,
      });
    });
  };

  /**
   * Trees the log shows open (cut short by a crash, a budget, a stop or a rebalance), and with retryFailed those it
   * shows closed `failed` and reopenable, in these partitions.
   */
  const resume = async (partitions: ReadonlySet<number> | null) => {
    for (const [treeId, tree] of state) {
      if (stopReason) return;
      if (!tree.opened || (tree.closed && !retriable(tree)) || scheduler.has(treeId)) continue;
      if (partitions && !ownership.within(treeId, partitions)) continue;
      if (!ownership.owns(treeId)) continue;
      await scheduler.slot();
      if (stopReason) return;
      if (state.get(treeId)?.closed) markReopen(treeId);
      scheduler.start(treeId, null);
    }
  };

  return {
    stop(reason = 'stopped') {
      stopWith(new ArboretumError('TIMEOUT', reason));
      abort.abort(new ArboretumError('TIMEOUT', `grow: ${reason}`));
    },
    released: (held) => ownership.release(held),
    stats: stats.snapshot,
    tree: (treeId) => state.get(treeId),
    load,
    async run(source) {
      const stopped = new Promise<IteratorResult<GrowInput>>((resolve) => {
        onStop = () => {
          scheduler.wake();
          // stop() must not wait for the next instruction of a followed topic.
          resolve({ done: true, value: undefined });
        };
        if (stopReason) onStop();
      });
      await resume(null);
      const inputs = source[Symbol.asyncIterator]();
      for (;;) {
        const next = await Promise.race([inputs.next(), stopped]);
        if (next.done || stopReason) {
          void inputs.return?.();
          break;
        }
        const input = growInputOf(next.value);
        if (input.kind === 'assignment') {
          const added = ownership.assign(input.assigned);
          // Newly owned partitions are (re)read: another worker may have grown their trees meanwhile.
          if (added.length && handOverMs > 0) {
            await Promise.race([new Promise((r) => setTimeout(r, handOverMs)), stopped]);
            if (stopReason) break;
          }
          if (added.length) await load(added);
          await resume(new Set(added));
          continue;
        }
        const { instruction, partition, ack } = input;
        const treeId = treeIdOf(instruction.id);
        if (partition !== null) ownership.place(treeId, partition);
        const known = state.get(treeId);
        if (scheduler.has(treeId) || known?.opened || known?.closed) ack?.();
        if (scheduler.has(treeId)) continue;
        // Reopened by this run already (from the log, before its instruction came): counted as it closed.
        if (retried.has(treeId)) continue;
        const reopen = known !== undefined && retriable(known);
        if (known?.closed && !reopen) {
          stats.skipped(retryFailed && known.closed.outcome === 'failed' && !known.reopenable);
          continue;
        }
        if (!ownership.owns(treeId)) {
          // Another group's tree: its instruction is done with here (that group grows it).
          if (ownership.heldElsewhere(treeId)) ack?.();
          continue;
        }
        if (ack && !known?.opened) acks.set(treeId, ack);
        await scheduler.slot();
        if (stopReason) break;
        if (reopen) markReopen(treeId);
        scheduler.start(treeId, instruction);
      }
      await scheduler.drain();
      return stopReason;
    },
  };
}
