import { hostname } from 'node:os';
import type { ChatResult, LlmClient } from '../../connectors/llm/llmClient.ts';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { ArboretumError, isArboretumError, messageOf } from '../../schemas/errors.ts';
import { eventIdOf, treeIdOf } from '../../schemas/ids.ts';
import type { Instruction, StrategySampled, TreeEvent, TreeEventPayload } from '../../schemas/types.ts';
import type { ActionJudge } from './actionJudge.ts';
import { appendBatcher } from './appendBatcher.ts';
import { type GrowConfig, growConfigFromTree, treeConfigOf } from './growConfig.ts';
import { emptyGrowStats, type GrowStats } from './growStats.ts';
import { emptyGrowTree, evolveGrowTree, type GrowNode, type GrowTree } from './growTree.ts';
import { isValid, nextStep } from './nextStep.ts';
import { actorMessages, critiqueMessages } from './prompts.ts';
import { seedOf } from './seedOf.ts';

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
}

/**
 * What run() consumes: instructions (plain, or with the partition they were read from and an `ack` called once the
 * tree's TreeOpened is durable — when a consumer group may commit the instruction), and, in a consumer group, the
 * partitions this worker owns after each rebalance.
 */
export type GrowInput =
  | Instruction
  | { readonly instruction: Instruction; readonly partition: number; readonly ack?: () => void }
  | { readonly assigned: readonly number[] };

/** Why a run ended early, or null when it ran out of work. */
export type StopReason = { readonly code: string; readonly message: string } | null;

export interface Grower {
  /**
   * Reads the tree-events log (all partitions, or these) to its end and folds every tree. Call before run, except in
   * a consumer group: there each assignment loads the partitions it adds.
   */
  load(partitions?: readonly number[]): Promise<void>;
  /**
   * Grows every tree the log shows open, then one tree per instruction of `source` not yet on the log, `trees` at a
   * time; resolves when all are closed or the run stops (budget, an endpoint or sandbox gone, stop()).
   */
  run(source: AsyncIterable<GrowInput>): Promise<StopReason>;
  /** Asks the run to stop after the steps in flight; nothing already answered is lost. */
  stop(reason?: string): void;
  stats(): GrowStats;
  /** The grower's view of a tree (for tests and tools). */
  tree(treeId: string): GrowTree | undefined;
}

/** The code of the expanded nodes from the root down to `parentId`, root first. */
function priorCellsOf(tree: GrowTree, parentId: string | null): string[] {
  const cells: string[] = [];
  for (let id = parentId, guard = 0; id !== null && guard <= tree.nodes.size; guard++) {
    const node = tree.nodes.get(id);
    if (!node?.sampled) break;
    if (node.executed?.code) cells.push(node.executed.code);
    id = node.sampled.parentId;
  }
  return cells.reverse();
}

/** Thrown by emit when the tree's partition went to another worker; ends that tree's loop quietly. */
const REVOKED = new Error('partition revoked');

/** Errors that end the run (trying again later may work) rather than a single action. */
const fatal = (e: unknown) =>
  !isArboretumError(e) || e.retriable || e.code === 'BUDGET_EXHAUSTED' || e.code === 'INVALID_CONFIG';

/**
 * The grow process manager. It keeps each tree's state as a fold of its events, asks nextStep what the tree needs,
 * calls the LLM / environment / critic, and appends the outcome before the next call: the log is the only state, so
 * after a crash `load` rebuilds everything and no answered prompt is asked again (an intent without its answer is
 * re-asked once, with its logged prompt).
 */
