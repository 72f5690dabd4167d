import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { map } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import { exportLog } from '../../pipelines/export/exportLog.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { readTreeEvents } from '../support/readTreeEvents.ts';
import { type ScriptedOpenAI, type ScriptedRequest, startScriptedOpenAI } from '../support/scriptedOpenAI.ts';
import { arithmeticActor, arithmeticInstructions } from './arithmeticActor.ts';

const bin = resolve('bin/arboretum.js');
let dir: string;
let server: ScriptedOpenAI;
let instructions: string;
let config: string;
let config16: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arb-grow-crash-'));
  server = await startScriptedOpenAI({
    reply: arithmeticActor({ skill: { strong: 0.55, weak: 0.3, ladder: 0.5 }, empty: 0.05, jitterMs: 80 }),
  });
  instructions = join(dir, 'instructions.jsonl');
  await writeFile(
    instructions,
    arithmeticInstructions(24, 'crash')
      .map((i) => JSON.stringify(i))
      .join('\n'),
  );
  config = join(dir, 'grow.yaml');
  await writeFile(
    config,
    [
      `endpoints:\n  - name: scripted\n    baseUrl: ${server.baseUrl}\n    concurrency: 6`,
      'actors:\n  strong: strong\n  weak: weak',
      'critic: critic',
      'ladder: [weak, ladder]',
      'maxTurns: 3',
      'resamples: 2\nladderRounds: 2\nladderSamples: 2\ngroundTruthAttempts: 1\nwave: 2',
      'concurrency: 4',
    ].join('\n'),
  );
  // Small trees, fast answers: 20 kills stay affordable on a loaded machine; calls in flight bounded by --concurrency.
  config16 = join(dir, 'grow16.yaml');
  await writeFile(
    config16,
    [
      `endpoints:\n  - name: scripted\n    baseUrl: ${server.baseUrl}\n    concurrency: 16`,
      'actors:\n  strong: strong\n  weak: weak',
      'critic: critic',
      'ladder: [weak, ladder]',
      'maxTurns: 2',
      'resamples: 2\nladderRounds: 1\nladderSamples: 2\ngroundTruthAttempts: 1\nwave: 2',
    ].join('\n'),
  );
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `arboretum grow` in a child (node itself, so SIGKILL reaches the grower); kills it after `killAfterMs`. */
function grow(
  logDir: string,
  writer: string,
  killAfterMs?: number,
  {
    yaml = config,
    extra = [] as string[],
    file = instructions,
    killAfterFirstRequestMs = undefined as number | undefined,
    killWhen = undefined as ((mine: readonly ScriptedRequest[]) => boolean) | undefined,
  } = {},
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [
        bin,
        'grow',
        '--log',
        `file:${logDir}`,
        '--config',
        yaml,
        '--instructions',
        file,
        '--progress',
        'none',
        '--writer',
        writer,
        ...extra,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    // Or this long after the run's first request reached the server: mid-growth whatever its start-up took.
    const from = server.requests.length;
    let kill: ReturnType<typeof setTimeout> | null = null;
    const poll =
      killAfterFirstRequestMs === undefined
        ? null
        : setInterval(() => {
            if (kill || server.requests.length <= from) return;
            kill = setTimeout(() => child.kill('SIGKILL'), killAfterFirstRequestMs);
          }, 2);
    // Or once this run's requests so far meet `killWhen`: a point in its progress, whatever the machine's load.
    const count =
      killWhen === undefined
        ? null
        : setInterval(() => {
            if (killWhen(server.requests.slice(from))) child.kill('SIGKILL');
          }, 1);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      if (count) clearInterval(count);
      if (kill) clearTimeout(kill);
      done({ code, signal, stderr });
    });
  });
}

/**
 * The request ids whose answers are on the log: actions (AnswerReceived, or TurnExecuted of older logs) and critique
 * attempts (CritiqueRejected by attempt; CritiqueEmitted after as many rejections as the node had).
 */
