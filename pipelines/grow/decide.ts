import type { AnswerReceived, Instruction, StrategySampled, TreeEventPayload } from '../../schemas/types.ts';
import { isValidAction } from '../assemble/isValidAction.ts';
import { normalizeMath } from '../grade/normalizeMath.ts';
import type { GrowCommand } from './growCommand.ts';
import type { GrowConfig } from './growConfig.ts';
import type { GrowNode, GrowTree } from './growTree.ts';
import { nextStep } from './nextStep.ts';
import { actorMessages, critiqueMessages } from './prompts.ts';
import { seedOf } from './seedOf.ts';

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

/** LLM calls the log shows for a tree: every intent (asked, or to be asked) and every critique attempt. */
export function callsOf(tree: GrowTree): number {
  let calls = 0;
  for (const n of tree.nodes.values()) {
    if (n.sampled) calls++;
    calls += n.rejected.length + (n.critique ? 1 : 0);
  }
  return calls;
}

/** The gate's view of the reference: a math answer, normalised; null where the gate does not look for it. */
function goldOf(instruction: Instruction): string | null {
  const answer = instruction.reference.answer;
  if (answer === null || (instruction.task !== 'Math_CoT' && instruction.task !== 'Math_PoT')) return null;
  return normalizeMath(answer).text || null;
}

/** The answer of a node judged from an older log's TurnExecuted (written before AnswerReceived existed). */
function answerOf(node: GrowNode): AnswerReceived | null {
  if (node.answered) return node.answered;
  const e = node.executed;
  if (!e) return null;
  return {
    nodeId: node.nodeId,
    text: e.action,
    promptTokens: e.promptTokens,
    completionTokens: e.completionTokens,
    latencyMs: e.latencyMs,
    finishReason: null,
    failure: e.failure,
  };
}

/** A failed answer's judgement: nothing to run, the action is invalid. */
export function failedJudgement(answer: AnswerReceived, failure: string): TreeEventPayload[] {
  return [
    {
      kind: 'TurnExecuted',
      nodeId: answer.nodeId,
      action: answer.text,
      code: null,
      answer: null,
      syntaxOk: true,
      observation: '',
      promptTokens: answer.promptTokens,
      completionTokens: answer.completionTokens,
      latencyMs: answer.latencyMs,
      failure,
    },
    {
      kind: 'VerdictReached',
      nodeId: answer.nodeId,
      correct: false,
      grader: 'none',
      detail: `no usable answer: ${failure}`,
      graderVersion: '',
    },
  ];
}

export interface DecideOptions {
  /** Reopen the tree if it is closed `failed` and decided no row (GrowTree.reopenable); default false. */
  readonly reopen?: boolean;
}

const close = (outcome: 'solved' | 'exhausted' | 'failed', reason: string): GrowCommand[] => [
  { kind: 'append', payloads: [{ kind: 'TreeClosed', outcome, reason }] },
];

/**
 * The grower's decider (pure): from a tree folded from its log and the config it grows by, the commands that move
 * it on now — [] once it is closed. The rules of the tree are nextStep's (which wave, which node to expand, when to
 * close); decide adds what the interpreter needs to act: the prompts, seeds and sampling of new intents, the calls
 * of unanswered intents, the judging of answered actions in plan order, the critic's call with the critique gate's
 * bound, and the per-tree call cap. Calls in flight are the interpreter's business: decide repeats an ask until its
 * answer is on the log. With `reopen` (grow --retry-failed), a tree closed `failed` that decided no row is reopened
 * instead (TreeReopened for its next generation) and grows again from turn 1 with new node ids; the call cap then
 * counts that growth's calls.
 */
