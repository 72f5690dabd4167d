import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli as arboretum } from '../support/cli.ts';
import { type ScriptedOpenAI, startScriptedOpenAI } from '../support/scriptedOpenAI.ts';
import { arithmeticActor, arithmeticInstructions } from './arithmeticActor.ts';

let dir: string;
let server: ScriptedOpenAI;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arb-grow-cli-'));
  server = await startScriptedOpenAI({ reply: arithmeticActor({ skill: { m: 0.5 } }) });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI with a clean LLM environment plus `env`. */
const cli = (args: string[], env: Record<string, string> = {}) => arboretum(args, { env, noRemoteLlm: true });

async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out;
}

describe('arboretum grow (CLI)', () => {
  it('grows the good lines of an instructions file and exits 1 naming each bad line', async () => {
    const file = join(dir, 'with-bad.jsonl');
    const [a, b] = arithmeticInstructions(2, 'badline');
    const other = { ...a, instruction: `${a.instruction} (changed)` };
    await writeFile(
      file,
      [JSON.stringify(a), '{not json', JSON.stringify(b), JSON.stringify(other)].join('\n'),
    );
    const logDir = join(dir, 'bad-lines');
    // Its own endpoint: the other tests count the shared server's requests.
    const own = await startScriptedOpenAI({ reply: arithmeticActor({ skill: { m: 0.5 } }) });
    const r = await cli([
      'grow',
      '--log',
      `file:${logDir}`,
      '--instructions',
      file,
      '--base-url',
      own.baseUrl,
      '--model',
      'm',
      '--max-turns',
      '1',
      '--progress',
      'none',
    ]);
    await own.close();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${file}:2`);
    expect(r.stderr).toContain(`${file}:4`);
    expect(r.stderr).toMatch(/grow: 2 line\(s\) of .* skipped/);
    // Both good instructions were grown to a close.
    const read = await cli(['log', 'read', '--topic', 'tree-events', '--log', `file:${logDir}`]);
    const closed = read.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((e) => e.payload.kind === 'TreeClosed');
    expect(closed).toHaveLength(2);
    // status --prices: the calls' tokens at the model's price, and a model without a price named.
    const prices = join(dir, 'prices.yaml');
    await writeFile(prices, 'm: {promptPerMTok: 1, completionPerMTok: 2}\n');
    const status = await cli(['status', '--log', `file:${logDir}`, '--prices', prices, '--json']);
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s.calls).toBeGreaterThan(0);
    expect(s.models.map((m: { model: string }) => m.model)).toEqual(['m']);
    expect(s.costUsd).toBeCloseTo((s.promptTokens * 1 + s.completionTokens * 2) / 1e6, 12);
    expect(s.unpricedModels).toEqual([]);
    await writeFile(prices, 'other: {promptPerMTok: 1, completionPerMTok: 2}\n');
    const unpriced = await cli(['status', '--log', `file:${logDir}`, '--prices', prices]);
    expect(unpriced.stdout).toMatch(/cost \$0\.0000 \(leaves out m: no price in .*prices\.yaml\)/);
  });
  it('without a key or a base URL says how to point it at OpenAI or a local server', async () => {
    const r = await cli([
      'grow',
      '--log',
      `file:${join(dir, 'none')}`,
      '--instructions',
      'examples/instructions.jsonl',
      '--model',
      'm',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no LLM endpoint/);
    for (const hint of ['OPENAI_API_KEY', 'vLLM', 'Ollama', 'llama.cpp', '--base-url'])
      expect(r.stderr).toContain(hint);
  });

  it('names the bad key of a config file', async () => {
    const config = join(dir, 'bad.yaml');
    await writeFile(config, 'actors:\n  strong: m\nmaxTurn: 3\n');
    const r = await cli(['grow', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${config}: unknown key maxTurn`);
  });

  it('stops at the token budget (exit 3), resumes to the end, and never writes the API key to the log', async () => {
    const file = join(dir, 'few.jsonl');
    await writeFile(
      file,
      arithmeticInstructions(4, 'cli')
        .map((i) => JSON.stringify(i))
        .join('\n'),
    );
    const logDir = join(dir, 'log');
    const args = [
      'grow',
      '--log',
      `file:${logDir}`,
      '--instructions',
      file,
      '--base-url',
      server.baseUrl,
      '--model',
      'm',
      '--max-turns',
      '2',
      '--progress',
      'json',
    ];
    const secret = 'sk-test-NEVER-ON-THE-LOG-0123456789';
    const first = await cli([...args, '--budget-tokens', '600'], { OPENAI_API_KEY: secret });
    expect(first.code, first.stderr).toBe(3);
    expect(first.stderr).toMatch(/grow stopped: llm budget reached/);
    expect(first.stderr).toMatch(/rerun the same command to continue/);
    expect(first.stderr).toMatch(/^\{"progress":/m);
    const second = await cli(args, { OPENAI_API_KEY: secret });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/grow: \d+ solved/);
    expect(server.requests.every((r) => r.authorization === `Bearer ${secret}`)).toBe(true);
    const files = await filesUnder(logDir);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect((await readFile(f)).includes(secret), f).toBe(false);
    const ids = server.requests.map((r) => r.requestId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('arboretum submit (CLI)', () => {
  it('appends instructions and reports bad rows by file and line (exit 1)', async () => {
    const file = join(dir, 'gsm.jsonl');
    await writeFile(file, '{"question": "What is 1+1?", "answer": "#### 2"}\n{"question": "no answer"}\n');
    const r = await cli(['submit', file, '--log', `file:${join(dir, 'sub')}`, '--adapter', 'gsm8k']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:2: GSM8K: field "answer" must be a non-empty string`);
    expect(r.stderr).toMatch(/submitted 1 instruction\(s\).*1 row\(s\) to dead-letters/);
    const bad = await cli(['submit', file, '--adapter', 'nope', '--log', `file:${join(dir, 'sub')}`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown adapter "nope"/);
  });
});
