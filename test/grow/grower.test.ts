import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIClient } from '../../connectors/llm/createOpenAIClient.ts';
import type { Budget } from '../../connectors/llm/endpointConfig.ts';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { pairsOf } from '../../pipelines/assemble/pairsOf.ts';
import { treeOf } from '../../pipelines/assemble/treeOf.ts';
import type { ActionJudge } from '../../pipelines/grow/actionJudge.ts';
import { createGrower } from '../../pipelines/grow/createGrower.ts';
import { decide } from '../../pipelines/grow/decide.ts';
import { type GrowConfig, growConfigOf, treeConfigOf } from '../../pipelines/grow/growConfig.ts';
import { emptyGrowTree, evolveGrowTree } from '../../pipelines/grow/growTree.ts';
import { eventIdOf, treeIdOf } from '../../schemas/ids.ts';
import type { Instruction, TreeEvent } from '../../schemas/types.ts';
import { type ScriptedRequest, type ScriptReply, startScriptedOpenAI } from '../support/scriptedOpenAI.ts';
import { waitFor } from '../support/waitFor.ts';
import { arithmeticActor, arithmeticInstructions, isCritique } from './arithmeticActor.ts';
import { realJudge } from './realJudge.ts';

let dir: string;
let judge: { judge: ActionJudge; close(): Promise<void> };
const cleanup: (() => Promise<void>)[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arb-grow-'));
  judge = await realJudge();
});
afterAll(async () => {
  await judge.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

let n = 0;
async function setup(
  reply: (r: ScriptedRequest) => ScriptReply,
  grow: Partial<GrowConfig> = {},
  budget: Budget = {},
) {
  const server = await startScriptedOpenAI({ reply });
  const logDir = join(dir, `log-${n++}`);
  let log: EventLog = createFileEventLog({ dir: logDir, fsync: 'never' });
  cleanup.push(async () => {
    await log.close();
    await server.close();
  });
  const config = growConfigOf({ strong: 'strong', weak: 'weak', critic: 'critic', maxTurns: 3, ...grow });
  const make = async (b: Budget = budget, more: { retryFailed?: boolean } = {}) => {
    const llm = createOpenAIClient({
      endpoints: [{ name: 'scripted', baseUrl: server.baseUrl, concurrency: 8 }],
      budget: b,
    });
    const grower = createGrower({ log, llm, judge: judge.judge, config, writer: 'test', trees: 4, ...more });
    await grower.load();
    return { grower, llm };
  };
  const events = async () =>
    (await lastValueFrom(log.read(topics.treeEvents).pipe(toArray()))).map((r) => r.value);
  const reopen = async () => {
    await log.close();
    log = createFileEventLog({ dir: logDir, fsync: 'never' });
  };
  return {
    server,
    make,
    events,
    reopen,
    get log() {
      return log;
    },
  };
}
const source = (xs: Instruction[]) =>
  (async function* () {
    yield* xs;
  })();
const kinds = (events: TreeEvent[]) =>
  events.map((e) => `${e.payload.kind}${'nodeId' in e.payload ? `:${e.payload.nodeId}` : ''}`);
const say = (value: number | string) => ({ content: `Step 1: add.\nAnswer:\n\\boxed{${value}}` });
const sumOf = (r: ScriptedRequest) => {
  const m = /What is (\d+) \+ (\d+)\?/.exec(r.messages.find((x) => x.role === 'user')!.content)!;
  return Number(m[1]) + Number(m[2]);
};
const critiques = (r: ScriptedRequest) =>
  r.messages.filter((m) => m.content.includes('Your answer is wrong.')).length;

describe('createGrower', () => {
  it('grows a tree turn by turn: pair, critique of the incorrect action, its history in the next prompt', async () => {
    const [inst] = arithmeticInstructions(1);
    const t = await setup((r) =>
      isCritique(r)
        ? { content: 'Step 1 adds wrongly.' }
        : say(r.model === 'strong' ? sumOf(r) : sumOf(r) + 1),
    );
    const { grower } = await t.make();
    expect(await grower.run(source([inst]))).toBeNull();
    const all = await t.events();
    // Each answer is logged before anything is done with it: its AnswerReceived comes before its judgement.
    const at = (kind: string, nodeId: string) =>
      all.findIndex((e) => e.payload.kind === kind && 'nodeId' in e.payload && e.payload.nodeId === nodeId);
    const answers = all.filter((e) => e.payload.kind === 'AnswerReceived');
    expect(answers).toHaveLength(6);
    for (const a of answers) {
      const nodeId = (a.payload as { nodeId: string }).nodeId;
      expect(at('AnswerReceived', nodeId)).toBeLessThan(at('TurnExecuted', nodeId));
      expect(at('StrategySampled', nodeId)).toBeLessThan(at('AnswerReceived', nodeId));
    }
    expect(answers[0].payload).toMatchObject({ finishReason: 'stop', failure: null });
    const events = all.filter((e) => e.payload.kind !== 'AnswerReceived');
    expect(kinds(events)).toEqual([
      'TreeOpened',
      'StrategySampled:t1.a0.0',
      'StrategySampled:t1.a0.1',
      'TurnExecuted:t1.a0.0',
      'VerdictReached:t1.a0.0',
      'TurnExecuted:t1.a0.1',
      'VerdictReached:t1.a0.1',
      'CritiqueEmitted:t1.a0.0',
      'StrategySampled:t2.a0.0',
      'StrategySampled:t2.a0.1',
      'TurnExecuted:t2.a0.0',
      'VerdictReached:t2.a0.0',
      'TurnExecuted:t2.a0.1',
      'VerdictReached:t2.a0.1',
      'CritiqueEmitted:t2.a0.0',
      'StrategySampled:t3.a0.0',
      'StrategySampled:t3.a0.1',
      'TurnExecuted:t3.a0.0',
      'VerdictReached:t3.a0.0',
      'TurnExecuted:t3.a0.1',
      'VerdictReached:t3.a0.1',
      'TreeClosed',
    ]);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i));
    expect(new Set(all.map((e) => e.eventId)).size).toBe(all.length);
    expect(events.every((e) => e.treeId === treeIdOf(inst.id) && e.writer === 'test')).toBe(true);
    const t2 = events.find((e) => e.payload.kind === 'StrategySampled' && e.payload.nodeId === 't2.a0.0')!
      .payload as any;
    expect(t2).toMatchObject({ parentId: 't1.a0.0', turn: 2, model: 'weak', role: 'weak' });
    expect(t2.prompt.at(-1).content).toBe('Your answer is wrong.\nStep 1 adds wrongly.');
    expect(t2.prompt.at(-2)).toEqual({
      role: 'assistant',
      content: say(sumOf({ messages: t2.prompt } as any) + 1).content,
    });
    expect(events.at(-1)!.payload).toMatchObject({ kind: 'TreeClosed', outcome: 'solved' });
    // The critic saw the ground truth; nothing was asked twice.
    const critic = t.server.requests.filter(isCritique);
    expect(critic).toHaveLength(2);
    expect(critic[0].messages[1].content).toContain(`Answer: ${inst.reference.answer}`);
    const ids = t.server.requests.map((r) => r.requestId);
    expect(new Set(ids).size).toBe(ids.length);
    // The assemble engine reads the same tree: one pair per turn, chosen from strong, rejected from weak.
    const pairs = pairsOf(treeOf(events[0].treeId, events));
    expect(pairs.map((p) => [p.turn, p.chosenModel, p.rejectedModel])).toEqual([
      [1, 'strong', 'weak'],
      [2, 'strong', 'weak'],
      [3, 'strong', 'weak'],
    ]);
    expect(grower.stats()).toMatchObject({ solved: 1, pairs: 3, calls: 8 });
  });

  it('with no correct action climbs resample, ladder and ground-truth waves, stopping after the wave that finds one', async () => {
    const [inst] = arithmeticInstructions(1);
    const t = await setup(
      (r) => {
        if (isCritique(r)) return { content: 'No.' };
        const given = r.messages[0].content.includes('A reference solution is given below');
        return say(given ? sumOf(r) : sumOf(r) + 2);
      },
      {
        maxTurns: 1,
        resamples: 3,
        ladderRounds: 2,
        ladderSamples: 2,
        groundTruthAttempts: 3,
        wave: 2,
        ladder: ['weak', 'strong', 'oracle'],
      },
    );
    const { grower } = await t.make();
    await grower.run(source([inst]));
    const sampled = (await t.events())
      .filter((e) => e.payload.kind === 'StrategySampled')
      .map((e) => e.payload as any);
    expect(sampled.map((s) => `${s.nodeId}:${s.role}:${s.model}`)).toEqual([
      't1.a0.0:weak:weak',
      't1.a0.1:strong:strong',
      't1.a1.0:resample:strong',
      't1.a2.0:resample:weak',
      't1.a3.0:resample:strong',
      't1.a4.0:ladder:weak',
      't1.a5.0:ladder:weak',
      't1.a6.0:ladder:strong',
      't1.a7.0:ladder:strong',
      't1.a8.0:ground-truth:strong',
      't1.a9.0:ground-truth:strong',
    ]);
    expect(sampled.at(-1).prompt[0].content).toContain(`Answer: ${inst.reference.answer}`);
    const events = await t.events();
    expect(events.at(-1)!.payload).toMatchObject({ kind: 'TreeClosed', outcome: 'solved' });
    expect(pairsOf(treeOf(events[0].treeId, events))).toHaveLength(2);
  });

  it('records an empty or malformed answer as a failed action and the tree goes on', async () => {
    const [inst] = arithmeticInstructions(1);
    const t = await setup(
      (r) =>
        isCritique(r)
          ? { content: 'No.' }
          : r.model === 'weak'
            ? critiques(r)
              ? { raw: '{oops' }
              : { content: '' }
            : say(sumOf(r)),
      { maxTurns: 2, resamples: 0, ladderRounds: 0, groundTruthAttempts: 0 },
    );
    const { grower } = await t.make();
    await grower.run(source([inst]));
    const events = await t.events();
    const failed = events
      .filter((e) => e.payload.kind === 'TurnExecuted' && e.payload.failure)
      .map((e) => e.payload as any);
    expect(failed.map((f) => [f.nodeId, f.failure])).toEqual([['t1.a0.0', 'empty answer']]);
    // Only correct actions at turn 1 (the failed one is not valid): solved, not expanded.
    expect(events.at(-1)!.payload).toMatchObject({
      kind: 'TreeClosed',
      outcome: 'solved',
      reason: 'only correct actions at turn 1',
    });
  });

  it('closes after the pair when expandAfterPair is off', async () => {
    const [inst] = arithmeticInstructions(1);
    const t = await setup((r) => say(r.model === 'strong' ? sumOf(r) : 0), { expandAfterPair: false });
    const { grower } = await t.make();
    expect(await grower.run(source([inst]))).toBeNull();
    const events = await t.events();
    expect(events.some((e) => e.payload.kind === 'CritiqueEmitted')).toBe(false);
    expect(events.at(-1)!.payload).toMatchObject({ kind: 'TreeClosed', outcome: 'solved' });
  });

  it('stops cleanly at the budget and a later run finishes without asking any answered prompt again', async () => {
    const insts = arithmeticInstructions(6);
    const t = await setup(arithmeticActor({ skill: { strong: 0.6, weak: 0.3 } }), {
      resamples: 2,
      ladderRounds: 1,
      ladderSamples: 2,
      groundTruthAttempts: 1,
      wave: 2,
    });
    const first = await t.make({ maxTokens: 1500 });
    const stopped = await first.grower.run(source(insts));
    expect(stopped?.code).toBe('BUDGET_EXHAUSTED');
    const before = await t.events();
    const answered = new Set(
      before
        .filter((e) => e.payload.kind === 'TurnExecuted' || e.payload.kind === 'CritiqueEmitted')
        .map((e) => {
          const p = e.payload as { kind: string; nodeId: string };
          return `${e.treeId}/${p.nodeId}${p.kind === 'CritiqueEmitted' ? '/critique' : ''}`;
        }),
    );
    expect(answered.size).toBeGreaterThan(0);
    expect(before.filter((e) => e.payload.kind === 'TreeClosed').length).toBeLessThan(6);
    const asked = t.server.requests.length;
    await t.reopen();
    const second = await t.make({});
    expect(await second.grower.run(source(insts))).toBeNull();
    const again = t.server.requests.slice(asked).filter((r) => answered.has(r.requestId!));
    expect(again.map((r) => r.requestId)).toEqual([]);
    const after = await t.events();
    expect(after.filter((e) => e.payload.kind === 'TreeClosed')).toHaveLength(6);
    // Events of one tree keep a contiguous seq across the two runs.
    for (const id of new Set(after.map((e) => e.treeId))) {
      const seqs = after.filter((e) => e.treeId === id).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i));
    }
    // A third run has nothing to do.
    const third = await t.make({});
    const count = t.server.requests.length;
    await third.grower.run(source(insts));
    expect(t.server.requests.length).toBe(count);
    expect(third.grower.stats().skipped).toBe(6);
  });

  it('re-asks an intent left without its answer once, with the logged prompt', async () => {
    const [inst] = arithmeticInstructions(1);
    const t = await setup(arithmeticActor(), { maxTurns: 1 });
    // A grower whose endpoint never answers logs the intents, then stops: as a crash right after them would.
    const probe = await startScriptedOpenAI({ reply: () => ({ hang: true }) });
    cleanup.push(() => probe.close());
    const hung = createGrower({
      log: t.log,
      llm: createOpenAIClient({
        endpoints: [{ name: 'p', baseUrl: probe.baseUrl, timeoutMs: 200, maxRetries: 0 }],
      }),
      judge: judge.judge,
      config: growConfigOf({ strong: 'strong', weak: 'weak', critic: 'critic', maxTurns: 1 }),
      writer: 'crashed',
    });
    await hung.load();
    expect((await hung.run(source([inst])))?.code).toBe('LLM_FAILED');
    const intents = (await t.events())
      .filter((e) => e.payload.kind === 'StrategySampled')
      .map((e) => e.payload as any);
    expect(intents.map((s) => s.nodeId)).toEqual(['t1.a0.0', 't1.a0.1']);
    const { grower } = await t.make();
    await grower.run(source([]));
    const wanted = new Set(intents.map((i) => `${treeIdOf(inst.id)}/${i.nodeId}`));
    const asked = t.server.requests.filter((r) => wanted.has(r.requestId!));
    expect(asked.map((r) => r.requestId).sort()).toEqual([...wanted].sort());
    for (const r of asked) {
      const s = intents.find((i) => r.requestId!.endsWith(i.nodeId));
      expect(r.messages).toEqual(s.prompt);
      expect(r.body.seed).toBe(s.params.seed);
    }
    expect(grower.stats().reasked).toBe(2);
  });
});

