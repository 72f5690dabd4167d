import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lastValueFrom, map, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import { exportLog } from '../../pipelines/export/exportLog.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { type ScriptedOpenAI, startScriptedOpenAI } from '../support/scriptedOpenAI.ts';
import { arithmeticActor, arithmeticInstructions } from './arithmeticActor.ts';

const bin = resolve('bin/arboretum.js');
let dir: string;
let server: ScriptedOpenAI;
let instructions: string;
let config: string;

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
        config,
        '--instructions',
        instructions,
        '--progress',
        'none',
        '--writer',
        writer,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      done({ code, signal, stderr });
    });
  });
}

async function eventsOf(logDir: string): Promise<TreeEvent[]> {
  const log = createFileEventLog({ dir: logDir, onRecovered: () => {} });
  try {
    return await lastValueFrom(
      log.read(topics.treeEvents).pipe(
        map((r) => r.value),
        toArray(),
      ),
    );
  } finally {
    await log.close();
  }
}

/** The request ids whose answers are on the log: actions (TurnExecuted) and critiques. */
const answeredOf = (events: TreeEvent[]) =>
  new Set(
    events
      .filter((e) => e.payload.kind === 'TurnExecuted' || e.payload.kind === 'CritiqueEmitted')
      .map((e) => {
        const p = e.payload as { kind: string; nodeId: string };
        return `${e.treeId}/${p.nodeId}${p.kind === 'CritiqueEmitted' ? '/critique' : ''}`;
      }),
  );

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
    const t0 = Date.now();
    const first = await grow(clean, 'clean');
    const cleanMs = Date.now() - t0;
    expect(first.stderr).toMatch(/grow: \d+ solved, \d+ exhausted, \d+ failed/);
    expect(first.code, first.stderr).toBe(0);
    // When the first request reached the server: the kills land between start-up and the end of growth.
    const startupMs = server.requests[0].receivedAt - t0;
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
      const answered = answeredOf(await eventsOf(crashed).catch(() => []));
      const from = server.requests.length;
      const killAfter = round < 5 ? startupMs + Math.floor(rand() * 0.4 * (cleanMs - startupMs)) : undefined;
      const r = await grow(crashed, `crashed-${round}`, killAfter);
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
    const crashedEvents = await eventsOf(crashed);
    expect(new Set(crashedEvents.map((e) => e.writer)).size).toBeGreaterThan(2);
    expect(server.requests.length - cleanRequests).toBeGreaterThanOrEqual(cleanRequests);

    const a = await exportsOf(clean, 'clean');
    const b = await exportsOf(crashed, 'crashed');
    expect(a['ultrainteract-pair'].length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    const cleanEvents = await eventsOf(clean);
    const facts = (es: TreeEvent[]) =>
      es.map((e) => `${e.eventId}#${e.seq}:${JSON.stringify({ ...e.payload, latencyMs: 0 })}`).sort();
    expect(facts(crashedEvents)).toEqual(facts(cleanEvents));
  }, 170_000);
});
