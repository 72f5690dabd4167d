import { describe, expect, it } from 'vitest';
import { reference } from '../../connectors/sources/adapterFields.ts';
import { feedbackOf } from '../../pipelines/assemble/feedbackOf.ts';
import { isValidAction } from '../../pipelines/assemble/isValidAction.ts';
import { growConfigFromTree, growConfigOf, treeConfigOf } from '../../pipelines/grow/growConfig.ts';
import { emptyGrowTree, evolveGrowTree, type GrowTree } from '../../pipelines/grow/growTree.ts';
import { nextStep } from '../../pipelines/grow/nextStep.ts';
import { parseGrowYaml } from '../../pipelines/grow/parseGrowYaml.ts';
import { actorMessages, critiqueMessages } from '../../pipelines/grow/prompts.ts';
import { turnPlan } from '../../pipelines/grow/turnPlan.ts';
import { builtinStrategies } from '../../pipelines/strategies/builtinStrategies.ts';
import { strategyPresets } from '../../pipelines/strategies/strategyPresets.ts';
import { eventIdOf, treeIdOf } from '../../schemas/ids.ts';
import type { Instruction, TreeEvent, TreeEventPayload } from '../../schemas/types.ts';

const instruction: Instruction = {
  id: 'q1',
  task: 'Math_CoT',
  dataset: 'gsm8k',
  instruction: 'Solve the following math problem step-by-step.\nWhat is 6*7?',
  reference: reference({ answer: '42', solution: '6*7 = 42' }),
  metadata: {},
};
const config = growConfigOf({
  strong: 'big',
  weak: 'small',
  critic: 'judge',
  maxTurns: 3,
  resamples: 3,
  ladderRounds: 2,
  ladderSamples: 2,
  groundTruthAttempts: 1,
  wave: 2,
});

/** Builds a tree by appending events as the grower would. */
function builder() {
  const treeId = treeIdOf(instruction.id);
  let tree: GrowTree = emptyGrowTree(treeId);
  const add = (payload: TreeEventPayload) => {
    const nodeId = 'nodeId' in payload ? payload.nodeId : null;
    const e: TreeEvent = {
      eventId: eventIdOf(treeId, nodeId, payload.kind),
      treeId,
      seq: tree.nextSeq,
      time: 0,
      writer: 't',
      payload,
    };
    tree = evolveGrowTree(tree, e);
  };
  const b = {
    get tree() {
      return tree;
    },
    open() {
      add({ kind: 'TreeOpened', instruction, config: treeConfigOf(config), ownerGroup: null, leaseMs: null });
      return b;
    },
    sample(nodeId: string, turn: number, parentId: string | null = null) {
      add({
        kind: 'StrategySampled',
        nodeId,
        parentId,
        turn,
        strategy: 'chain-of-thought',
        model: 'big',
        role: 'strong',
        attempt: 0,
        params: { temperature: 1, topP: 1, maxTokens: 9, seed: 1 },
        prompt: [{ role: 'user', content: 'p' }],
        strategyPolicy: null,
      });
      return b;
    },
    exec(nodeId: string, correct: boolean | null, { failure = null as string | null } = {}) {
      add({
        kind: 'TurnExecuted',
        nodeId,
        action: `a ${nodeId}`,
        code: null,
        answer: null,
        syntaxOk: true,
        observation: '',
        promptTokens: 1,
        completionTokens: 1,
        latencyMs: 1,
        failure,
      });
      if (correct !== null)
        add({ kind: 'VerdictReached', nodeId, correct, grader: 'g', detail: '', graderVersion: '' });
      return b;
    },
    critique(nodeId: string) {
      add({
        kind: 'CritiqueEmitted',
        nodeId,
        critique: 'Step 2 is wrong.',
        model: 'judge',
        promptTokens: 1,
        completionTokens: 1,
        latencyMs: 1,
      });
      return b;
    },
    close() {
      add({ kind: 'TreeClosed', outcome: 'solved', reason: '' });
      return b;
    },
  };
  return b;
}
const step = (t: GrowTree) => nextStep(t, config);
const ids = (s: ReturnType<typeof nextStep>) => (s.kind === 'sample' ? s.specs.map((x) => x.nodeId) : s.kind);