export function createGrower({
  log,
  llm,
  judge,
  config,
  writer = `${hostname()}-${process.pid}`,
  trees: maxTrees = 64,
  now = Date.now,
}: GrowerOptions): Grower {
  if (!(Number.isInteger(maxTrees) && maxTrees >= 1)) {
    throw new ArboretumError('INVALID_CONFIG', `grower: trees must be a whole number >= 1, got ${maxTrees}`);
  }
  const state = new Map<string, GrowTree>();
  const appendEvents = appendBatcher((records: readonly { value: TreeEvent }[]) =>
    log.append(topics.treeEvents, records),
  );
  const stats = emptyGrowStats(now());
  const configs = new Map<string, GrowConfig>();
  /** Partitions this worker owns (null: all, outside a consumer group) and the partition of each tree. */
  let owned: Set<number> | null = null;
  const partitionOf = new Map<string, number>();
  const owns = (treeId: string) => owned === null || owned.has(partitionOf.get(treeId) ?? -1);
  const acks = new Map<string, () => void>();
  let stopReason: StopReason = null;

  /** Wakes run() when it waits for the next input. */
  let onStop = () => {};
  const stopWith = (e: unknown) => {
    if (stopReason) return;
    stopReason = {
      code: isArboretumError(e) ? e.code : 'ERROR',
      message: messageOf(e),
    };
    onStop();
  };

  const configOf = (tree: GrowTree): GrowConfig => {
    let c = configs.get(tree.treeId);
    if (!c) {
      c = tree.opened ? growConfigFromTree(tree.opened.config) : config;
      configs.set(tree.treeId, c);
    }
    return c;
  };

  /** Appends payloads as the tree's next events (one append, in order) and folds them in. */
  const emit = async (treeId: string, payloads: readonly TreeEventPayload[]): Promise<GrowTree> => {
    // Another worker owns the tree since the last rebalance: write nothing more to it.
    if (!owns(treeId)) throw REVOKED;
    let tree = state.get(treeId) ?? emptyGrowTree(treeId);
    const events: TreeEvent[] = payloads.map((payload, i) => ({
      eventId: eventIdOf(treeId, 'nodeId' in payload ? payload.nodeId : null, payload.kind),
      treeId,
      seq: tree.nextSeq + i,
      time: now(),
      writer,
      payload,
    }));
    await appendEvents(events.map((value) => ({ value })));
    for (const e of events) tree = evolveGrowTree(tree, e);
    state.set(treeId, tree);
    const ack = acks.get(treeId);
    if (ack && tree.opened) {
      acks.delete(treeId);
      ack();
    }
    return tree;
  };

  /** Asks the actor for one planned action and judges it; the payloads to log, or a fatal error. */
  const act = async (
    tree: GrowTree,
    sampled: StrategySampled,
    reasked: boolean,
  ): Promise<TreeEventPayload[]> => {
    const instruction = tree.opened!.instruction;
    let answer: ChatResult;
    try {
      answer = await llm.chat({
        model: sampled.model,
        messages: sampled.prompt,
        temperature: sampled.params.temperature,
        topP: sampled.params.topP,
        maxTokens: sampled.params.maxTokens,
        seed: sampled.params.seed,
        requestId: `${tree.treeId}/${sampled.nodeId}`,
      });
    } catch (e) {
      if (fatal(e)) throw e;
      answer = {
        text: '',
        failure: messageOf(e),
        promptTokens: 0,
        completionTokens: 0,
        latencyMs: 0,
        attempts: 1,
        finishReason: null,
      };
    }
    stats.calls++;
    stats.tokens += answer.promptTokens + answer.completionTokens;
    if (reasked) stats.reasked++;
    const usage = {
      promptTokens: answer.promptTokens,
      completionTokens: answer.completionTokens,
      latencyMs: answer.latencyMs,
    };
    const nodeId = sampled.nodeId;
    if (answer.failure !== null) {
      return [
        {
          kind: 'TurnExecuted',
          nodeId,
          action: answer.text,
          code: null,
          answer: null,
          syntaxOk: true,
          observation: '',
          ...usage,
          failure: answer.failure,
        },
        {
          kind: 'VerdictReached',
          nodeId,
          correct: false,
          grader: 'none',
          detail: `no usable answer: ${answer.failure}`,
          graderVersion: '',
        },
      ];
    }
    const j = await judge.judge(instruction, answer.text, priorCellsOf(tree, sampled.parentId));
    return [
      {
        kind: 'TurnExecuted',
        nodeId,
        action: answer.text,
        code: j.code,
        answer: j.answer,
        syntaxOk: j.syntaxOk,
        observation: j.observation,
        ...usage,
        failure: null,
      },
      {
        kind: 'VerdictReached',
        nodeId,
        correct: j.correct,
        grader: j.grader,
        detail: j.detail,
        graderVersion: j.graderVersion ?? '',
      },
    ];
  };

  /** Runs the actions concurrently and logs each outcome in plan order, as soon as it and those before it are in. */
  const actAll = async (treeId: string, sampled: readonly StrategySampled[], reasked: boolean) => {
    const tree = state.get(treeId)!;
    const pending = sampled.map((s) => act(tree, s, reasked));
    // Keep later rejections from being unhandled while an earlier one is awaited.
    for (const p of pending) p.catch(() => {});
    for (const p of pending) {
      const payloads = await p;
      await emit(treeId, payloads);
      const verdict = payloads[1] as { correct: boolean };
      const executed = payloads[0] as { failure: string | null; syntaxOk: boolean };
      if (executed.failure === null && executed.syntaxOk) {
        const turn = sampled.find((s) => s.nodeId === (payloads[0] as { nodeId: string }).nodeId)!.turn;
        stats.graded[turn - 1] = (stats.graded[turn - 1] ?? 0) + 1;
        if (verdict.correct) stats.correct[turn - 1] = (stats.correct[turn - 1] ?? 0) + 1;
      }
    }
  };

  const countPairs = (tree: GrowTree, node: GrowNode | null, turn: number, parentId: string | null) => {
    const siblings = [...tree.nodes.values()].filter(
      (n) => n.sampled?.parentId === parentId && n.sampled.turn === turn && isValid(n),
    );
    const c = siblings.filter((n) => n.verdict!.correct).length;
    stats.pairs += Math.min(c, siblings.length - c);
    return node;
  };

  /** Drives one tree until it is closed or the run stops. */
  const grow = async (treeId: string, instruction: Instruction | null) => {
    for (;;) {
      if (stopReason || !owns(treeId)) return;
      const tree = state.get(treeId) ?? emptyGrowTree(treeId);
      const cfg = configOf(tree);
      const step = nextStep(tree, cfg);
      switch (step.kind) {
        case 'closed':
          return;
        case 'open':
          await emit(treeId, [{ kind: 'TreeOpened', instruction: instruction!, config: treeConfigOf(cfg) }]);
          break;
        case 'sample': {
          const inst = tree.opened!.instruction;
          const sampled: StrategySampled[] = step.specs.map((s) => ({
            nodeId: s.nodeId,
            parentId: step.parentId,
            turn: s.turn,
            strategy: s.strategy,
            model: s.model,
            role: s.role,
            attempt: s.attempt,
            params: {
              temperature: cfg.temperature,
              topP: cfg.topP,
              maxTokens: cfg.maxTokens,
              seed: seedOf(treeId, s.nodeId),
            },
            prompt: actorMessages(inst, step.ancestors, s.strategy, s.role === 'ground-truth'),
          }));
          // The intents go on the log first: a crash from here on re-asks exactly these prompts.
          await emit(
            treeId,
            sampled.map((s) => ({ kind: 'StrategySampled', ...s })),
          );
          await actAll(treeId, sampled, false);
          break;
        }
        case 'ask':
          await actAll(
            treeId,
            step.nodes.map((n) => n.sampled!),
            true,
          );
          break;
        case 'judge': {
          const inst = tree.opened!.instruction;
          for (const n of step.nodes) {
            if (n.executed!.failure !== null) {
              await emit(treeId, [
                {
                  kind: 'VerdictReached',
                  nodeId: n.nodeId,
                  correct: false,
                  grader: 'none',
                  detail: `no usable answer: ${n.executed!.failure}`,
                  graderVersion: '',
                },
              ]);
              continue;
            }
            const j = await judge.judge(inst, n.executed!.action, priorCellsOf(tree, n.sampled!.parentId));
            await emit(treeId, [
              {
                kind: 'VerdictReached',
                nodeId: n.nodeId,
                correct: j.correct,
                grader: j.grader,
                detail: j.detail,
                graderVersion: j.graderVersion ?? '',
              },
            ]);
          }
          break;
        }
        case 'critique': {
          const { node, ancestors } = step;
          countPairs(tree, node, node.sampled!.turn, node.sampled!.parentId);
          let critique: ChatResult;
          try {
            critique = await llm.chat({
              model: cfg.critic,
              messages: critiqueMessages(tree.opened!.instruction, ancestors, node),
              temperature: 0,
              maxTokens: cfg.maxTokens,
              requestId: `${treeId}/${node.nodeId}/critique`,
            });
          } catch (e) {
            if (fatal(e)) throw e;
            await emit(treeId, [
              {
                kind: 'TreeClosed',
                outcome: 'failed',
                reason: `critic failed on ${node.nodeId}: ${messageOf(e)}`,
              },
            ]);
            stats.failed++;
            return;
          }
          stats.calls++;
          stats.tokens += critique.promptTokens + critique.completionTokens;
          await emit(treeId, [
            {
              kind: 'CritiqueEmitted',
              nodeId: node.nodeId,
              critique: critique.text.trim(),
              model: cfg.critic,
              promptTokens: critique.promptTokens,
              completionTokens: critique.completionTokens,
              latencyMs: critique.latencyMs,
            },
          ]);
          break;
        }
        case 'close': {
          const last = [...tree.nodes.values()].at(-1);
          if (last?.sampled) countPairs(tree, null, last.sampled.turn, last.sampled.parentId);
          await emit(treeId, [{ kind: 'TreeClosed', outcome: step.outcome, reason: step.reason }]);
          stats[step.outcome]++;
          configs.delete(treeId);
          return;
        }
      }
    }
  };

  const load = async (partitions?: readonly number[]): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      log.read(topics.treeEvents, partitions ? { partitions } : {}).subscribe({
        next: (r) => {
          const e = r.value;
          partitionOf.set(e.treeId, r.partition);
          state.set(e.treeId, evolveGrowTree(state.get(e.treeId) ?? emptyGrowTree(e.treeId), e));
        },
        error: reject,
        complete: resolve,
      });
    });
  };

  const stop = (reason = 'stopped') => stopWith(new ArboretumError('TIMEOUT', reason));

  return {
    stop,
    stats: () => ({ ...stats, graded: [...stats.graded], correct: [...stats.correct] }),
    tree: (treeId) => state.get(treeId),
    load,
    async run(source) {
      const inFlight = new Set<string>();
      const running = new Set<Promise<void>>();
      let wake: (() => void) | null = null;
      const start = (treeId: string, instruction: Instruction | null) => {
        inFlight.add(treeId);
        stats.open++;
        const p = grow(treeId, instruction)
          .catch((e) => {
            if (e !== REVOKED) stopWith(e);
          })
          .finally(() => {
            inFlight.delete(treeId);
            stats.open--;
            running.delete(p);
            wake?.();
          });
        running.add(p);
      };
      const slot = async () => {
        while (running.size >= maxTrees && !stopReason) await new Promise<void>((r) => (wake = r));
      };
      /** Trees the log shows open (cut short by a crash, a budget, a stop or a rebalance) in these partitions. */
      const resume = async (partitions: ReadonlySet<number> | null) => {
        for (const [treeId, tree] of state) {
          if (stopReason) return;
          if (!tree.opened || tree.closed || inFlight.has(treeId)) continue;
          if (partitions && !partitions.has(partitionOf.get(treeId) ?? -1)) continue;
          if (!owns(treeId)) continue;
          await slot();
          start(treeId, null);
        }
      };
      await resume(null);
      const inputs = source[Symbol.asyncIterator]();
      // stop() must not wait for the next instruction of a followed topic.
      const stopped = new Promise<IteratorResult<GrowInput>>((resolve) => {
        onStop = () => resolve({ done: true, value: undefined });
      });
      for (;;) {
        const next = await Promise.race([inputs.next(), stopped]);
        if (next.done || stopReason) {
          void inputs.return?.();
          break;
        }
        const input = next.value;
        if ('assigned' in input) {
          const before = owned;
          owned = new Set(input.assigned);
          const added = input.assigned.filter((p) => !before?.has(p));
          // Newly owned partitions are (re)read: another worker may have grown their trees meanwhile.
          if (added.length) await load(added);
          await resume(new Set(added));
          continue;
        }
        const wrapped = typeof (input as { instruction: unknown }).instruction === 'object';
        const instruction = wrapped
          ? (input as { instruction: Instruction }).instruction
          : (input as Instruction);
        const treeId = treeIdOf(instruction.id);
        const ack = wrapped ? (input as { ack?: () => void }).ack : undefined;
        if (wrapped) partitionOf.set(treeId, (input as { partition: number }).partition);
        const known = state.get(treeId);
        if (inFlight.has(treeId) || known?.opened || known?.closed) ack?.();
        if (inFlight.has(treeId)) continue;
        if (known?.closed) {
          stats.skipped++;
          continue;
        }
        if (!owns(treeId)) continue;
        if (ack && !known?.opened) acks.set(treeId, ack);
        await slot();
        if (stopReason) break;
        start(treeId, instruction);
      }
      while (running.size) await Promise.race(running);
      return stopReason;
    },
  };
}