describe('createGrower: faults, stop, caps and the critique gate', () => {
  /** Critique requests by attempt (request ids `…/critique`, `…/critique/1`, …). */
  const attemptOf = (r: ScriptedRequest) =>
    Number(/\/critique(?:\/(\d+))?$/.exec(r.requestId ?? '')?.[1] ?? 0);
  const lengthCut = (r: ScriptedRequest): ScriptReply => ({
    body: {
      id: 'x',
      object: 'chat.completion',
      created: 0,
      model: r.model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Step 1 is' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 10, completion_tokens: 1024, total_tokens: 1034 },
    },
  });

  it('re-asks a critique that gives the answer away or is cut at max_tokens, and uses the first good one', async () => {
    const [inst] = arithmeticInstructions(1);
    const t = await setup(
      (r) => {
        if (!isCritique(r)) return say(r.model === 'strong' ? sumOf(r) : sumOf(r) + 1);
        const attempt = attemptOf(r);
        if (attempt === 0) return { content: `Step 1 is wrong: the sum is \\boxed{${sumOf(r)}}.` };
        if (attempt === 1) return lengthCut(r);
        return { content: 'Step 1 adds wrongly; add the units again.' };
      },
      { maxTurns: 2 },
    );
    const { grower } = await t.make();
    expect(await grower.run(source([inst]))).toBeNull();
    const events = await t.events();
    const rejections = events
      .filter((e) => e.payload.kind === 'CritiqueRejected')
      .map((e) => e.payload as any);
    expect(rejections.map((r) => [r.nodeId, r.attempt, r.reason])).toEqual([
      ['t1.a0.0', 0, `states the reference answer (${inst.reference.answer})`],
      ['t1.a0.0', 1, 'answer cut at the max_tokens limit'],
    ]);
    expect(rejections[1].finishReason).toBe('length');
    const critique = events.find((e) => e.payload.kind === 'CritiqueEmitted')!.payload as any;
    expect(critique.critique).toBe('Step 1 adds wrongly; add the units again.');
    const t2 = events.find((e) => e.payload.kind === 'StrategySampled' && e.payload.nodeId === 't2.a0.0')!
      .payload as any;
    expect(t2.prompt.at(-1).content).toBe('Your answer is wrong.\nStep 1 adds wrongly; add the units again.');
    const asked = t.server.requests.filter(isCritique);
    expect(asked.map((r) => r.body.temperature)).toEqual([0.7, 0.7, 0.7]);
    expect(asked.map(attemptOf)).toEqual([0, 1, 2]);
    // Rejected critiques decide nothing: the export sees one expansion, as if the good one had come first.
    const pairs = pairsOf(treeOf(events[0].treeId, events));
    expect(pairs).toHaveLength(2);
    expect(grower.stats().calls).toBe(4 + 3);
  });

  it('after criticReasks rejected critiques the node is not expanded and the tree closes', async () => {
    const [inst] = arithmeticInstructions(1);
    const t = await setup(
      (r) => (isCritique(r) ? { content: '' } : say(r.model === 'strong' ? sumOf(r) : sumOf(r) + 1)),
      { criticReasks: 1 },
    );
    const { grower } = await t.make();
    expect(await grower.run(source([inst]))).toBeNull();
    const events = await t.events();
    expect(events.filter((e) => e.payload.kind === 'CritiqueRejected')).toHaveLength(2);
    expect(events.some((e) => e.payload.kind === 'CritiqueEmitted')).toBe(false);
    expect(events.at(-1)!.payload).toMatchObject({
      kind: 'TreeClosed',
      outcome: 'solved',
      reason: 'critic gave no usable critique of t1.a0.0 in 2 attempt(s) (last: empty answer); not expanded',
    });
  });

  it('an endpoint fault stops the run without failing the tree; a later run with a good endpoint finishes it', async () => {
    const [inst] = arithmeticInstructions(1);
    let broken = true;
    const t = await setup((r) => {
      if (isCritique(r) && broken) return { status: 401 };
      return isCritique(r)
        ? { content: 'Step 1 adds wrongly.' }
        : say(r.model === 'strong' ? sumOf(r) : sumOf(r) + 1);
    });
    const first = await t.make();
    const stopped = await first.grower.run(source([inst]));
    // A 401 is not retried: the client calls it a configuration fault (the key), and the run stops on it.
    expect(stopped?.code).toBe('INVALID_CONFIG');
    const before = await t.events();
    expect(before.some((e) => e.payload.kind === 'TreeClosed')).toBe(false);
    expect(before.some((e) => e.payload.kind === 'TurnExecuted' && e.payload.failure !== null)).toBe(false);
    expect(first.grower.stats()).toMatchObject({ failed: 0, calls: 2 });
    broken = false;
    const second = await t.make();
    expect(await second.grower.run(source([inst]))).toBeNull();
    const after = await t.events();
    expect(after.at(-1)!.payload).toMatchObject({ kind: 'TreeClosed', outcome: 'solved' });
    // The two answered actions were not asked again.
    const actions = t.server.requests.filter((r) => !isCritique(r)).map((r) => r.requestId);
    expect(new Set(actions).size).toBe(actions.length);
  });

  it('stop() aborts the calls in flight: run() resolves, nothing counts as answered or failed, the next run asks them', async () => {
    const [inst] = arithmeticInstructions(1);
    let hang = true;
    const t = await setup((r) => (hang ? { hang: true } : say(sumOf(r))), { maxTurns: 1 });
    const { grower } = await t.make();
    const running = grower.run(source([inst]));
    await waitFor(() => t.server.requests.length >= 2, { what: '2 requests on the server' });
    expect(t.server.requests).toHaveLength(2);
    grower.stop('interrupted');
    expect(await running).toMatchObject({ code: 'TIMEOUT', message: 'interrupted' });
    expect(grower.stats()).toMatchObject({ calls: 0, failed: 0, solved: 0 });
    const events = await t.events();
    expect(kinds(events)).toEqual(['TreeOpened', 'StrategySampled:t1.a0.0', 'StrategySampled:t1.a0.1']);
    hang = false;
    const next = await t.make();
    expect(await next.grower.run(source([inst]))).toBeNull();
    expect(next.grower.stats()).toMatchObject({ reasked: 2, solved: 1 });
  });

  it('closes a tree at maxCallsPerTree, exhausted, naming the cap; the cap is on the tree config', async () => {
    const [inst] = arithmeticInstructions(1);
    const t = await setup((r) => (isCritique(r) ? { content: 'Step 1 adds wrongly.' } : say(sumOf(r) + 1)), {
      maxCallsPerTree: 5,
      resamples: 6,
      wave: 2,
    });
    const { grower } = await t.make();
    expect(await grower.run(source([inst]))).toBeNull();
    const events = await t.events();
    expect(events[0].payload).toMatchObject({ config: { params: { maxCallsPerTree: '5' } } });
    expect(events.at(-1)!.payload).toMatchObject({
      kind: 'TreeClosed',
      outcome: 'exhausted',
      reason: 'maxCallsPerTree 5 reached at turn 1',
    });
    // The pair and one resample wave (4 calls); the next wave of 2 would pass the cap.
    expect(t.server.requests).toHaveLength(4);
  });
});