describe('turnPlan', () => {
  it('plans the pair, then resample, ladder and ground-truth waves with deterministic ids', () => {
    const waves = turnPlan(config, 'Coding', 2);
    expect(waves.map((w) => w.map((s) => `${s.nodeId}:${s.role}:${s.model}`))).toEqual([
      ['t2.a0.0:weak:small', 't2.a0.1:strong:big'],
      ['t2.a1.0:resample:big', 't2.a2.0:resample:small'],
      ['t2.a3.0:resample:big'],
      ['t2.a4.0:ladder:small', 't2.a5.0:ladder:small'],
      ['t2.a6.0:ladder:big', 't2.a7.0:ladder:big'],
      ['t2.a8.0:ground-truth:big'],
    ]);
    // The default library: a turn's two slots take different strategies, each with its instruction.
    expect(waves[0][0].strategy).not.toBe(waves[0][1].strategy);
    for (const s of waves.flat())
      expect(s.plan).toBe(builtinStrategies.find((b) => b.name === s.strategy)!.instruction);
    // The ultrainteract preset: Coding's pair gets both of its strategies, Math_CoT only chain-of-thought.
    const paper = { ...config, strategies: strategyPresets.ultrainteract };
    expect(new Set(turnPlan(paper, 'Coding', 2)[0].map((s) => s.strategy))).toEqual(
      new Set(['chain-of-thought', 'modular-programming']),
    );
    expect(turnPlan(paper, 'Math_CoT', 1)[0].every((s) => s.strategy === 'chain-of-thought')).toBe(true);
  });
});

