import type { ChatResult, LlmClient } from '../../connectors/llm/llmClient.ts';
import { withContext } from '../../schemas/errors.ts';
import type { Instruction, TreeEventPayload } from '../../schemas/types.ts';
import type { ActionJudge, Judgement } from './actionJudge.ts';
import { critiqueProblem } from './critiqueProblem.ts';
import { decide } from './decide.ts';
import type { ChatCall, GrowCommand } from './growCommand.ts';
import { type GrowConfig, treeConfigOf } from './growConfig.ts';
import type { GrowStatsRecorder } from './growStatsRecorder.ts';
import { emptyGrowTree, type GrowTree } from './growTree.ts';
import type { TreeEmitter } from './treeEmitter.ts';

export interface TreeRunnerOptions {
  readonly llm: LlmClient;
  readonly judge: ActionJudge;
  readonly emit: TreeEmitter;
  readonly trees: ReadonlyMap<string, GrowTree>;
  /** The config a tree grows by (its TreeOpened's, or the run's for a new tree). */
  readonly configOf: (tree: GrowTree) => GrowConfig;
  readonly stats: GrowStatsRecorder;
  /** Aborts the calls in flight when the run is stopped. */
  readonly signal: AbortSignal;
  /** False once the run stops: no new work is started. */
  readonly running: () => boolean;
  readonly owns: (treeId: string) => boolean;
  /** Told of a task's error at once, so the run stops while this tree waits for its other tasks. */
  readonly failed: (error: unknown) => void;
  /** Asked once as a tree's loop starts: reopen it if it is closed `failed` and reopenable (grow --retry-failed). */
  readonly reopen?: (treeId: string) => boolean;
  /** Recorded on TreeOpened: the opener's consumer group and lease (createFleetFold); default none. */
  readonly owner?: { readonly group: string | null; readonly leaseMs: number | null };
}

/**
 * The interpreter of one tree: asks decide for the commands the log calls for, runs those not running yet (calls to
 * the LLM, the judge) side by side, and appends each result as soon as it is in — an answer the moment it arrives, a
 * judgement when the actions before it in plan order are judged — then decides again. Resolves when the tree is
 * closed, the run stops or the tree's partition is revoked, and only once everything it started has settled (so
 * nothing is appended after run() resolves); rejects with the first error a task met.
 */
