import { reference } from '../../connectors/sources/adapterFields.ts';
import { treeIdOf } from '../../schemas/ids.ts';
import { pushTreeEvent } from '../../schemas/pushTreeEvent.ts';
import type { Task, TreeEvent, TreeEventPayload } from '../../schemas/types.ts';

export interface ActionSpec {
  readonly parent?: string | null;
  readonly turn?: number;
  readonly correct: boolean;
  readonly model?: string;
  readonly action?: string;
  readonly observation?: string;
  readonly code?: string | null;
  readonly syntaxOk?: boolean;
  readonly failure?: string | null;
  /** The system message the action was sampled with (none by default). */
  readonly system?: string;
  /** The StrategySampled role; default strong for correct actions, weak otherwise. */
  readonly role?: string;
}

/** Writes a tree's events the way the grower does, with seq from 0; tests build their own small trees with it. */
export function treeScript(
  instructionId: string,
  options: { task?: Task; dataset?: string; text?: string } = {},
) {
  const treeId = treeIdOf(instructionId);
  const events: TreeEvent[] = [];
  let generation = 0;
  const emit = (nodeId: string | null, payload: TreeEventPayload) => {
    pushTreeEvent(events, {
      treeId,
      nodeId,
      time: 1_700_000_000_000 + events.length,
      writer: 'test',
      payload,
    });
  };
  const script = {
    treeId,
    events,
    open() {
      emit(null, {
        kind: 'TreeOpened',
        ownerGroup: null,
        leaseMs: null,
        instruction: {
          id: instructionId,
          task: options.task ?? 'Math_CoT',
          dataset: options.dataset ?? 'GSM8K',
          instruction: options.text ?? `Solve problem ${instructionId}.`,
          reference: reference({ answer: '42' }),
          metadata: {},
        },
        config: {
          maxTurns: 5,
          actorModels: ['strong', 'weak'],
          criticModel: 'critic',
          expandAfterPair: true,
          params: {},
          strategies: null,
        },
      });
      return script;
    },
    sample(nodeId: string, spec: ActionSpec) {
      emit(nodeId, {
        kind: 'StrategySampled',
        nodeId,
        parentId: spec.parent ?? null,
        turn: spec.turn ?? 1,
        strategy: 'chain-of-thought',
        model: spec.model ?? (spec.correct ? 'strong' : 'weak'),
        role: spec.role ?? (spec.correct ? 'strong' : 'weak'),
        attempt: 0,
        params: { temperature: 1, topP: 1, maxTokens: 1024, seed: null },
        prompt: [
          ...(spec.system === undefined ? [] : [{ role: 'system', content: spec.system }]),
          { role: 'user', content: 'prompt' },
        ],
        strategyPolicy: null,
      });
      return script;
    },
    execute(nodeId: string, spec: ActionSpec) {
      emit(nodeId, {
        kind: 'TurnExecuted',
        nodeId,
        action: spec.action ?? `Step 1: action ${nodeId}`,
        code: spec.code ?? null,
        answer: spec.correct ? '42' : '41',
        syntaxOk: spec.syntaxOk ?? true,
        observation: spec.observation ?? '',
        promptTokens: 10,
        completionTokens: 20,
        latencyMs: 5,
        failure: spec.failure ?? null,
      });
      return script;
    },
    judge(nodeId: string, correct: boolean) {
      emit(nodeId, {
        kind: 'VerdictReached',
        nodeId,
        correct,
        grader: 'math',
        detail: '',
        graderVersion: '',
      });
      return script;
    },
    /** The grower's answer-first record of an action (before its TurnExecuted). */
    answer(nodeId: string, text = `Step 1: action ${nodeId}`) {
      emit(nodeId, {
        kind: 'AnswerReceived',
        nodeId,
        text,
        promptTokens: 10,
        completionTokens: 20,
        latencyMs: 5,
        finishReason: 'stop',
        failure: null,
      });
      return script;
    },
    /** A critique the gate refused, for attempt `attempt` (ids as the grower writes them: `<node>#<attempt>`). */
    rejectCritique(nodeId: string, attempt: number, reason = 'gives the answer away') {
      const p: TreeEventPayload = {
        kind: 'CritiqueRejected',
        nodeId,
        attempt,
        critique: `The answer is 42 (${nodeId}).`,
        model: 'critic',
        reason,
        promptTokens: 1,
        completionTokens: 1,
        latencyMs: 1,
        finishReason: 'stop',
      };
      emit(`${nodeId}#${attempt}`, p);
      return script;
    },
    /** StrategySampled, TurnExecuted and VerdictReached of one action. */
    action(nodeId: string, spec: ActionSpec) {
      return script.sample(nodeId, spec).execute(nodeId, spec).judge(nodeId, spec.correct);
    },
    critique(nodeId: string, text = `Critique of ${nodeId}.`) {
      emit(nodeId, {
        kind: 'CritiqueEmitted',
        nodeId,
        critique: text,
        model: 'critic',
        promptTokens: 1,
        completionTokens: 1,
        latencyMs: 1,
      });
      return script;
    },
    close(outcome: 'solved' | 'exhausted' | 'failed' = 'solved') {
      emit(generation ? `g${generation}` : null, { kind: 'TreeClosed', outcome, reason: '' });
      return script;
    },
    /** TreeReopened for the next generation (ids as the grower writes them: `<tree>/g<n>/TreeReopened`). */
    reopen() {
      generation++;
      emit(`g${generation}`, { kind: 'TreeReopened', generation, reason: 'retry-failed' });
      return script;
    },
  };
  return script;
}
