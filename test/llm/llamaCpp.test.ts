import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smolLm2Path } from '../../connectors/llm/llamaCpp/smolLm2Path.ts';
import { cli as arboretum } from '../support/cli.ts';

const IDS = ['example-gsm8k-1', 'example-pot-1', 'example-code-1'];
let dir: string;

/** Runs the CLI with no key and no base URL (nothing remote can be reached). */
const cli = (args: string[]) => arboretum(args, { noRemoteLlm: true, env: { ARBORETUM_LLAMA_THREADS: '1' } });
const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arb-llama-grow-'));
  const all = jsonLines(await readFile('examples/instructions.jsonl', 'utf8'));
  const picked = IDS.map((id) => all.find((i) => i.id === id));
  expect(picked.every(Boolean)).toBe(true);
  await writeFile(join(dir, 'problems.jsonl'), picked.map((i) => JSON.stringify(i)).join('\n') + '\n');
  // Bounded: one turn, no fallbacks, short answers; the endpoint form main.sh uses (kind llama.cpp).
  await writeFile(
    join(dir, 'grow.yaml'),
    [
      `log: file:${join(dir, 'log')}`,
      `instructions: ${join(dir, 'problems.jsonl')}`,
      'endpoints:',
      '  - name: smol',
      '    kind: llama.cpp',
      `    modelPath: ${smolLm2Path()}`,
      '    models: [smol]',
      '    concurrency: 2',
      '    contextSize: 1024',
      'actors: { strong: smol, weak: smol }',
      'critic: smol',
      'maxTurns: 1',
      'resamples: 0',
      'ladderRounds: 0',
      'groundTruthAttempts: 0',
      'sampling: { temperature: 0.7, topP: 0.95, maxTokens: 64 }',
      'concurrency: 3',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('growing with a local GGUF model (no key, no server)', () => {
  it('grows, exports and syncs well-formed trees from real problems', { timeout: 600_000 }, async () => {
    const log = `file:${join(dir, 'log')}`;
    const grown = await cli(['grow', '--config', join(dir, 'grow.yaml'), '--progress', 'none']);
    expect(grown.stderr).toMatch(/grow: \d+ solved, \d+ exhausted, \d+ failed, 0 already closed/);
    expect(grown.code).toBe(0);

    const read = await cli(['log', 'read', '--topic', 'tree-events', '--log', log]);
    expect(read.code).toBe(0);
    const events = jsonLines(read.stdout);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    const trees = new Map<string, any[]>();
    for (const e of events) trees.set(e.treeId, [...(trees.get(e.treeId) ?? []), e]);
    expect(trees.size).toBe(3);
    let turns = 0;
    let promptTokens = 0;
    let correct = 0;
    for (const [treeId, es] of trees) {
      const kinds = es.map((e) => e.payload.kind);
      expect(kinds[0]).toBe('TreeOpened');
      expect(kinds.at(-1)).toBe('TreeClosed');
      expect(kinds.filter((k) => k === 'TreeClosed')).toHaveLength(1);
      expect(['solved', 'exhausted', 'failed']).toContain(es.at(-1).payload.outcome);
      expect(es.map((e) => e.seq)).toEqual(es.map((_, i) => i));
      const sampled = new Map(
        es.filter((e) => e.payload.kind === 'StrategySampled').map((e) => [e.payload.nodeId, e.payload]),
      );
      // One turn, no fallbacks: the weak and the strong actor, once each.
      expect(sampled.size).toBe(2);
      for (const s of sampled.values()) {
        expect(s.model).toBe('smol');
        expect(s.turn).toBe(1);
        expect(s.params.maxTokens).toBe(64);
      }
      for (const e of es.filter((x) => x.payload.kind === 'TurnExecuted')) {
        const t = e.payload;
        expect(sampled.has(t.nodeId), `${treeId}/${t.nodeId} was sampled`).toBe(true);
        expect(t.promptTokens).toBeGreaterThan(0);
        expect(t.completionTokens).toBeGreaterThanOrEqual(0);
        expect(t.completionTokens).toBeLessThanOrEqual(64);
        expect(t.latencyMs).toBeGreaterThanOrEqual(0);
        turns++;
        promptTokens += t.promptTokens;
      }
      correct += es.filter((x) => x.payload.kind === 'VerdictReached' && x.payload.correct).length;
      expect(kinds).not.toContain('CritiqueEmitted');
    }
    expect(turns).toBe(6);

    const check = await cli(['log', 'check', '--log', log]);
    expect(check.code).toBe(0);

    const pairsFile = join(dir, 'pairs.jsonl');
    const sftFile = join(dir, 'sft.jsonl');
    expect(
      (await cli(['export', '--log', log, '--format', 'ultrainteract-pair', '--out', pairsFile])).code,
    ).toBe(0);
    expect(
      (await cli(['export', '--log', log, '--format', 'ultrainteract-sft', '--out', sftFile])).code,
    ).toBe(0);
    const sft = jsonLines(await readFile(sftFile, 'utf8'));
    for (const row of sft) {
      expect(Object.keys(row).sort()).toEqual([
        'dataset',
        'id',
        'instruction',
        'parent_id',
        'response',
        'task',
      ]);
    }
    expect(sft).toHaveLength(correct);
    for (const row of jsonLines(await readFile(pairsFile, 'utf8'))) {
      expect(Object.keys(row).sort()).toEqual(
        ['chosen', 'dataset', 'id', 'parent_id', 'rejected', 'task', 'trajectory'].sort(),
      );
    }

    const db = join(dir, 'a.duckdb');
    expect((await cli(['analytics', 'sync', '--log', log, '--db', db])).code).toBe(0);
    const sql = async (q: string) => {
      const r = await cli(['sql', '--log', log, '--db', db, '--format', 'json', q]);
      expect(r.code, r.stderr).toBe(0);
      return jsonLines(r.stdout);
    };
    const [t] = await sql('SELECT count(*) AS n, count(*) FILTER (WHERE closed) AS closed FROM trees');
    expect(t).toEqual({ n: 3, closed: 3 });
    expect(await sql('SELECT turns, trees FROM tree_length')).toEqual([{ turns: 1, trees: 3 }]);
    const cost = await sql('SELECT model, role, calls, prompt_tokens FROM cost ORDER BY role');
    expect(cost.map((c) => [c.model, c.role, c.calls])).toEqual([
      ['smol', 'strong', 3],
      ['smol', 'weak', 3],
    ]);
    expect(cost.reduce((n, c) => n + Number(c.prompt_tokens), 0)).toBe(promptTokens);
  });

  it('a gguf: model whose file is missing stops grow at once, naming the file', async () => {
    const missing = join(dir, 'missing.gguf');
    const r = await cli([
      'grow',
      '--log',
      `file:${join(dir, 'log2')}`,
      '--instructions',
      join(dir, 'problems.jsonl'),
      '--model',
      `gguf:${missing}`,
      '--progress',
      'none',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(missing);
    expect(r.stderr).toMatch(/no such file/);
  });
});
