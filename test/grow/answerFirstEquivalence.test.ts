import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAnalyticsDb } from '../../analytics/openAnalyticsDb.ts';
import { createOpenAIClient } from '../../connectors/llm/createOpenAIClient.ts';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { syncLog } from '../../pipelines/analyticsSink/syncLog.ts';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import { exportLog } from '../../pipelines/export/exportLog.ts';
import { createGrower } from '../../pipelines/grow/createGrower.ts';
import { growConfigOf } from '../../pipelines/grow/growConfig.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { appendEvents, tempLog } from '../analytics/fixtures.ts';
import { startScriptedOpenAI } from '../support/scriptedOpenAI.ts';
import { arithmeticActor, arithmeticInstructions, coin, isCritique } from './arithmeticActor.ts';
import { realJudge } from './realJudge.ts';

let dir: string;
let judge: Awaited<ReturnType<typeof realJudge>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arb-answer-first-'));
  judge = await realJudge();
});
afterAll(async () => {
  await judge.close();
  await rm(dir, { recursive: true, force: true });
});

/** The log an older grower would have written for the same run: no AnswerReceived, no CritiqueRejected. */
const asOlderLog = (events: readonly TreeEvent[]): TreeEvent[] => {
  const seq = new Map<string, number>();
  return events
    .filter((e) => e.payload.kind !== 'AnswerReceived' && e.payload.kind !== 'CritiqueRejected')
    .map((e) => {
      const n = seq.get(e.treeId) ?? 0;
      seq.set(e.treeId, n + 1);
      return { ...e, seq: n };
    });
};

async function exportsOf(events: readonly TreeEvent[], name: string) {
  const formats = [...exportFormats.keys()].filter((f) => !f.includes('parquet'));
  await exportLog({
    events: from(events),
    targets: formats.map((f) => ({ format: exportFormats.get(f)!, out: join(dir, `${name}-${f}.jsonl`) })),
  });
  const out: Record<string, string> = {};
  for (const f of formats) out[f] = await readFile(join(dir, `${name}-${f}.jsonl`), 'utf8');
  return out;
}

async function analyticsOf(events: readonly TreeEvent[]) {
  const env = await tempLog();
  const db = await openAnalyticsDb();
  try {
    await appendEvents(env.log, events);
    await syncLog({ log: env.log, connection: db.connection });
    const out: Record<string, unknown[]> = {};
    for (const t of ['turn_executed', 'verdict_reached', 'critique_emitted', 'tree_closed', 'pairs', 'sft'])
      out[t] = (
        await db
          .query(`SELECT * EXCLUDE (part, off) FROM ${t} ORDER BY ALL`)
          .catch(() => db.query(`SELECT * FROM ${t} ORDER BY ALL`))
      ).rows as unknown[];
    return out;
  } finally {
    db.close();
    await env.dispose();
  }
}

describe('answer-first logs', () => {
  it('export and analytics read a log grown answer-first exactly as the same run logged the older way', async () => {
    const actor = arithmeticActor({ skill: { strong: 0.6, weak: 0.3 }, empty: 0.1, jitterMs: 20 });
    // A critic that sometimes gives the answer away: the gate rejects it and asks again.
    const server = await startScriptedOpenAI({
      reply: (r) =>
        isCritique(r) && coin(`${r.requestId}`) < 0.4
          ? { content: `The sum is \\boxed{${/Answer: (\d+)/.exec(r.messages[1].content)![1]}}.` }
          : actor(r),
    });
    const log = createFileEventLog({ dir: join(dir, 'log'), fsync: 'never' });
    try {
      const grower = createGrower({
        log,
        llm: createOpenAIClient({ endpoints: [{ name: 's', baseUrl: server.baseUrl, concurrency: 8 }] }),
        judge: judge.judge,
        config: growConfigOf({
          strong: 'strong',
          weak: 'weak',
          critic: 'critic',
          maxTurns: 3,
          resamples: 2,
          ladderRounds: 1,
          ladderSamples: 2,
          groundTruthAttempts: 1,
          wave: 2,
        }),
        trees: 4,
        writer: 'w',
      });
      await grower.load();
      expect(
        await grower.run(
          (async function* () {
            yield* arithmeticInstructions(8, 'eq');
          })(),
        ),
      ).toBeNull();
      const events = (await lastValueFrom(log.read(topics.treeEvents).pipe(toArray()))).map((r) => r.value);
      expect(events.some((e) => e.payload.kind === 'CritiqueRejected')).toBe(true);
      expect(events.some((e) => e.payload.kind === 'AnswerReceived')).toBe(true);
      const older = asOlderLog(events);
      const a = await exportsOf(events, 'new');
      const b = await exportsOf(older, 'old');
      expect(a['ultrainteract-pair'].length).toBeGreaterThan(0);
      expect(a).toEqual(b);
      expect(await analyticsOf(events)).toEqual(await analyticsOf(older));
    } finally {
      await log.close();
      await server.close();
    }
  }, 60_000);
});