describe('createGrower: answers on the log before judging', () => {
  it('judges answered-but-unjudged actions on resume without asking the LLM again', async () => {
    const [inst] = arithmeticInstructions(1);
    const t = await setup((r) =>
      isCritique(r)
        ? { content: 'Step 1 adds wrongly.' }
        : say(r.model === 'strong' ? sumOf(r) : sumOf(r) + 1),
    );
    // The log a crash leaves right after two answers arrived: the tree, the intents of turn 1 (as decide plans
    // them), both answers, no judgement.
    const treeId = treeIdOf(inst.id);
    const config = growConfigOf({ strong: 'strong', weak: 'weak', critic: 'critic', maxTurns: 3 });
    const opened: TreeEvent['payload'] = {
      kind: 'TreeOpened',
      ownerGroup: null,
      leaseMs: null,
      instruction: inst,
      config: treeConfigOf(config),
    };
    const openTree = evolveGrowTree(emptyGrowTree(treeId), {
      eventId: 'e',
      treeId,
      seq: 0,
      time: 0,
      writer: 'w',
      payload: opened,
    });
    const [intents] = decide(openTree, config);
    if (intents.kind !== 'append') throw new Error('expected the intents of turn 1');
    const right = Number(inst.reference.answer);
    const texts = [say(right + 1).content, say(right).content];
    const answers = ['t1.a0.0', 't1.a0.1'].map((nodeId, i): TreeEvent['payload'] => ({
      kind: 'AnswerReceived',
      nodeId,
      text: texts[i],
      promptTokens: 1,
      completionTokens: 1,
      latencyMs: 1,
      finishReason: 'stop',
      failure: null,
    }));
    await t.log.append(
      topics.treeEvents,
      [opened, ...intents.payloads, ...answers].map((payload, seq) => ({
        value: {
          eventId: eventIdOf(treeId, 'nodeId' in payload ? payload.nodeId : null, payload.kind),
          treeId,
          seq,
          time: 0,
          writer: 'crashed',
          payload,
        },
      })),
    );
    const { grower } = await t.make();
    expect(await grower.run(source([inst]))).toBeNull();
    const asked = t.server.requests.map((r) => r.requestId);
    expect(asked).not.toContain(`${treeId}/t1.a0.0`);
    expect(asked).not.toContain(`${treeId}/t1.a0.1`);
    expect(grower.stats().reasked).toBe(0);
    const events = await t.events();
    const turn1 = (kind: string) =>
      events.filter(
        (e) => e.payload.kind === kind && 'nodeId' in e.payload && e.payload.nodeId.startsWith('t1.'),
      );
    expect(turn1('TurnExecuted').map((e) => (e.payload as { action: string }).action)).toEqual(texts);
    expect(turn1('VerdictReached').map((e) => (e.payload as { correct: boolean }).correct)).toEqual([
      false,
      true,
    ]);
    expect(events.at(-1)!.payload).toMatchObject({ kind: 'TreeClosed', outcome: 'solved' });
  });
});

