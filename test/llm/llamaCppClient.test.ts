// The in-process llama.cpp client on a real model: SmolLM2-135M-Instruct, fetched by scripts/setup.sh (pretest).
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIClient } from '../../connectors/llm/createOpenAIClient.ts';
import { createRoutingClient } from '../../connectors/llm/createRoutingClient.ts';
import { acquireGgufModel } from '../../connectors/llm/llamaCpp/acquireGgufModel.ts';
import {
  createLlamaCppClient,
  type LlamaCppClient,
} from '../../connectors/llm/llamaCpp/createLlamaCppClient.ts';
import { smolLm2Path } from '../../connectors/llm/llamaCpp/smolLm2Path.ts';
import { threadsOf } from '../../connectors/llm/llamaCpp/threadsOf.ts';
import type { ChatRequest } from '../../connectors/llm/llmClient.ts';
import { isArboretumError } from '../../schemas/errors.ts';
import { startScriptedOpenAI } from '../support/scriptedOpenAI.ts';
import { waitFor } from '../support/waitFor.ts';

const path = smolLm2Path();
const model = `gguf:${path}`;
const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model,
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content },
  ],
  ...extra,
});
const LONG = 'Count from 1 to 5000, one number per line, and do not stop.';

let client: LlamaCppClient;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arb-llama-'));
  client = createLlamaCppClient({ modelPath: path, sequences: 2, contextSize: 1024, threads: 1 });
  await client.ready();
});
afterAll(async () => {
  await client?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('createLlamaCppClient (SmolLM2-135M in process)', () => {
  it('counts prompt and completion tokens and latency, and the usage adds up', async () => {
    const before = client.usage();
    const short = await client.chat(ask('Say hello.', { maxTokens: 24, temperature: 0 }));
    const long = await client.chat(
      ask('Say hello to every one of my seven friends, Ann, Bob, Cy, Di, Ed, Flo and Gus, by name.', {
        maxTokens: 24,
        temperature: 0,
      }),
    );
    for (const r of [short, long]) {
      expect(r.promptTokens).toBeGreaterThan(10);
      expect(r.completionTokens).toBeGreaterThan(0);
      expect(r.completionTokens).toBeLessThanOrEqual(24);
      expect(r.latencyMs).toBeGreaterThanOrEqual(0);
      expect(r.attempts).toBe(1);
      expect(['stop', 'length']).toContain(r.finishReason);
    }
    expect(long.promptTokens).toBeGreaterThan(short.promptTokens + 15);
    const after = client.usage();
    expect(after.calls - before.calls).toBe(2);
    expect(after.promptTokens - before.promptTokens).toBe(short.promptTokens + long.promptTokens);
    expect(after.completionTokens - before.completionTokens).toBe(
      short.completionTokens + long.completionTokens,
    );
    expect(after.costUsd).toBe(0);
  });

  it('stops at maxTokens with finishReason length and the cut text as a failure, like HTTP', async () => {
    const r = await client.chat(ask(LONG, { maxTokens: 5, temperature: 0 }));
    expect(r.finishReason).toBe('length');
    expect(r.completionTokens).toBe(5);
    expect(r.failure).toBe('answer cut at the max_tokens limit');
    expect(r.text.length).toBeGreaterThan(0);
  });

  it('ends a turn with finishReason stop when the model ends it', async () => {
    const r = await client.chat(ask('Say hello.', { maxTokens: 400, temperature: 0 }));
    expect(r.finishReason).toBe('stop');
    expect(r.failure).toBeNull();
    expect(r.completionTokens).toBeLessThan(400);
  });

  it('the same seed and temperature give the same text, also from a fresh context; other seeds vary', async () => {
    const req = ask('Write a sentence about a tree.', { maxTokens: 24, temperature: 0.9, seed: 42 });
    const a = await client.chat(req);
    const b = await client.chat(req);
    const other = createLlamaCppClient({ modelPath: path, sequences: 1, contextSize: 512, threads: 1 });
    try {
      const c = await other.chat(req);
      expect(b.text).toBe(a.text);
      expect(c.text).toBe(a.text);
    } finally {
      await other.close();
    }
    const texts = new Set<string>();
    for (const seed of [1, 2, 3, 4]) texts.add((await client.chat({ ...req, seed })).text);
    expect(texts.size).toBeGreaterThan(1);
  });

  it('serves calls on several sequences at once; a third waits for a free one', async () => {
    let peak = 0;
    const calls = [1, 2, 3].map((i) => client.chat(ask(`What is ${i} + ${i}?`, { maxTokens: 16, seed: i })));
    let settled = 0;
    for (const c of calls) void c.finally(() => settled++);
    await waitFor(
      () => {
        peak = Math.max(peak, client.busy());
        return settled === 3;
      },
      { what: 'all 3 calls settled', everyMs: 2 },
    );
    const results = await Promise.all(calls);
    expect(peak).toBe(2);
    for (const r of results) expect(r.completionTokens).toBeGreaterThan(0);
    expect(client.busy()).toBe(0);
  });

  it('an abort ends a generation, and one waiting for a sequence; the sequences are free afterwards', async () => {
    const one = createLlamaCppClient({ modelPath: path, sequences: 1, contextSize: 1024, threads: 1 });
    try {
      const running = new AbortController();
      const waiting = new AbortController();
      const first = one.chat(ask(LONG, { maxTokens: 900, signal: running.signal }));
      const second = one.chat(ask(LONG, { maxTokens: 900, signal: waiting.signal }));
      await waitFor(() => one.busy() === 1, { what: 'the first generation running' });
      waiting.abort();
      await expect(second).rejects.toMatchObject({ name: 'AbortError' });
      running.abort();
      await expect(first).rejects.toMatchObject({ name: 'AbortError' });
      expect(one.busy()).toBe(0);
      const after = await one.chat(ask('Say hello.', { maxTokens: 8 }));
      expect(after.completionTokens).toBeGreaterThan(0);
      expect(one.usage().calls).toBe(1);
    } finally {
      await one.close();
    }
  });

  it('a call over timeoutMs throws LLM_FAILED (retriable), an endpoint fault rather than a failed answer', async () => {
    const slow = createLlamaCppClient({
      modelPath: path,
      sequences: 1,
      contextSize: 1024,
      threads: 1,
      timeoutMs: 300,
    });
    try {
      await slow.ready();
      const e = await slow.chat(ask(LONG, { maxTokens: 900 })).catch((x) => x);
      expect(isArboretumError(e, 'LLM_FAILED')).toBe(true);
      expect(e.retriable).toBe(true);
      expect(e.message).toMatch(/timed out after 300 ms/);
    } finally {
      await slow.close();
    }
  });

  it('a prompt longer than the context is refused with LLM_FAILED naming the sizes', async () => {
    const e = await client.chat(ask('tree '.repeat(1500), { maxTokens: 8 })).catch((x) => x);
    expect(isArboretumError(e, 'LLM_FAILED')).toBe(true);
    expect(e.message).toMatch(/prompt of \d+ tokens leaves no room in a context of 1024 tokens/);
  });

  it('a missing, non-GGUF or directory path is INVALID_CONFIG naming the file', async () => {
    const missing = join(dir, 'nope.gguf');
    const text = join(dir, 'text.gguf');
    await writeFile(text, 'not a model\n');
    const cases: [string, RegExp][] = [
      [missing, /no such file/],
      [text, /not a GGUF file/],
      [dir, /not a file/],
    ];
    for (const [p, why] of cases) {
      let thrown: unknown;
      try {
        createLlamaCppClient({ modelPath: p });
      } catch (e) {
        thrown = e;
      }
      expect(isArboretumError(thrown, 'INVALID_CONFIG')).toBe(true);
      expect((thrown as Error).message).toContain(p);
      expect((thrown as Error).message).toMatch(why);
      expect((thrown as any).context.file).toBe(p);
    }
  });
});

describe('acquireGgufModel', () => {
  it('loads a file once per process, shared by every client, and disposes it when the last share goes', async () => {
    // Another path to the same file, so the shares of the other tests' client do not count here.
    const own = join(dir, 'own.gguf');
    await symlink(path, own);
    const a = acquireGgufModel(own);
    const b = acquireGgufModel(own);
    const model = await a.model;
    expect(await b.model).toBe(model);
    await a.release();
    expect(model.disposed).toBe(false);
    await b.release();
    expect(model.disposed).toBe(true);
    const c = acquireGgufModel(own);
    try {
      expect(await c.model).not.toBe(model);
    } finally {
      await c.release();
    }
  });
});

describe('threadsOf', () => {
  it('takes the option, else $ARBORETUM_LLAMA_THREADS, else half the cores (at least 1)', () => {
    expect(threadsOf(3, {}, 8)).toBe(3);
    expect(threadsOf(undefined, { ARBORETUM_LLAMA_THREADS: '2' }, 8)).toBe(2);
    expect(threadsOf(undefined, {}, 8)).toBe(4);
    expect(threadsOf(undefined, {}, 2)).toBe(1);
    expect(threadsOf(undefined, {}, 1)).toBe(1);
    expect(() => threadsOf(undefined, { ARBORETUM_LLAMA_THREADS: 'many' }, 2)).toThrow(
      /\$ARBORETUM_LLAMA_THREADS must be a whole number >= 1, got "many"/,
    );
    expect(() => threadsOf(0, {}, 2)).toThrow(/threads must be a whole number >= 1/);
  });
});

describe('createRoutingClient', () => {
  it('sends gguf: models to the local client and the rest over HTTP; usage and budget cover both', async () => {
    const server = await startScriptedOpenAI({ reply: () => ({ content: 'remote answer' }) });
    const router = createRoutingClient({
      http: createOpenAIClient({ endpoints: [{ name: 'scripted', baseUrl: server.baseUrl, maxRetries: 0 }] }),
      openGguf: (p) => createLlamaCppClient({ modelPath: p, sequences: 1, contextSize: 512, threads: 1 }),
      budget: { maxTokens: 10_000 },
    });
    try {
      expect(router.knows(model)).toBe(true);
      expect(router.knows('remote-model')).toBe(true);
      const local = await router.chat(ask('Say hello.', { maxTokens: 8 }));
      expect(server.requests).toHaveLength(0);
      const remote = await router.chat({ ...ask('Say hello.'), model: 'remote-model' });
      expect(remote.text).toBe('remote answer');
      expect(server.requests.map((r) => r.model)).toEqual(['remote-model']);
      const u = router.usage();
      expect(u.calls).toBe(2);
      expect(u.promptTokens).toBe(local.promptTokens + remote.promptTokens);
      expect(u.completionTokens).toBe(local.completionTokens + remote.completionTokens);
    } finally {
      await router.close();
      await server.close();
    }
  });

  it('stops every model with BUDGET_EXHAUSTED once the tokens of all clients reach the cap', async () => {
    const router = createRoutingClient({
      openGguf: (p) => createLlamaCppClient({ modelPath: p, sequences: 1, contextSize: 512, threads: 1 }),
      budget: { maxTokens: 5 },
    });
    try {
      await router.chat(ask('Say hello.', { maxTokens: 8 }));
      expect(router.exhausted()).toBe(true);
      const e = await router.chat(ask('Say hello.', { maxTokens: 8 })).catch((x) => x);
      expect(isArboretumError(e, 'BUDGET_EXHAUSTED')).toBe(true);
      const e2 = await router.chat({ ...ask('x'), model: 'remote' }).catch((x) => x);
      expect(isArboretumError(e2, 'BUDGET_EXHAUSTED')).toBe(true);
    } finally {
      await router.close();
    }
  });

  it('without an HTTP client, a model that is not local is INVALID_CONFIG', async () => {
    const router = createRoutingClient({});
    expect(router.knows('remote')).toBe(false);
    const e = await router.chat({ ...ask('x'), model: 'remote' }).catch((x) => x);
    expect(isArboretumError(e, 'INVALID_CONFIG')).toBe(true);
    expect(e.message).toMatch(/no endpoint serves model "remote"/);
  });
});