export function decide(
  tree: GrowTree,
  config: GrowConfig,
  options: DecideOptions = {},
): readonly GrowCommand[] {
  const step = nextStep(tree, config);
  const cap = config.maxCallsPerTree;
  switch (step.kind) {
    case 'closed':
      if (!options.reopen || !tree.reopenable || !tree.opened) return [];
      return [
        {
          kind: 'append',
          payloads: [
            {
              kind: 'TreeReopened',
              generation: tree.generation + 1,
              reason: `retry-failed: closed failed (${tree.closed!.reason})`,
            },
          ],
        },
      ];
    case 'open':
      return [{ kind: 'open' }];
    case 'close':
      return close(step.outcome, step.reason);
    case 'sample': {
      const turn = step.specs[0].turn;
      if (cap !== null && callsOf(tree) + step.specs.length > cap)
        return close('exhausted', `maxCallsPerTree ${cap} reached at turn ${turn}`);
      const instruction = tree.opened!.instruction;
      const payloads = step.specs.map((s): StrategySampled & { kind: 'StrategySampled' } => ({
        kind: 'StrategySampled',
        nodeId: s.nodeId,
        parentId: step.parentId,
        turn: s.turn,
        strategy: s.strategy,
        model: s.model,
        role: s.role,
        attempt: s.attempt,
        params: {
          temperature: config.temperature,
          topP: config.topP,
          maxTokens: config.maxTokens,
          seed: seedOf(tree.treeId, s.nodeId),
        },
        prompt: actorMessages(instruction, step.ancestors, s.plan, s.role === 'ground-truth'),
        strategyPolicy: config.strategies.policy,
      }));
      return [{ kind: 'append', payloads }];
    }
    case 'pending': {
      const commands: GrowCommand[] = step.unanswered.map((n) => {
        const s = n.sampled!;
        return {
          kind: 'ask',
          nodeId: n.nodeId,
          call: {
            model: s.model,
            messages: s.prompt,
            temperature: s.params.temperature,
            topP: s.params.topP,
            maxTokens: s.params.maxTokens,
            seed: s.params.seed,
            requestId: `${tree.treeId}/${n.nodeId}`,
          },
        };
      });
      step.unjudged.forEach((n, i) => {
        const answer = answerOf(n);
        if (!answer) return;
        if (answer.failure !== null) {
          if (i === 0)
            commands.push({
              kind: 'append',
              payloads: failedJudgement(answer, answer.failure).slice(n.executed ? 1 : 0),
            });
          return;
        }
        commands.push({
          kind: 'judge',
          nodeId: n.nodeId,
          turn: n.sampled!.turn,
          answer,
          priorCells: priorCellsOf(tree, n.sampled!.parentId),
          first: i === 0,
          verdictOnly: n.executed !== null,
        });
      });
      return commands;
    }
    case 'critique': {
      const { node, ancestors } = step;
      const attempt = node.rejected.length;
      if (attempt > config.criticReasks) {
        const solved = [...tree.nodes.values()].some((n) => isValidAction(n) && n.verdict.correct);
        return close(
          solved ? 'solved' : 'exhausted',
          `critic gave no usable critique of ${node.nodeId} in ${attempt} attempt(s) (last: ${node.rejected.at(-1)!.reason}); not expanded`,
        );
      }
      if (cap !== null && callsOf(tree) + 1 > cap)
        return close('exhausted', `maxCallsPerTree ${cap} reached at turn ${node.sampled!.turn}`);
      const instruction = tree.opened!.instruction;
      const messages = critiqueMessages(instruction, ancestors, node);
      if (attempt > 0) {
        const last = messages.at(-1)!;
        messages[messages.length - 1] = {
          role: last.role,
          content: `${last.content}\n\n(Your previous critique was rejected: ${node.rejected.at(-1)!.reason}. Write a new, short one.)`,
        };
      }
      return [
        {
          kind: 'critique',
          nodeId: node.nodeId,
          attempt,
          gold: goldOf(instruction),
          call: {
            model: config.critic,
            messages,
            temperature: config.criticTemperature,
            maxTokens: config.maxTokens,
            seed: seedOf(tree.treeId, `${node.nodeId}/critique/${attempt}`),
            requestId: `${tree.treeId}/${node.nodeId}/critique${attempt ? `/${attempt}` : ''}`,
          },
        },
      ];
    }
  }
}
