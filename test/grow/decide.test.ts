import { describe, expect, it } from 'vitest';
import { reference } from '../../connectors/sources/adapterFields.ts';
import { critiqueProblem } from '../../pipelines/grow/critiqueProblem.ts';
import { decide } from '../../pipelines/grow/decide.ts';
import type { GrowCommand } from '../../pipelines/grow/growCommand.ts';
import { type GrowConfig, growConfigOf, treeConfigOf } from '../../pipelines/grow/growConfig.ts';
import { emptyGrowTree, evolveGrowTree, type GrowTree } from '../../pipelines/grow/growTree.ts';
import { seedOf } from '../../pipelines/grow/seedOf.ts';
import { worstCaseCallsPerTree } from '../../pipelines/grow/worstCaseCallsPerTree.ts';
import { eventIdOf, treeIdOf } from '../../schemas/ids.ts';
import type { Instruction, TreeEventPayload } from '../../schemas/types.ts';

const instruction: Instruction = {
  id: 'q1',
  task: 'Math_CoT',
  dataset: 'gsm8k',
  instruction: 'What is 6*7?',
  reference: reference({ answer: '42', solution: '6*7 = 42' }),
  metadata: {},
};
const treeId = treeIdOf(instruction.id);
const config = growConfigOf({
  strong: 'big',
  weak: 'small',
  critic: 'judge',
  maxTurns: 3,
  resamples: 0,
  ladderRounds: 0,
  groundTruthAttempts: 0,
});

// Given/when/then over the pure decider: given these events, when decide, then these commands.
const given = (...payloads: TreeEventPayload[]): GrowTree =>
  payloads.reduce(
    (tree, payload, seq) =>
      evolveGrowTree(tree, {
        eventId: eventIdOf(treeId, 'nodeId' in payload ? payload.nodeId : null, payload.kind),
        treeId,
        seq,
        time: 0,
        writer: 't',
        payload,
      }),
    emptyGrowTree(treeId),
  );
const when = (tree: GrowTree, c: GrowConfig = config) => decide(tree, c);
/** Commands in a short form: kind, node and what matters of each. */
const brief = (cs: readonly GrowCommand[]) =>
  cs.map((c) => {
    switch (c.kind) {
      case 'open':
        return 'open';
      case 'append':
        return `append ${c.payloads.map((p) => `${p.kind}${'nodeId' in p ? `:${p.nodeId}` : ''}`).join(',')}`;
      case 'ask':
        return `ask ${c.nodeId}`;
      case 'judge':
        return `judge ${c.nodeId}${c.first ? ' first' : ''}`;
      case 'critique':
        return `critique ${c.nodeId} #${c.attempt}`;
      default:
        return 'unknown';
    }
  });

const opened = (c: GrowConfig = config): TreeEventPayload => ({
  kind: 'TreeOpened',
  ownerGroup: null,
  leaseMs: null,
  instruction,
  config: treeConfigOf(c),
});
const sampled = (nodeId: string, turn = 1, parentId: string | null = null): TreeEventPayload => ({
  kind: 'StrategySampled',
  nodeId,
  parentId,
  turn,
  strategy: 'chain-of-thought',
  model: nodeId.endsWith('.0') ? 'small' : 'big',
  role: nodeId.endsWith('.0') ? 'weak' : 'strong',
  attempt: 0,
  params: { temperature: 1, topP: 1, maxTokens: 9, seed: 5 },
  prompt: [{ role: 'user', content: `p ${nodeId}` }],
  strategyPolicy: null,
});
const answered = (nodeId: string, failure: string | null = null): TreeEventPayload => ({
  kind: 'AnswerReceived',
  nodeId,
  text: failure ? '' : `a ${nodeId}`,
  promptTokens: 3,
  completionTokens: 4,
  latencyMs: 5,
  finishReason: failure ? 'length' : 'stop',
  failure,
});
const executed = (nodeId: string): TreeEventPayload => ({
  kind: 'TurnExecuted',
  nodeId,
  action: `a ${nodeId}`,
  code: null,
  answer: null,
  syntaxOk: true,
  observation: '',
  promptTokens: 3,
  completionTokens: 4,
  latencyMs: 5,
  failure: null,
});
const verdict = (nodeId: string, correct: boolean): TreeEventPayload => ({
  kind: 'VerdictReached',
  nodeId,
  correct,
  grader: 'math',
  detail: '',
  graderVersion: '',
});
const judged = (nodeId: string, correct: boolean) => [
  answered(nodeId),
  executed(nodeId),
  verdict(nodeId, correct),
];
const rejected = (nodeId: string, attempt: number, reason = 'empty critique'): TreeEventPayload => ({
  kind: 'CritiqueRejected',
  nodeId,
  attempt,
  critique: '',
  model: 'judge',
  reason,
  promptTokens: 1,
  completionTokens: 0,
  latencyMs: 1,
  finishReason: 'stop',
});
const turn1 = [opened(), sampled('t1.a0.0'), sampled('t1.a0.1')];
/** A healthy endpoint's unusable answer, judged: an invalid action. */
const failedJudgement = (nodeId: string): TreeEventPayload[] => [
  {
    ...(executed(nodeId) as TreeEventPayload & { kind: 'TurnExecuted' }),
    action: '',
    failure: 'empty answer',
  },
  {
    kind: 'VerdictReached',
    nodeId,
    correct: false,
    grader: 'none',
    detail: 'no usable answer: empty answer',
    graderVersion: '',
  },
];