describe('createGrower: retryFailed', () => {
  it('reopens trees closed failed once and regrows them with new nodes; a crash after a reopen is not reopened again', async () => {
    const [a, b] = arithmeticInstructions(2);
    let empty = true;
    const t = await setup(
      (r) =>
        empty
          ? { content: '' }
          : isCritique(r)
            ? { content: 'Step 1 adds wrongly.' }
            : say(r.model === 'strong' ? sumOf(r) : sumOf(r) + 1),
      { resamples: 0, ladderRounds: 0, groundTruthAttempts: 0 },
    );
    const first = await t.make();
    expect(await first.grower.run(source([a, b]))).toBeNull();
    expect(first.grower.stats().failed).toBe(2);
    empty = false;
    // A run that died right after reopening b: its TreeReopened is on the log, nothing of its regrowth.
    const idA = treeIdOf(a.id);
    const idB = treeIdOf(b.id);
    await t.log.append(topics.treeEvents, [
      {
        value: {
          eventId: eventIdOf(idB, 'g1', 'TreeReopened'),
          treeId: idB,
          seq: first.grower.tree(idB)!.nextSeq,
          time: 0,
          writer: 'crashed',
          payload: { kind: 'TreeReopened', generation: 1, reason: 'retry-failed: crashed' },
        },
      },
    ]);
    const before = (await t.events()).length;
    const askedFirst = t.server.requests.length;
    const second = await t.make(undefined, { retryFailed: true });
    expect(await second.grower.run(source([a, b]))).toBeNull();
    expect(second.grower.stats()).toMatchObject({ reopened: 1, solved: 2, failed: 0, skipped: 0 });
    const events = await t.events();
    for (const id of [idA, idB]) {
      const mine = events.filter((e) => e.treeId === id);
      expect(mine.filter((e) => e.payload.kind === 'TreeReopened').map((e) => e.eventId)).toEqual([
        `${id}/g1/TreeReopened`,
      ]);
      expect(mine.at(-1)!).toMatchObject({ eventId: `${id}/g1/TreeClosed`, payload: { outcome: 'solved' } });
      expect(mine.map((e) => e.seq)).toEqual(mine.map((_, i) => i));
      // The regrowth: turn 1 again, node ids of generation 1 only, and the pair it makes.
      const regrowth = mine.slice(mine.findIndex((e) => e.payload.kind === 'TreeReopened') + 1);
      expect(
        kinds(regrowth)
          .filter((k) => k.includes(':'))
          .every((k) => k.includes(':g1.t')),
      ).toBe(true);
      const tree = treeOf(id, mine);
      expect(tree.generation).toBe(1);
      const pairs = pairsOf(tree);
      expect(pairs.map((p) => p.turn)).toEqual([1, 2, 3]);
      for (const p of pairs)
        expect([p.chosenNodeId, p.rejectedNodeId].join()).toMatch(/^g1\.t\d\.a0\.1,g1\.t\d\.a0\.0$/);
    }
    expect(events.length).toBeGreaterThan(before);
    for (const q of t.server.requests.slice(askedFirst)) expect(q.requestId).toMatch(/^[0-9a-f]{64}\/g1\.t/);

    // Solved now: another retryFailed run reopens nothing.
    const asked = t.server.requests.length;
    const third = await t.make(undefined, { retryFailed: true });
    expect(await third.grower.run(source([a, b]))).toBeNull();
    expect(third.grower.stats()).toMatchObject({ reopened: 0, skipped: 2 });
    expect(t.server.requests).toHaveLength(asked);
    expect(await t.events()).toHaveLength(events.length);
  });
});