describe('nextStep', () => {
  it('opens, samples the pair, re-asks an intent without answer, judges an answer without verdict', () => {
    expect(step(builder().tree).kind).toBe('open');
    const b = builder().open();
    expect(ids(step(b.tree))).toEqual(['t1.a0.0', 't1.a0.1']);
    b.sample('t1.a0.0', 1).sample('t1.a0.1', 1).exec('t1.a0.0', true);
    const ask = step(b.tree);
    expect(ask.kind === 'pending' && ask.unanswered.map((n) => n.nodeId)).toEqual(['t1.a0.1']);
    expect(ask.kind === 'pending' && ask.unanswered[0].sampled!.prompt).toEqual([
      { role: 'user', content: 'p' },
    ]);
    b.exec('t1.a0.1', null);
    const judge = step(b.tree);
    expect(
      judge.kind === 'pending' && [judge.unanswered.length, judge.unjudged.map((n) => n.nodeId)],
    ).toEqual([0, ['t1.a0.1']]);
  });

  it('expands the first incorrect action of a turn with a pair, then samples the next turn under it', () => {
    const b = builder()
      .open()
      .sample('t1.a0.0', 1)
      .sample('t1.a0.1', 1)
      .exec('t1.a0.0', true)
      .exec('t1.a0.1', false);
    const s = step(b.tree);
    expect(s.kind === 'critique' && s.node.nodeId).toBe('t1.a0.1');
    b.critique('t1.a0.1');
    const next = step(b.tree);
    expect(next.kind === 'sample' && next.parentId).toBe('t1.a0.1');
    expect(ids(next)).toEqual(['t2.a0.0', 't2.a0.1']);
    expect(next.kind === 'sample' && next.ancestors.map((a) => a.nodeId)).toEqual(['t1.a0.1']);
  });

  it('closes as solved after a pair when expandAfterPair is off, and at the last turn', () => {
    const b = builder()
      .open()
      .sample('t1.a0.0', 1)
      .sample('t1.a0.1', 1)
      .exec('t1.a0.0', true)
      .exec('t1.a0.1', false);
    expect(nextStep(b.tree, { ...config, expandAfterPair: false })).toMatchObject({
      kind: 'close',
      outcome: 'solved',
    });
    const last = builder().open();
    last.sample('t1.a0.0', 1).sample('t1.a0.1', 1).exec('t1.a0.0', false).exec('t1.a0.1', false);
    expect(
      nextStep(last.tree, { ...config, maxTurns: 1, resamples: 0, ladderRounds: 0, groundTruthAttempts: 0 }),
    ).toMatchObject({
      kind: 'close',
      outcome: 'exhausted',
    });
  });

  it('climbs the fallbacks wave by wave while nothing is correct, and stops after the wave that found one', () => {
    const b = builder()
      .open()
      .sample('t1.a0.0', 1)
      .sample('t1.a0.1', 1)
      .exec('t1.a0.0', false)
      .exec('t1.a0.1', false);
    expect(ids(step(b.tree))).toEqual(['t1.a1.0', 't1.a2.0']);
    b.sample('t1.a1.0', 1).sample('t1.a2.0', 1).exec('t1.a1.0', false).exec('t1.a2.0', false);
    expect(ids(step(b.tree))).toEqual(['t1.a3.0']);
    b.sample('t1.a3.0', 1).exec('t1.a3.0', true);
    // A correct action came: expand the first incorrect one.
    const s = step(b.tree);
    expect(s.kind === 'critique' && s.node.nodeId).toBe('t1.a0.0');
  });

  it('finishes a wave that a crash left half-logged even if it already has a correct action', () => {
    const b = builder()
      .open()
      .sample('t1.a0.0', 1)
      .sample('t1.a0.1', 1)
      .exec('t1.a0.0', false)
      .exec('t1.a0.1', false);
    b.sample('t1.a1.0', 1).exec('t1.a1.0', true);
    expect(ids(step(b.tree))).toEqual(['t1.a2.0']);
  });

  it('fails a tree whose turn has no valid action, skips failed answers, ignores repeats and drops closed trees’ nodes', () => {
    const b = builder().open().sample('t1.a0.0', 1).sample('t1.a0.1', 1);
    b.exec('t1.a0.0', false, { failure: 'empty answer' }).exec('t1.a0.1', false, { failure: 'empty answer' });
    const none = { ...config, resamples: 0, ladderRounds: 0, groundTruthAttempts: 0 };
    expect(nextStep(b.tree, none)).toMatchObject({
      kind: 'close',
      outcome: 'failed',
      reason: 'no valid action at turn 1',
    });
    const before = b.tree;
    b.exec('t1.a0.0', true); // a repeat of a known fact
    expect(b.tree.nodes.get('t1.a0.0')!.verdict!.correct).toBe(false);
    expect(b.tree.nextSeq).toBe(before.nextSeq + 2);
    b.close();
    expect(b.tree.nodes.size).toBe(0);
    expect(b.tree.opened).toBeNull();
    expect(step(b.tree).kind).toBe('closed');
  });
});

