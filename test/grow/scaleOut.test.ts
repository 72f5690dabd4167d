import { lastValueFrom, map, tap, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIClient } from '../../connectors/llm/createOpenAIClient.ts';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { createKafkaEventLog } from '../../connectors/log/kafka/kafkaEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { asyncIterableOf } from '../../pipelines/grow/asyncIterableOf.ts';
import { createGrower, type Grower, type StopReason } from '../../pipelines/grow/createGrower.ts';
import { groupInputs } from '../../pipelines/grow/groupInputs.ts';
import { growConfigOf } from '../../pipelines/grow/growConfig.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { deleteNamespace, freshNamespace, testBrokers } from '../kafka/kafkaTestLog.ts';
import { type ScriptedOpenAI, startScriptedOpenAI } from '../support/scriptedOpenAI.ts';
import { waitFor } from '../support/waitFor.ts';
import { arithmeticActor, arithmeticInstructions } from './arithmeticActor.ts';
import { realJudge } from './realJudge.ts';

describe('grow scale-out on Kafka', () => {
  const namespace = freshNamespace();
  // The run's broker (test/setup/kafkaBroker.ts: KAFKA_BROKERS, or one started on first use).
  let brokers: string[] = [];
  const open = (clientId: string): EventLog =>
    createKafkaEventLog({
      brokers,
      namespace,
      clientId,
      maxWaitMs: 100,
      partitions: 4,
      sessionTimeoutMs: 6000,
    });
  let server: ScriptedOpenAI;
  let judge: Awaited<ReturnType<typeof realJudge>>;
  beforeAll(async () => {
    brokers = await testBrokers();
    server = await startScriptedOpenAI({
      reply: arithmeticActor({ skill: { strong: 0.6, weak: 0.3 }, jitterMs: 20 }),
    });
    judge = await realJudge();
  });
  afterAll(async () => {
    await judge?.close();
    await server?.close();
    await deleteNamespace(namespace).catch(() => {});
  });

  it('two workers of one consumer group split the trees by partition and never grow the same tree', async () => {
    const admin = open('submitter');
    const workers: { log: EventLog; grower: Grower; assigned: number[]; done: Promise<StopReason> }[] = [];
    try {
      // Topics first (both co-partitioned ones), so both workers find them with all four partitions.
      expect(await admin.partitions(topics.instructions)).toBe(4);
      expect(await admin.partitions(topics.treeEvents)).toBe(4);
      for (const name of ['A', 'B']) {
        const log = open(`worker-${name}`);
        const grower = createGrower({
          log,
          llm: createOpenAIClient({
            endpoints: [{ name: 'scripted', baseUrl: server.baseUrl, concurrency: 8 }],
          }),
          judge: judge.judge,
          config: growConfigOf({
            strong: 'strong',
            weak: 'weak',
            critic: 'critic',
            maxTurns: 2,
            resamples: 2,
            ladderRounds: 1,
            ladderSamples: 2,
            groundTruthAttempts: 1,
            wave: 2,
          }),
          writer: name,
          trees: 4,
        });
        const w = { log, grower, assigned: [] as number[], done: Promise.resolve<StopReason>(null) };
        w.done = grower.run(
          asyncIterableOf(
            groupInputs(log, 'growers').pipe(
              tap((input) => {
                if ('assigned' in input) w.assigned = [...input.assigned];
              }),
            ),
          ),
        );
        workers.push(w);
      }
      await waitFor(
        () =>
          workers.every((w) => w.assigned.length > 0) &&
          workers[0].assigned.length + workers[1].assigned.length === 4,
        { what: 'both workers to own partitions', deadlineMs: 60_000, everyMs: 100 },
      );
      const instructions = arithmeticInstructions(24, `scale-${namespace}`);
      await admin.append(
        topics.instructions,
        instructions.map((value) => ({ value })),
      );
      const events = async (): Promise<(TreeEvent & { partition: number })[]> =>
        lastValueFrom(
          admin.read(topics.treeEvents).pipe(
            map((r) => ({ ...r.value, partition: r.partition })),
            toArray(),
          ),
        );
      await waitFor(
        async () => (await events()).filter((e) => e.payload.kind === 'TreeClosed').length >= 24,
        {
          what: 'every tree closed',
          deadlineMs: 90_000,
          everyMs: 100,
        },
      );
      for (const w of workers) w.grower.stop();
      expect(await Promise.all(workers.map((w) => w.done))).toEqual(
        workers.map(() => ({ code: 'TIMEOUT', message: 'stopped' })),
      );

      const all = await events();
      const writersOf = new Map<string, Set<string>>();
      for (const e of all) writersOf.set(e.treeId, (writersOf.get(e.treeId) ?? new Set()).add(e.writer));
      expect(writersOf.size).toBe(24);
      // One writer per tree, both workers used, each on its own partitions.
      expect([...writersOf.values()].every((w) => w.size === 1)).toBe(true);
      const byWriter = (name: string) =>
        new Set(all.filter((e) => e.writer === name).map((e) => e.partition));
      expect(byWriter('A').size).toBeGreaterThan(0);
      expect(byWriter('B').size).toBeGreaterThan(0);
      expect([...byWriter('A')].some((p) => byWriter('B').has(p))).toBe(false);
      expect(new Set(all.map((e) => e.eventId)).size).toBe(all.length);
      // Every instruction was committed by the group once its tree was opened.
      const ends = await admin.endOffsets(topics.instructions);
      await waitFor(
        async () => {
          const c = await admin.committed('growers', topics.instructions);
          return [...ends].every(([p, end]) => (c.get(p) ?? 0) === end);
        },
        { what: 'the commits of every instruction', deadlineMs: 60_000, everyMs: 100 },
      );
    } finally {
      for (const w of workers) await w.log.close();
      await admin.close();
    }
  }, 150_000);
});