describe('decide', () => {
  it('given nothing, opens; given an open tree, logs the intents of the pair with prompts and seeds', () => {
    expect(brief(when(given()))).toEqual(['open']);
    const [cmd] = when(given(opened()));
    expect(brief([cmd])).toEqual(['append StrategySampled:t1.a0.0,StrategySampled:t1.a0.1']);
    const intents = cmd.kind === 'append' ? cmd.payloads : [];
    expect(intents[1]).toMatchObject({
      model: 'big',
      role: 'strong',
      params: { seed: seedOf(treeId, 't1.a0.1') },
    });
    expect(intents[1].kind === 'StrategySampled' && intents[1].prompt.at(-1)!.content).toBe('What is 6*7?');
  });

  it('given intents, asks both with their logged prompt; given the second answer first, judges it but not first', () => {
    const ask = when(given(...turn1));
    expect(brief(ask)).toEqual(['ask t1.a0.0', 'ask t1.a0.1']);
    expect(ask[0].kind === 'ask' && ask[0].call).toMatchObject({
      model: 'small',
      messages: [{ role: 'user', content: 'p t1.a0.0' }],
      seed: 5,
      requestId: `${treeId}/t1.a0.0`,
    });
    // Answers are logged in arrival order; judgements in plan order.
    expect(brief(when(given(...turn1, answered('t1.a0.1'))))).toEqual(['ask t1.a0.0', 'judge t1.a0.1']);
    expect(brief(when(given(...turn1, answered('t1.a0.1'), answered('t1.a0.0'))))).toEqual([
      'judge t1.a0.0 first',
      'judge t1.a0.1',
    ]);
  });

  it('given an answer a healthy endpoint could not give, logs a failed action without judging', () => {
    const cmds = when(given(...turn1, answered('t1.a0.0', 'answer cut at the max_tokens limit')));
    expect(brief(cmds)).toEqual(['ask t1.a0.1', 'append TurnExecuted:t1.a0.0,VerdictReached:t1.a0.0']);
    expect(cmds[1]).toEqual({
      kind: 'append',
      payloads: [
        expect.objectContaining({
          kind: 'TurnExecuted',
          nodeId: 't1.a0.0',
          failure: 'answer cut at the max_tokens limit',
        }),
        expect.objectContaining({
          kind: 'VerdictReached',
          nodeId: 't1.a0.0',
          correct: false,
          grader: 'none',
        }),
      ],
    });
  });

  it('given an older log with TurnExecuted but no verdict, judges it again for the verdict only', () => {
    const cmds = when(given(...turn1, executed('t1.a0.0')));
    expect(brief(cmds)).toEqual(['ask t1.a0.1', 'judge t1.a0.0 first']);
    expect(cmds[1]).toMatchObject({ kind: 'judge', nodeId: 't1.a0.0', first: true, verdictOnly: true });
  });

  it('given a judged pair, critiques the incorrect action at the critic temperature, with the gold for the gate', () => {
    const tree = given(...turn1, ...judged('t1.a0.0', false), ...judged('t1.a0.1', true));
    const [cmd] = when(tree);
    expect(cmd).toMatchObject({
      kind: 'critique',
      nodeId: 't1.a0.0',
      attempt: 0,
      gold: '42',
      call: { model: 'judge', temperature: 0.7, requestId: `${treeId}/t1.a0.0/critique` },
    });
    expect(when(tree, { ...config, criticTemperature: 0.2 })[0]).toMatchObject({
      call: { temperature: 0.2 },
    });
  });

  it('given rejected critiques, asks again with a new seed and the reason, then gives up after criticReasks', () => {
    const base = [...turn1, ...judged('t1.a0.0', false), ...judged('t1.a0.1', true)];
    const [again] = when(given(...base, rejected('t1.a0.0', 0, 'states the reference answer (42)')));
    expect(again).toMatchObject({
      kind: 'critique',
      attempt: 1,
      call: { requestId: `${treeId}/t1.a0.0/critique/1`, seed: seedOf(treeId, 't1.a0.0/critique/1') },
    });
    expect(again.kind === 'critique' && again.call.messages.at(-1)!.content).toContain(
      'Your previous critique was rejected: states the reference answer (42).',
    );
    const spent = given(...base, rejected('t1.a0.0', 0), rejected('t1.a0.0', 1), rejected('t1.a0.0', 2));
    expect(when(spent)).toEqual([
      {
        kind: 'append',
        payloads: [
          {
            kind: 'TreeClosed',
            outcome: 'solved',
            reason:
              'critic gave no usable critique of t1.a0.0 in 3 attempt(s) (last: empty critique); not expanded',
          },
        ],
      },
    ]);
  });

  it('given the call cap is reached, closes exhausted naming the cap instead of asking', () => {
    const capped = { ...config, maxCallsPerTree: 2 };
    const tree = given(
      opened(capped),
      sampled('t1.a0.0'),
      sampled('t1.a0.1'),
      ...judged('t1.a0.0', false),
      ...judged('t1.a0.1', true),
    );
    expect(when(tree, capped)).toEqual([
      {
        kind: 'append',
        payloads: [
          { kind: 'TreeClosed', outcome: 'exhausted', reason: 'maxCallsPerTree 2 reached at turn 1' },
        ],
      },
    ]);
    expect(brief(when(given(opened(capped)), { ...config, maxCallsPerTree: 1 }))).toEqual([
      'append TreeClosed',
    ]);
    expect(brief(when(tree, { ...config, maxCallsPerTree: 3 }))).toEqual(['critique t1.a0.0 #0']);
  });

  it('given a closed tree, nothing', () => {
    expect(when(given(opened(), { kind: 'TreeClosed', outcome: 'solved', reason: '' }))).toEqual([]);
  });

  it('given a tree closed failed, reopens it only when told, and regrows it with new node ids and seeds', () => {
    const failedClose: TreeEventPayload = {
      kind: 'TreeClosed',
      outcome: 'failed',
      reason: 'no valid action at turn 1',
    };
    const failedGrowth = [
      ...turn1,
      answered('t1.a0.0', 'empty answer'),
      answered('t1.a0.1', 'empty answer'),
      ...failedJudgement('t1.a0.0'),
      ...failedJudgement('t1.a0.1'),
    ];
    // The grower's own rule closes it failed; without --retry-failed it stays closed.
    expect(brief(when(given(...failedGrowth)))).toEqual(['append TreeClosed']);
    const failed = given(...failedGrowth, failedClose);
    expect(failed.reopenable).toBe(true);
    expect(when(failed)).toEqual([]);
    const reopen = decide(failed, config, { reopen: true });
    expect(reopen).toEqual([
      {
        kind: 'append',
        payloads: [
          {
            kind: 'TreeReopened',
            generation: 1,
            reason: 'retry-failed: closed failed (no valid action at turn 1)',
          },
        ],
      },
    ]);
    const reopenEvent = (reopen[0] as Extract<GrowCommand, { kind: 'append' }>).payloads[0];
    const regrowing = given(...failedGrowth, failedClose, reopenEvent);
    expect(regrowing.closed).toBeNull();
    expect(regrowing.generation).toBe(1);
    expect(regrowing.nodes.size).toBe(0);
    const intents = when(regrowing);
    expect(brief(intents)).toEqual(['append StrategySampled:g1.t1.a0.0,StrategySampled:g1.t1.a0.1']);
    const seeds = (intents[0] as Extract<GrowCommand, { kind: 'append' }>).payloads.map((p) =>
      p.kind === 'StrategySampled' ? p.params.seed : null,
    );
    expect(seeds).toEqual([seedOf(treeId, 'g1.t1.a0.0'), seedOf(treeId, 'g1.t1.a0.1')]);
    expect(seeds).not.toContain(seedOf(treeId, 't1.a0.0'));
    // Open again, it is not reopened again; a repeat of the reopen or of the first growth's facts changes nothing.
    expect(decide(regrowing, config, { reopen: true })).toEqual(intents);
    const tree = given(...failedGrowth, failedClose, reopenEvent);
    const stale = evolveGrowTree(
      evolveGrowTree(tree, {
        eventId: 'x',
        treeId,
        seq: 1,
        time: 0,
        writer: 't',
        payload: sampled('t1.a0.0'),
      }),
      { eventId: 'y', treeId, seq: 9, time: 0, writer: 't', payload: failedClose },
    );
    expect(stale.closed).toBeNull();
    expect(stale.nodes.size).toBe(0);
  });

  it('given a reopened tree that closed failed again, reopens it for the next generation; never a tree with a correct action', () => {
    const again = given(
      ...turn1,
      ...failedJudgement('t1.a0.0'),
      ...failedJudgement('t1.a0.1'),
      { kind: 'TreeClosed', outcome: 'failed', reason: 'first' },
      { kind: 'TreeReopened', generation: 1, reason: '' },
      sampled('g1.t1.a0.0'),
      sampled('g1.t1.a0.1'),
      ...failedJudgement('g1.t1.a0.0'),
      ...failedJudgement('g1.t1.a0.1'),
      { kind: 'TreeClosed', outcome: 'failed', reason: 'second' },
    );
    expect(again.reopenable).toBe(true);
    expect(decide(again, config, { reopen: true })).toEqual([
      {
        kind: 'append',
        payloads: [{ kind: 'TreeReopened', generation: 2, reason: 'retry-failed: closed failed (second)' }],
      },
    ]);
    // An older log's tree closed failed after a correct action (the old grower, when the critic failed): its rows
    // are decided, so it is not reopened.
    const withRows = given(...turn1, ...judged('t1.a0.0', false), ...judged('t1.a0.1', true), {
      kind: 'TreeClosed',
      outcome: 'failed',
      reason: 'critic failed on t1.a0.0',
    });
    expect(withRows.reopenable).toBe(false);
    expect(decide(withRows, config, { reopen: true })).toEqual([]);
    expect(
      decide(given(opened(), { kind: 'TreeClosed', outcome: 'exhausted', reason: '' }), config, {
        reopen: true,
      }),
    ).toEqual([]);
  });
});

