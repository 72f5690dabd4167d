import { reference } from '../../connectors/sources/adapterFields.ts';
import { eventIdOf, treeIdOf } from '../../schemas/ids.ts';
import type { Instruction, TreeEvent } from '../../schemas/types.ts';

/** A valid instruction; `n` makes ids and text unique. */
export function sampleInstruction(n: number, text = `What is ${n} + ${n}?`): Instruction {
  return {
    id: `sample-${n}`,
    task: 'Math_CoT',
    dataset: 'GSM8K',
    instruction: text,
    reference: reference({ answer: String(2 * n) }),
    metadata: { source: 'contract' },
  };
}

/** One event of every payload kind for one tree, in order, with seq 0.. and deterministic ids. */
export function sampleTreeEvents(n: number, actionText = 'Step 1: add.\nAnswer: \\boxed{2}'): TreeEvent[] {
  const instruction = sampleInstruction(n);
  const treeId = treeIdOf(instruction.id);
  const base = { treeId, time: 1_700_000_000_000 + n, writer: 'contract' };
  const payloads: TreeEvent['payload'][] = [
    {
      kind: 'TreeOpened',
      ownerGroup: null,
      leaseMs: null,
      instruction,
      config: {
        maxTurns: 5,
        actorModels: ['strong', 'weak'],
        criticModel: 'critic',
        expandAfterPair: true,
        params: {},
        strategies: null,
      },
    },
    {
      kind: 'StrategySampled',
      nodeId: 't1.a0.0',
      parentId: null,
      turn: 1,
      strategy: 'chain-of-thought',
      model: 'strong',
      role: 'strong',
      attempt: 0,
      params: { temperature: 0.7, topP: 1, maxTokens: 512, seed: 7 },
      prompt: [{ role: 'user', content: instruction.instruction }],
      strategyPolicy: null,
    },
    {
      kind: 'TurnExecuted',
      nodeId: 't1.a0.0',
      action: actionText,
      code: null,
      answer: '2',
      syntaxOk: true,
      observation: '',
      promptTokens: 20,
      completionTokens: 30,
      latencyMs: 120,
      failure: null,
    },
    {
      kind: 'VerdictReached',
      nodeId: 't1.a0.0',
      correct: false,
      grader: 'math',
      detail: 'expected 4',
      graderVersion: 'math-2',
    },
    {
      kind: 'CritiqueEmitted',
      nodeId: 't1.a0.0',
      critique: 'Add again.',
      model: 'critic',
      promptTokens: 5,
      completionTokens: 6,
      latencyMs: 7,
    },
    { kind: 'TreeClosed', outcome: 'exhausted', reason: 'max turns' },
  ];
  return payloads.map((payload, seq) => ({
    ...base,
    seq,
    eventId: eventIdOf(treeId, 'nodeId' in payload ? payload.nodeId : null, payload.kind),
    payload,
  }));
}