export function createTreeRunner(o: TreeRunnerOptions) {
  return async function runTree(treeId: string, instruction: Instruction | null): Promise<void> {
    const tasks = new Map<string, Promise<void>>();
    /** Judgements computed before their turn to be logged (recomputable from the log: nothing is lost at a crash). */
    const ready = new Map<string, { readonly judgement: Judgement; readonly verdictOnly: boolean }>();
    /** Intents this run logged: asking them is not a re-ask. */
    const sampledHere = new Set<string>();
    /** Turns whose pairs were counted (key: parent/turn). */
    const decided = new Set<string>();
    let failure: { error: unknown } | null = null;
    const spawn = (key: string, work: () => Promise<void>) => {
      const task = work()
        .catch((e) => {
          const error = withContext(e, { treeId, nodeId: key.slice(key.indexOf(':') + 1) }); // key: `<kind>:<nodeId>`
          if (!failure) failure = { error };
          o.failed(error);
        })
        .finally(() => tasks.delete(key));
      tasks.set(key, task);
    };
    const treeNow = () => o.trees.get(treeId) ?? emptyGrowTree(treeId);
    /**
     * Calls the LLM with a signal of its own, aborted with the run's: the client may attach listeners to it that it
     * never removes, and they must go with the call, not pile up on the run's signal.
     */
    const chat = async (call: ChatCall): Promise<ChatResult> => {
      const own = new AbortController();
      const abort = () => own.abort(o.signal.reason);
      if (o.signal.aborted) abort();
      else o.signal.addEventListener('abort', abort, { once: true });
      try {
        return await o.llm.chat({ ...call, signal: own.signal });
      } finally {
        o.signal.removeEventListener('abort', abort);
      }
    };

    /** Judges an answer unless it is being judged or judged already; the result waits in `ready`. */
    const startJudge = (
      nodeId: string,
      text: string,
      priorCells: readonly string[],
      verdictOnly: boolean,
    ) => {
      const key = `judge:${nodeId}`;
      if (tasks.has(key) || ready.has(nodeId)) return;
      const instruction = treeNow().opened!.instruction;
      spawn(key, async () => {
        ready.set(nodeId, { judgement: await o.judge.judge(instruction, text, priorCells), verdictOnly });
      });
    };

    /** Runs one command; true when it appended (the tree changed: decide again before anything else). */
    const run = async (c: GrowCommand, tree: GrowTree, config: GrowConfig): Promise<boolean> => {
      switch (c.kind) {
        case 'open':
          await o.emit(treeId, [
            {
              kind: 'TreeOpened',
              instruction: instruction!,
              config: treeConfigOf(config),
              ownerGroup: o.owner?.group ?? null,
              leaseMs: o.owner?.leaseMs ?? null,
            },
          ]);
          return true;
        case 'append': {
          for (const p of c.payloads) if (p.kind === 'StrategySampled') sampledHere.add(p.nodeId);
          const closed = c.payloads.find((p) => p.kind === 'TreeClosed');
          if (closed) {
            const last = [...tree.nodes.values()].at(-1);
            if (last?.sampled) o.stats.turnDecided(tree, last.sampled.parentId, last.sampled.turn);
          }
          await o.emit(treeId, c.payloads);
          if (closed?.kind === 'TreeClosed') o.stats.closed(closed.outcome);
          if (c.payloads.some((p) => p.kind === 'TreeReopened')) o.stats.reopened();
          return true;
        }
        case 'ask': {
          const key = `ask:${c.nodeId}`;
          if (tasks.has(key)) return false;
          const reasked = !sampledHere.has(c.nodeId);
          spawn(key, async () => {
            const r = await chat(c.call);
            o.stats.answered(r, reasked);
            await o.emit(treeId, [
              {
                kind: 'AnswerReceived',
                nodeId: c.nodeId,
                text: r.text,
                promptTokens: r.promptTokens,
                completionTokens: r.completionTokens,
                latencyMs: r.latencyMs,
                finishReason: r.finishReason,
                failure: r.failure,
              },
            ]);
          });
          return false;
        }
        case 'judge': {
          const done = ready.get(c.nodeId);
          if (done) {
            if (!c.first) return false;
            ready.delete(c.nodeId);
            const j = done.judgement;
            const a = c.answer;
            const verdict: TreeEventPayload = {
              kind: 'VerdictReached',
              nodeId: c.nodeId,
              correct: j.correct,
              grader: j.grader,
              detail: j.detail,
              graderVersion: j.graderVersion ?? '',
            };
            const payloads: TreeEventPayload[] =
              done.verdictOnly || c.verdictOnly
                ? [verdict]
                : [
                    {
                      kind: 'TurnExecuted',
                      nodeId: c.nodeId,
                      action: a.text,
                      code: j.code,
                      answer: j.answer,
                      syntaxOk: j.syntaxOk,
                      observation: j.observation,
                      promptTokens: a.promptTokens,
                      completionTokens: a.completionTokens,
                      latencyMs: a.latencyMs,
                      failure: null,
                    },
                    verdict,
                  ];
            await o.emit(treeId, payloads);
            o.stats.judged(c.turn, j.syntaxOk, j.correct);
            return true;
          }
          startJudge(c.nodeId, c.answer.text, c.priorCells, c.verdictOnly);
          return false;
        }
        case 'critique': {
          const key = `critique:${c.nodeId}`;
          if (tasks.has(key)) return false;
          const node = tree.nodes.get(c.nodeId)!;
          const turnKey = `${node.sampled!.parentId}/${node.sampled!.turn}`;
          if (!decided.has(turnKey)) {
            decided.add(turnKey);
            o.stats.turnDecided(tree, node.sampled!.parentId, node.sampled!.turn);
          }
          spawn(key, async () => {
            const r = await chat(c.call);
            o.stats.answered(r, false);
            const usage = {
              promptTokens: r.promptTokens,
              completionTokens: r.completionTokens,
              latencyMs: r.latencyMs,
            };
            const problem = r.failure ?? critiqueProblem(r, c.gold);
            await o.emit(treeId, [
              problem === null
                ? {
                    kind: 'CritiqueEmitted',
                    nodeId: c.nodeId,
                    critique: r.text.trim(),
                    model: c.call.model,
                    ...usage,
                  }
                : {
                    kind: 'CritiqueRejected',
                    nodeId: c.nodeId,
                    attempt: c.attempt,
                    critique: r.text,
                    model: c.call.model,
                    reason: problem,
                    ...usage,
                    finishReason: r.finishReason,
                  },
            ]);
          });
          return false;
        }
      }
    };

    let decidedFor: GrowTree | null = null;
    let commands: readonly GrowCommand[] = [];
    // Only the growth found closed at the start is reopened: one that closes failed in this run stays closed.
    const reopenGeneration = o.reopen?.(treeId) ? treeNow().generation : null;
    try {
      for (;;) {
        if (failure) throw (failure as { error: unknown }).error;
        if (!o.running() || !o.owns(treeId)) return;
        const tree = treeNow();
        const config = o.configOf(tree);
        // The tree is immutable: unchanged since the last decide (a task ended without appending), same commands.
        if (tree !== decidedFor) {
          decidedFor = tree;
          commands = decide(tree, config, { reopen: tree.generation === reopenGeneration });
        }
        if (!commands.length) return;
        let appended = false;
        for (const c of commands) {
          appended = await run(c, tree, config);
          if (appended) break;
        }
        if (appended) continue;
        if (!tasks.size) throw new Error(`grower: tree ${treeId} is open but decide gave nothing to run`);
        await Promise.race(tasks.values());
      }
    } finally {
      while (tasks.size) await Promise.allSettled([...tasks.values()]);
    }
  };
}