describe('worstCaseCallsPerTree', () => {
  it('counts the pair, every fallback and the critiques with their re-asks, per turn; capped by maxCallsPerTree', () => {
    const d = growConfigOf({ strong: 'm' });
    // 5 turns × (2 + 20 resamples + 3×4 ladder + 2 ground truth) + 4 expansions × (1 + 2 re-asks).
    expect(worstCaseCallsPerTree(d)).toBe(5 * 36 + 4 * 3);
    expect(worstCaseCallsPerTree({ ...d, maxCallsPerTree: 50 })).toBe(50);
    expect(worstCaseCallsPerTree(config)).toBe(3 * 2 + 2 * 3);
  });
});

describe('critiqueProblem', () => {
  it('rejects cut, empty, looping and answer-giving critiques, and passes a plain one', () => {
    const ok = { text: 'Step 2 multiplies wrongly; redo the product.', finishReason: 'stop' };
    expect(critiqueProblem(ok, '42')).toBeNull();
    expect(critiqueProblem({ ...ok, finishReason: 'length' }, '42')).toMatch(/max_tokens/);
    expect(critiqueProblem({ text: '  ', finishReason: 'stop' }, '42')).toBe('empty critique');
    const loop = 'Check the product again. '.repeat(3);
    expect(critiqueProblem({ text: loop, finishReason: 'stop' }, null)).toMatch(/repeats a sentence 3 times/);
    expect(critiqueProblem({ text: 'The product is $42$.', finishReason: 'stop' }, '42')).toMatch(
      /reference answer/,
    );
    expect(critiqueProblem({ text: 'It should be \\boxed{42}', finishReason: 'stop' }, '42')).toMatch(
      /reference/,
    );
    expect(critiqueProblem({ text: 'You get 42.', finishReason: 'stop' }, '42')).toMatch(/reference/);
    // A step number is not the answer; other numbers are not either.
    expect(
      critiqueProblem({ text: 'Step 2 is wrong: 6*7 is not 48.', finishReason: 'stop' }, '2'),
    ).toBeNull();
    expect(critiqueProblem({ text: 'Recount: 420 is too big.', finishReason: 'stop' }, '42')).toBeNull();
    // Code and logic are not checked for the answer.
    expect(critiqueProblem({ text: 'The answer is 42.', finishReason: 'stop' }, null)).toBeNull();
  });
});