const answeredOf = (events: TreeEvent[]) => {
  const ids = new Set<string>();
  const rejections = new Map<string, number>();
  const critique = (key: string, attempt: number) => `${key}/critique${attempt ? `/${attempt}` : ''}`;
  for (const e of events) {
    const p = e.payload;
    if (p.kind === 'AnswerReceived' || p.kind === 'TurnExecuted') ids.add(`${e.treeId}/${p.nodeId}`);
    if (p.kind === 'CritiqueRejected') {
      ids.add(critique(`${e.treeId}/${p.nodeId}`, p.attempt));
      rejections.set(`${e.treeId}/${p.nodeId}`, p.attempt + 1);
    }
    if (p.kind === 'CritiqueEmitted')
      ids.add(critique(`${e.treeId}/${p.nodeId}`, rejections.get(`${e.treeId}/${p.nodeId}`) ?? 0));
  }
  return ids;
};

/** Facts of a log without what varies from run to run: latency, and seq (answers are logged in arrival order). */
const factsOf = (es: TreeEvent[]) =>
  es.map((e) => `${e.eventId}:${JSON.stringify({ ...e.payload, latencyMs: 0 })}`).sort();

/** Every tree's events have seq 0, 1, 2, … in log order. */
const seqGaps = (es: TreeEvent[]) => {
  const next = new Map<string, number>();
  const bad: string[] = [];
  for (const e of es) {
    const want = next.get(e.treeId) ?? 0;
    if (e.seq !== want) bad.push(`${e.treeId} seq ${e.seq}, expected ${want}`);
    next.set(e.treeId, e.seq + 1);
  }
  return bad;
};

async function exportsOf(logDir: string, name: string): Promise<Record<string, string>> {
  const log = createFileEventLog({ dir: logDir, onRecovered: () => {} });
  const formats = ['ultrainteract-pair', 'ultrainteract-sft', 'rm-pairs'];
  try {
    await exportLog({
      events: log.read(topics.treeEvents).pipe(map((r) => r.value)),
      targets: formats.map((f) => ({ format: exportFormats.get(f)!, out: join(dir, `${name}-${f}.jsonl`) })),
    });
  } finally {
    await log.close();
  }
  const out: Record<string, string> = {};
  for (const f of formats) out[f] = await readFile(join(dir, `${name}-${f}.jsonl`), 'utf8');
  return out;
}