describe('growConfig', () => {
  it('round-trips through TreeOpened.config and checks values naming the key', () => {
    expect(growConfigFromTree(treeConfigOf(config))).toEqual(config);
    const one = growConfigOf({ strong: 'm' });
    expect(one).toMatchObject({
      weak: 'm',
      critic: 'm',
      ladder: ['m'],
      maxTurns: 5,
      resamples: 20,
      expandAfterPair: true,
    });
    expect(() => growConfigOf({ strong: 'm', maxTurns: 0 })).toThrow(/maxTurns must be a whole number >= 1/);
    expect(() => growConfigOf({ strong: 'm', topP: 2 })).toThrow(/topP/);
    expect(() => growConfigOf({ strong: 'm', maxCallsPerTree: 0 })).toThrow(
      /maxCallsPerTree must be a whole number >= 1/,
    );
    expect(() => growConfigOf({ strong: 'm', criticTemperature: 3 })).toThrow(
      /criticTemperature must be in \[0, 2\]/,
    );
    // The cap and the critic's sampling are recorded on the tree; a tree opened before they existed reads back as it
    // grew: no cap, the critic at temperature 0.
    const capped = growConfigOf({ strong: 'm', maxCallsPerTree: 9, criticTemperature: 0.4, criticReasks: 1 });
    expect(growConfigFromTree(treeConfigOf(capped))).toEqual(capped);
    const old = treeConfigOf(growConfigOf({ strong: 'm' }));
    const { criticTemperature: _t, criticReasks: _r, ...oldParams } = old.params;
    expect(growConfigFromTree({ ...old, params: oldParams })).toMatchObject({
      maxCallsPerTree: null,
      criticTemperature: 0,
      criticReasks: 2,
    });
  });

  it('parses the YAML config and names a bad key', () => {
    const s = parseGrowYaml(
      'endpoints:\n  - name: local\n    baseUrl: http://127.0.0.1:1/v1\n    concurrency: 8\nactors:\n  strong: a\n  weak: b\ncritic: c\nmaxTurns: 3\nmaxCallsPerTree: 40\ncriticReasks: 1\nsampling:\n  temperature: 0.7\n  criticTemperature: 0.3\n',
      'grow.yaml',
    );
    expect(s.grow).toEqual({
      strong: 'a',
      weak: 'b',
      critic: 'c',
      maxTurns: 3,
      temperature: 0.7,
      maxCallsPerTree: 40,
      criticReasks: 1,
      criticTemperature: 0.3,
    });
    expect(s.endpoints![0]).toMatchObject({ name: 'local', concurrency: 8 });
    expect(() => parseGrowYaml('actors:\n  strong: a\n  wek: b\n', 'g.yaml')).toThrow(
      /g\.yaml: unknown key actors\.wek \(known here: strong, weak\)/,
    );
    expect(() => parseGrowYaml('maxTurns: five\n', 'g.yaml')).toThrow(/g\.yaml: maxTurns must be a number/);
    expect(() => parseGrowYaml('endpoints:\n  - name: x\n    apiKey: sk-1\n', 'g.yaml')).toThrow(
      /endpoints\[0\]\.apiKey: API keys are read only from the environment/,
    );
  });
});

describe('prompts', () => {
  it('lays out the history as UltraInteract does and gives the critic the ground truth', () => {
    const b = builder().open().sample('t1.a0.0', 1).exec('t1.a0.0', false).critique('t1.a0.0');
    const node = b.tree.nodes.get('t1.a0.0')!;
    expect(feedbackOf(node)).toBe('Your answer is wrong.\nStep 2 is wrong.');
    const msgs = actorMessages(instruction, [node], builtinStrategies[0].instruction, false);
    expect(msgs.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(msgs[1].content).toBe(instruction.instruction);
    expect(msgs[3].content).toBe('Your answer is wrong.\nStep 2 is wrong.');
    expect(msgs[0].content).toMatch(/Step 1:/);
    expect(msgs[0].content).not.toMatch(/42/);
    expect(actorMessages(instruction, [], builtinStrategies[0].instruction, true)[0].content).toMatch(
      /Answer: 42[\s\S]*6\*7 = 42/,
    );
    if (!isValidAction(node)) throw new Error('t1.a0.0 should be a valid action');
    const critic = critiqueMessages(instruction, [], node);
    expect(critic[1].content).toMatch(/Ground truth \(for you only\):\nAnswer: 42/);
    expect(critic[1].content).toMatch(/Student's latest answer:\na t1\.a0\.0/);
  });
});

describe('appendBatcher', () => {
  it('coalesces appends asked in one tick into one call, in order, and rejects them together', async () => {
    const { appendBatcher } = await import('../../pipelines/grow/appendBatcher.ts');
    const calls: number[][] = [];
    let fail = false;
    const append = appendBatcher(async (records: readonly number[]) => {
      calls.push([...records]);
      if (fail) throw new Error('disk full');
    });
    await Promise.all([append([1, 2]), append([3]), append([4, 5])]);
    await append([6]);
    expect(calls).toEqual([[1, 2, 3, 4, 5], [6]]);
    fail = true;
    const results = await Promise.allSettled([append([7]), append([8])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
