import { describe, expect, it } from 'vitest';
import { createFleetFold, DEFAULT_LEASE_MS } from '../../pipelines/status/createFleetFold.ts';
import { treeIdOf } from '../../schemas/ids.ts';
import type { Instruction, TreeEvent, TreeEventPayload } from '../../schemas/types.ts';

const instruction = (id: string): Instruction => ({
  id,
  task: 'Math_CoT',
  dataset: 'fleet-test',
  instruction: `Problem ${id}`,
  reference: { answer: '1', solution: null, tests: null, choices: null, entryPoint: null, testKind: null },
  metadata: {},
});
const opened = (id: string, group: string | null, leaseMs: number | null = null): TreeEventPayload => ({
  kind: 'TreeOpened',
  instruction: instruction(id),
  config: {
    maxTurns: 1,
    actorModels: [],
    criticModel: null,
    expandAfterPair: true,
    params: {},
    strategies: null,
  },
  ownerGroup: group,
  leaseMs,
});
const answer: TreeEventPayload = {
  kind: 'AnswerReceived',
  nodeId: 'n',
  text: 'x',
  promptTokens: 10,
  completionTokens: 5,
  latencyMs: 1,
  finishReason: 'stop',
  failure: null,
};
let seq = 0;
const event = (id: string, writer: string, time: number, payload: TreeEventPayload): TreeEvent => ({
  eventId: `${treeIdOf(id)}/${seq}`,
  treeId: treeIdOf(id),
  seq: seq++,
  time,
  writer,
  payload,
});

describe('fleet fold', () => {
  it('counts instructions, trees by state, writers, partitions and calls; complete once every tree is closed', () => {
    const fold = createFleetFold();
    for (const [id, p] of [
      ['a', 0],
      ['b', 1],
      ['c', 1],
    ] as const)
      fold.instruction(instruction(id), p);
    // A repeated instruction is one instruction.
    fold.instruction(instruction('a'), 0);
    fold.treeEvent(event('a', 'w1', 1000, opened('a', 'g')), 0);
    fold.treeEvent(event('a', 'w1', 1100, answer), 0);
    fold.treeEvent(event('b', 'w2', 1200, opened('b', 'g')), 1);
    fold.treeEvent(event('a', 'w1', 1300, { kind: 'TreeClosed', outcome: 'solved', reason: '' }), 0);
    let s = fold.status(2000);
    expect(s).toMatchObject({
      instructions: 3,
      waiting: 1,
      open: 1,
      closed: 1,
      solved: 1,
      failed: 0,
      calls: 1,
    });
    expect(s.promptTokens + s.completionTokens).toBe(15);
    expect(s.complete).toBe(false);
    expect(s.writers.map((w) => [w.writer, w.group, w.open, w.closed, w.calls])).toEqual([
      ['w1', 'g', 0, 1, 1],
      ['w2', 'g', 1, 0, 0],
    ]);
    expect(s.partitions.map((p) => [p.partition, p.instructions, p.open, p.closed])).toEqual([
      [0, 1, 0, 1],
      [1, 2, 1, 0],
    ]);
    // b taken over by w3 (a rebalance) and closed failed; c opened and closed.
    fold.treeEvent(
      event('b', 'w3', 1400, { kind: 'TreeClosed', outcome: 'failed', reason: 'no correct' }),
      1,
    );
    fold.treeEvent(event('c', 'w3', 1500, opened('c', 'g')), 1);
    expect(fold.status(2000).complete).toBe(false);
    fold.treeEvent(event('c', 'w3', 1600, { kind: 'TreeClosed', outcome: 'exhausted', reason: '' }), 1);
    s = fold.status(2000);
    expect(s).toMatchObject({
      open: 0,
      closed: 3,
      solved: 1,
      exhausted: 1,
      failed: 1,
      waiting: 0,
      complete: true,
    });
    // A reopened tree is open again: not complete.
    fold.treeEvent(event('b', 'w3', 1700, { kind: 'TreeReopened', generation: 1, reason: '' }), 1);
    expect(fold.status(2000).complete).toBe(false);
  });

  it('a tree is held by the group of its first TreeOpened while that group renews its lease', () => {
    const fold = createFleetFold();
    fold.treeEvent(event('t', 'b1', 1000, opened('t', 'gB', 5000)), 0);
    // A second group opening the same tree later does not take it.
    fold.treeEvent(event('t', 'c1', 1010, opened('t', 'gC')), 0);
    expect(fold.holder(treeIdOf('t'), 2000)).toEqual({ group: 'gB' });
    // gB's events on any of its trees renew the lease; without them it runs out after 5 s.
    expect(fold.holder(treeIdOf('t'), 6011)).toBeUndefined();
    fold.treeEvent(event('u', 'b2', 5500, opened('u', 'gB')), 1);
    expect(fold.holder(treeIdOf('t'), 6011)).toEqual({ group: 'gB' });
    const groups = fold.status(6011).groups;
    expect(groups.find((g) => g.group === 'gB')).toMatchObject({ live: true, open: 2, leaseMs: 5000 });
    // A tree opened with no lease recorded gets the default.
    const other = createFleetFold();
    other.treeEvent(event('v', 'x', 0, opened('v', null)), 0);
    expect(other.holder(treeIdOf('v'), DEFAULT_LEASE_MS - 1)).toEqual({ group: null });
    expect(other.holder(treeIdOf('v'), DEFAULT_LEASE_MS)).toBeUndefined();
    // A closed tree is nobody's.
    other.treeEvent(event('v', 'x', 1, { kind: 'TreeClosed', outcome: 'solved', reason: '' }), 0);
    expect(other.holder(treeIdOf('v'), 2)).toBeUndefined();
  });
});

describe('fleet fold: usage per model', () => {
  it("gives an answer's tokens to the model its StrategySampled names, a critique's to its own model", () => {
    const fold = createFleetFold();
    fold.instruction(instruction('m'), 0);
    fold.treeEvent(event('m', 'w1', 1000, opened('m', null)), 0);
    const sampled = (nodeId: string, model: string): TreeEventPayload => ({
      kind: 'StrategySampled',
      nodeId,
      parentId: null,
      turn: 1,
      strategy: 'chain-of-thought',
      model,
      role: 'actor',
      attempt: 0,
      params: { temperature: 1, topP: 1, maxTokens: 64, seed: null },
      prompt: [],
      strategyPolicy: null,
    });
    fold.treeEvent(event('m', 'w1', 1001, sampled('s', 'strong')), 0);
    fold.treeEvent(event('m', 'w1', 1002, sampled('n', 'weak')), 0);
    fold.treeEvent(
      event('m', 'w1', 1003, { ...answer, nodeId: 's', promptTokens: 100, completionTokens: 20 }),
      0,
    );
    fold.treeEvent(
      event('m', 'w1', 1004, { ...answer, nodeId: 'n', promptTokens: 7, completionTokens: 3 }),
      0,
    );
    fold.treeEvent(
      event('m', 'w1', 1005, {
        kind: 'CritiqueEmitted',
        nodeId: 'n',
        critique: 'Step 1 is wrong.',
        model: 'critic',
        promptTokens: 50,
        completionTokens: 9,
        latencyMs: 1,
      }),
      0,
    );
    expect(fold.status(2000).models).toEqual([
      { model: 'critic', calls: 1, promptTokens: 50, completionTokens: 9 },
      { model: 'strong', calls: 1, promptTokens: 100, completionTokens: 20 },
      { model: 'weak', calls: 1, promptTokens: 7, completionTokens: 3 },
    ]);
  });
});