describe('grow crash safety', () => {
  it('after SIGKILLs at random moments the export equals an uninterrupted run and no answered prompt is asked again', async () => {
    const clean = join(dir, 'clean');
    const first = await grow(clean, 'clean');
    expect(first.stderr).toMatch(/grow: \d+ solved, \d+ exhausted, \d+ failed/);
    expect(first.code, first.stderr).toBe(0);
    const growthMs = server.requests.at(-1)!.receivedAt - server.requests[0].receivedAt;
    const cleanRequests = server.requests.length;
    const cleanIds = server.requests.map((r) => r.requestId);
    expect(new Set(cleanIds).size).toBe(cleanIds.length);

    const crashed = join(dir, 'crashed');
    const kills: number[] = [];
    // Seeded "random" kill moments, spread over start-up and growth.
    let seed = 7;
    const rand = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const violations: string[] = [];
    for (let round = 0; round < 12; round++) {
      const answered = answeredOf(await readTreeEvents(crashed).catch(() => []));
      const from = server.requests.length;
      // Within a quarter of the clean run's growth after this run's first request: mid-growth whatever start-up took.
      const killAfter = round < 5 ? Math.floor(rand() * 0.25 * growthMs) : undefined;
      const r = await grow(crashed, `crashed-${round}`, undefined, { killAfterFirstRequestMs: killAfter });
      for (const q of server.requests.slice(from))
        if (answered.has(q.requestId!)) violations.push(`round ${round}: ${q.requestId}`);
      if (r.signal === 'SIGKILL') {
        kills.push(killAfter!);
        continue;
      }
      expect(r.code, r.stderr).toBe(0);
      break;
    }
    expect(kills.length).toBeGreaterThanOrEqual(3);
    expect(violations).toEqual([]);
    // Some kills must have landed mid-growth, or this test proves little.
    const crashedEvents = await readTreeEvents(crashed);
    expect(new Set(crashedEvents.map((e) => e.writer)).size).toBeGreaterThan(2);
    expect(server.requests.length - cleanRequests).toBeGreaterThanOrEqual(cleanRequests);

    const a = await exportsOf(clean, 'clean');
    const b = await exportsOf(crashed, 'crashed');
    expect(a['ultrainteract-pair'].length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    const cleanEvents = await readTreeEvents(clean);
    expect(factsOf(crashedEvents)).toEqual(factsOf(cleanEvents));
    expect(seqGaps(crashedEvents)).toEqual([]);
  }, 170_000);

  it('20 SIGKILLs at --concurrency 16: exports equal an uninterrupted run and only calls in flight are asked again', async () => {
    const file = join(dir, 'instructions48.jsonl');
    await writeFile(
      file,
      arithmeticInstructions(48, 'crash16')
        .map((i) => JSON.stringify(i))
        .join('\n'),
    );
    const opts = { yaml: config16, extra: ['--concurrency', '16'], file };
    const clean = join(dir, 'clean16');
    const from0 = server.requests.length;
    const first = await grow(clean, 'clean', undefined, opts);
    expect(first.code, first.stderr).toBe(0);
    const cleanRequests = server.requests.slice(from0);
    expect(new Set(cleanRequests.map((r) => r.requestId)).size).toBe(cleanRequests.length);

    const crashed = join(dir, 'crashed16');
    let seed = 11;
    const rand = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const asked = new Set<string>();
    let askedAgain = 0;
    let inFlightAtKills = 0;
    const violations: string[] = [];
    const perKill: number[] = [];
    let kills = 0;
    for (let round = 0; round < 40; round++) {
      const answered = answeredOf(await readTreeEvents(crashed).catch(() => []));
      const from = server.requests.length;
      // Killed as the run asks its k-th prompt never asked before (k seeded, 1 to 16): a resumed run first re-asks
      // what was in flight, and only a new prompt shows it grew past that, so every kill lands mid-growth whatever
      // the load (a timer may fire before a loaded run answered anything). 20 kills take at most 320 new prompts of
      // the clean run's ~289 and ~170 on average, so the last run still has work to finish.
      const k = kills < 20 ? 1 + Math.floor(rand() * 16) : undefined;
      const before = new Set(asked);
      const killWhen =
        k === undefined
          ? undefined
          : (mine: readonly ScriptedRequest[]) => mine.filter((q) => !before.has(q.requestId!)).length >= k;
      const r = await grow(crashed, `crashed-${round}`, undefined, { ...opts, killWhen });
      const mine = server.requests.slice(from).map((q) => q.requestId!);
      for (const id of mine) {
        if (answered.has(id)) violations.push(`round ${round}: ${id}`);
        if (asked.has(id)) askedAgain++;
      }
      for (const id of mine) asked.add(id);
      if (r.signal === 'SIGKILL') {
        kills++;
        // In flight at the kill: asked by this run, its answer not on the log afterwards.
        const after = answeredOf(await readTreeEvents(crashed));
        const inFlight = new Set(mine.filter((id) => !after.has(id))).size;
        perKill.push(inFlight);
        inFlightAtKills += inFlight;
        continue;
      }
      expect(r.code, r.stderr).toBe(0);
      break;
    }
    expect(kills).toBe(20);
    expect(violations).toEqual([]);
    expect(askedAgain).toBeLessThanOrEqual(inFlightAtKills);
    const crashedEvents = await readTreeEvents(crashed);
    // Kills must have landed mid-growth, or this test proves little: many killed runs wrote to the log.
    expect(new Set(crashedEvents.map((e) => e.writer)).size).toBeGreaterThan(5);
    const a = await exportsOf(clean, 'clean16');
    const b = await exportsOf(crashed, 'crashed16');
    expect(a['ultrainteract-pair'].length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    expect(factsOf(crashedEvents)).toEqual(factsOf(await readTreeEvents(clean)));
    expect(seqGaps(crashedEvents)).toEqual([]);
    console.log(
      `kill test at 16: ${kills} kills, ${askedAgain} calls asked again, ${inFlightAtKills} in flight at the kills (per kill: ${perKill.join(' ')}), clean run ${cleanRequests.length} calls`,
    );
  }, 400_000);
});
