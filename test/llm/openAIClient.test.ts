import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAIClient as createClient } from '../../connectors/llm/createOpenAIClient.ts';
import { createRateLimiter } from '../../connectors/llm/rateLimiter.ts';
import { retryDelayOf } from '../../connectors/llm/retryDelayOf.ts';
import { isArboretumError } from '../../schemas/errors.ts';
import { type ScriptedOpenAI, type ScriptReply, startScriptedOpenAI } from '../support/scriptedOpenAI.ts';
import { waitFor } from '../support/waitFor.ts';

const servers: ScriptedOpenAI[] = [];
const start = async (reply: Parameters<typeof startScriptedOpenAI>[0] = {}) => {
  const s = await startScriptedOpenAI(reply);
  servers.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const ask = (content = 'hello', model = 'm') => ({ model, messages: [{ role: 'user', content }] });
const caught = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
};

describe.each([
  ['node:http fetch', true],
  ['global fetch', false],
])('createOpenAIClient over %s', (_name, nodeHttp) => {
  const createOpenAIClient = (o: Parameters<typeof createClient>[0]) => createClient({ nodeHttp, ...o });
  it('returns the answer with tokens and latency, sends the request id and the key', async () => {
    const s = await start({
      reply: () => ({ content: 'Step 1: 42', promptTokens: 11, completionTokens: 7 }),
      latencyMs: 30,
    });
    const llm = createOpenAIClient({ endpoints: [{ name: 'e', baseUrl: s.baseUrl, apiKey: 'sk-test' }] });
    const r = await llm.chat({
      ...ask(),
      requestId: 'tree/t1.a0.0',
      seed: 5,
      temperature: 0.7,
      maxTokens: 99,
    });
    expect(r).toMatchObject({
      text: 'Step 1: 42',
      failure: null,
      promptTokens: 11,
      completionTokens: 7,
      attempts: 1,
    });
    expect(r.latencyMs).toBeGreaterThanOrEqual(25);
    expect(s.requests[0].requestId).toBe('tree/t1.a0.0');
    expect(s.requests[0].authorization).toBe('Bearer sk-test');
    expect(s.requests[0].body).toMatchObject({ seed: 5, temperature: 0.7, max_tokens: 99 });
    expect(llm.usage()).toMatchObject({ calls: 1, promptTokens: 11, completionTokens: 7, retries: 0 });
  });

  it('retries 429 after the Retry-After the server gave, then succeeds', async () => {
    let n = 0;
    const s = await start({
      reply: (): ScriptReply =>
        n++ === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { content: 'ok' },
    });
    const llm = createOpenAIClient({
      endpoints: [{ name: 'e', baseUrl: s.baseUrl }],
      backoff: { baseMs: 1 },
    });
    const r = await llm.chat(ask());
    expect(r).toMatchObject({ text: 'ok', attempts: 2 });
    expect(s.requests[1].receivedAt - s.requests[0].receivedAt).toBeGreaterThanOrEqual(950);
    expect(llm.usage().retries).toBe(1);
  });

  it('retries 5xx with backoff and honours retry-after-ms', async () => {
    let n = 0;
    const s = await start({
      reply: (): ScriptReply =>
        n++ < 2 ? { status: 503, headers: { 'retry-after-ms': '200' } } : { content: 'fine' },
    });
    const llm = createOpenAIClient({ endpoints: [{ name: 'e', baseUrl: s.baseUrl }] });
    const r = await llm.chat(ask());
    expect(r.attempts).toBe(3);
    expect(s.requests[2].receivedAt - s.requests[1].receivedAt).toBeGreaterThanOrEqual(190);
  });

  it('times out a hung call, retries it, and reports a retriable failure when retries are spent', async () => {
    const s = await start({ reply: () => ({ hang: true }) });
    const llm = createOpenAIClient({
      endpoints: [{ name: 'e', baseUrl: s.baseUrl, timeoutMs: 150, maxRetries: 1 }],
      backoff: { baseMs: 10 },
    });
    const e = await caught(llm.chat(ask()));
    expect(isArboretumError(e, 'LLM_FAILED')).toBe(true);
    expect((e as any).retriable).toBe(true);
    expect((e as Error).message).toMatch(/timed out.*after 2 attempts/);
    expect(s.requests).toHaveLength(2);
  });

  it('does not retry a refused request (400) and says it is not retriable', async () => {
    const s = await start({ reply: () => ({ status: 400 }) });
    const llm = createOpenAIClient({ endpoints: [{ name: 'local', baseUrl: s.baseUrl }] });
    const e = await caught(llm.chat(ask()));
    expect(isArboretumError(e, 'LLM_FAILED')).toBe(true);
    expect((e as any).retriable).toBe(false);
    expect((e as Error).message).toMatch(/local.*HTTP 400/);
    expect(s.requests).toHaveLength(1);
  });

  it('returns empty and cut answers of a healthy endpoint as failures, not exceptions', async () => {
    const replies: Record<string, ScriptReply> = {
      empty: { content: '   ' },
      nullContent: { body: { choices: [{ message: { content: null }, finish_reason: 'stop' }] } },
      cut: { body: { choices: [{ message: { content: 'Step 1: half' }, finish_reason: 'length' }] } },
    };
    const s = await start({ reply: (r) => replies[r.model] });
    const llm = createOpenAIClient({ endpoints: [{ name: 'e', baseUrl: s.baseUrl }] });
    const out = Object.fromEntries(
      await Promise.all(Object.keys(replies).map(async (m) => [m, await llm.chat(ask('q', m))] as const)),
    );
    expect(out.empty).toMatchObject({ text: '', failure: 'empty answer', finishReason: 'stop' });
    expect(out.nullContent).toMatchObject({ text: '', failure: 'empty answer' });
    expect(out.cut).toMatchObject({
      text: 'Step 1: half',
      failure: 'answer cut at the max_tokens limit',
      finishReason: 'length',
    });
    expect(s.requests).toHaveLength(3);
    expect(llm.usage().failedCalls).toBe(3);
  });

  it.each([
    ['a body that is not JSON', { raw: 'this is not json {' }, /reply is not JSON: «this is not json \{»/],
    [
      'an empty choices array',
      { body: { id: 'x', choices: [] } },
      /reply has no choices: «\{"id":"x","choices":\[\]\}»/,
    ],
    ['a choice without a message', { body: { choices: [{ index: 0 }] } }, /choice has no message/],
  ] as const)(
    'retries %s with backoff, then throws a retriable endpoint fault naming endpoint, model and reply',
    async (_what, reply, message) => {
      const s = await start({ reply: () => reply });
      const retries: string[] = [];
      const llm = createOpenAIClient({
        endpoints: [{ name: 'local', baseUrl: s.baseUrl, maxRetries: 2 }],
        backoff: { baseMs: 1 },
        onRetry: (r) => retries.push(r.reason),
      });
      const e = await caught(llm.chat(ask('q', 'm7')));
      expect(isArboretumError(e, 'LLM_FAILED')).toBe(true);
      expect((e as any).retriable).toBe(true);
      expect((e as any).context).toMatchObject({ endpoint: 'local', model: 'm7', endpointFault: true });
      expect((e as Error).message).toContain(`llm endpoint local (${s.baseUrl}), model m7`);
      expect((e as Error).message).toMatch(message);
      expect((e as Error).message).toMatch(/after 3 attempts/);
      expect(s.requests).toHaveLength(3);
      expect(retries).toHaveLength(2);
    },
  );

  it.each([
    [401, /HTTP 401: the endpoint refused the API key/],
    [403, /HTTP 403: the endpoint refused the API key/],
    [404, /HTTP 404: unknown model "gpt-nope"/],
  ])(
    'does not retry HTTP %i: a config fault (INVALID_CONFIG) naming endpoint, model and reply',
    async (status, message) => {
      const s = await start({
        reply: () => ({ status, body: { error: { message: `nope ${status}`, type: 'x', code: null } } }),
      });
      const llm = createOpenAIClient({ endpoints: [{ name: 'prod', baseUrl: s.baseUrl }] });
      const e = await caught(llm.chat(ask('q', 'gpt-nope')));
      expect(isArboretumError(e, 'INVALID_CONFIG')).toBe(true);
      expect((e as Error).message).toContain(`llm endpoint prod (${s.baseUrl}), model gpt-nope`);
      expect((e as Error).message).toMatch(message);
      expect((e as Error).message).toContain(`nope ${status}`);
      expect(s.requests).toHaveLength(1);
    },
  );

  it('treats model_not_found on any status as an unknown model', async () => {
    const s = await start({
      reply: () => ({ status: 400, body: { error: { message: 'no such model', code: 'model_not_found' } } }),
    });
    const llm = createOpenAIClient({ endpoints: [{ name: 'e', baseUrl: s.baseUrl }] });
    const e = await caught(llm.chat(ask('q', 'mystery')));
    expect(isArboretumError(e, 'INVALID_CONFIG')).toBe(true);
    expect((e as Error).message).toMatch(/unknown model "mystery"/);
    expect(s.requests).toHaveLength(1);
  });

  it('counts and reports each timeout with its value', async () => {
    const s = await start({ reply: () => ({ hang: true }) });
    const told: unknown[] = [];
    const llm = createOpenAIClient({
      endpoints: [{ name: 'e', baseUrl: s.baseUrl, timeoutMs: 100, maxRetries: 1 }],
      backoff: { baseMs: 1 },
      onTimeout: (t) => told.push(t),
    });
    const e = await caught(llm.chat(ask()));
    expect((e as Error).message).toMatch(/request timed out after 0.1 s/);
    expect(llm.usage().timeouts).toBe(2);
    expect(told).toEqual([
      { endpoint: 'e', model: 'm', attempt: 1, timeoutMs: 100 },
      { endpoint: 'e', model: 'm', attempt: 2, timeoutMs: 100 },
    ]);
  });

  it('an abort ends a call in flight and asks nothing more', async () => {
    const s = await start({ reply: () => ({ hang: true }) });
    const run = new AbortController();
    const llm = createOpenAIClient({ endpoints: [{ name: 'e', baseUrl: s.baseUrl }], signal: run.signal });
    const pending = caught(llm.chat(ask()));
    await waitFor(() => s.requests.length === 1, { what: 'the hanging request on the server' });
    run.abort();
    const e = await pending;
    expect(isArboretumError(e, 'LLM_FAILED')).toBe(true);
    expect((e as any).retriable).toBe(true);
    expect((e as any).context.aborted).toBe(true);
    expect(isArboretumError(await caught(llm.chat(ask())), 'LLM_FAILED')).toBe(true);
    expect(s.requests).toHaveLength(1);
  });

  it('an abort ends a backoff wait and a rate-limit wait at once', async () => {
    const s = await start({ reply: () => ({ status: 503 }) });
    const run = new AbortController();
    const retried: number[] = [];
    // A backoff of about an hour and one request a minute: without the abort these would wait for hours
    // (the test's own timeout fails it).
    const llm = createOpenAIClient({
      endpoints: [{ name: 'e', baseUrl: s.baseUrl, concurrency: 1, rpm: 1 }],
      backoff: { baseMs: 3_600_000, maxMs: 3_600_000 },
      signal: run.signal,
      onRetry: (r) => retried.push(r.delayMs),
    });
    const backingOff = caught(llm.chat(ask('a')));
    await waitFor(() => retried.length === 1, { what: 'the first retry' });
    const rateLimited = caught(llm.chat(ask('b')));
    run.abort();
    for (const e of await Promise.all([backingOff, rateLimited])) {
      expect((e as any).context?.aborted).toBe(true);
    }
    expect(s.requests).toHaveLength(1);
  });

  it('refuses a cost budget for a model without a price', async () => {
    const s = await start();
    const llm = createOpenAIClient({
      endpoints: [
        { name: 'e', baseUrl: s.baseUrl, prices: { priced: { promptPerMTok: 1, completionPerMTok: 1 } } },
      ],
      budget: { maxCostUsd: 1 },
    });
    const e = await caught(llm.chat(ask('q', 'free')));
    expect(isArboretumError(e, 'INVALID_CONFIG')).toBe(true);
    expect((e as Error).message).toMatch(/model free has no price/);
    expect(s.requests).toHaveLength(0);
  });

  it('holds at most `concurrency` calls in flight per endpoint', async () => {
    const s = await start({ latencyMs: 60 });
    const llm = createOpenAIClient({ endpoints: [{ name: 'e', baseUrl: s.baseUrl, concurrency: 3 }] });
    await Promise.all(Array.from({ length: 10 }, (_, i) => llm.chat(ask(`q${i}`))));
    expect(s.peakInFlight()).toBe(3);
    expect(s.requests).toHaveLength(10);
  });

  it('spaces requests past the per-minute request limit of an endpoint', async () => {
    // The limiter runs on an injected clock; the server notes that clock at each arrival. No wall-clock bounds.
    let t = 0;
    const seen: number[] = [];
    const s = await start({
      reply: () => {
        seen.push(t);
        return { content: 'ok' };
      },
    });
    const llm = createOpenAIClient({
      endpoints: [{ name: 'e', baseUrl: s.baseUrl, rpm: 120, concurrency: 200 }],
      now: () => t,
    });
    let done = 0;
    const all = Array.from({ length: 122 }, (_, i) => llm.chat(ask(`q${i}`)).then(() => done++));
    // A full minute's bucket (120) goes with the clock standing still; the next two wait for it to refill.
    await waitFor(() => done === 120, { what: 'the 120 calls of a full bucket' });
    expect(s.requests).toHaveLength(120);
    await waitFor(
      () => {
        t += 50;
        return done === 122;
      },
      { what: 'the 2 calls past the bucket' },
    );
    await Promise.all(all);
    expect(seen.slice(0, 120).every((x) => x === 0)).toBe(true);
    // 0.5 s a request at 120 a minute.
    expect(seen[120]).toBeGreaterThanOrEqual(500);
    expect(seen[121]).toBeGreaterThanOrEqual(1000);
  });

  it('holds requests back once the tokens of the last minute pass the limit', async () => {
    let t = 0;
    const seen: number[] = [];
    const s = await start({
      reply: () => {
        seen.push(t);
        return { content: 'ok', promptTokens: 151, completionTokens: 50 };
      },
    });
    const llm = createOpenAIClient({
      endpoints: [{ name: 'e', baseUrl: s.baseUrl, tpm: 600 }],
      now: () => t,
    });
    for (let i = 0; i < 3; i++) await llm.chat(ask(`q${i}`));
    const fourth = llm.chat(ask('q3'));
    let answered = false;
    fourth.then(() => (answered = true));
    await waitFor(
      () => {
        t += 50;
        return answered;
      },
      { what: 'the 4th call past the token limit' },
    );
    // 3 × 201 tokens take the bucket of 600 to -3 with the clock standing still; the 4th call waits until it refills
    // above zero (60000 / 600 = 100 ms a token: 400 ms).
    expect(seen.slice(0, 3)).toEqual([0, 0, 0]);
    expect(seen[3]).toBeGreaterThanOrEqual(400);
  });

  it('routes models to their endpoints, the unlisted ones to the endpoint with no model list', async () => {
    const a = await start({ reply: () => ({ content: 'from a' }) });
    const b = await start({ reply: () => ({ content: 'from b' }) });
    const llm = createOpenAIClient({
      endpoints: [
        { name: 'a', baseUrl: a.baseUrl, models: ['small'] },
        { name: 'b', baseUrl: b.baseUrl },
      ],
    });
    expect((await llm.chat(ask('x', 'small'))).text).toBe('from a');
    expect((await llm.chat(ask('x', 'big'))).text).toBe('from b');
    const only = createOpenAIClient({ endpoints: [{ name: 'a', baseUrl: a.baseUrl, models: ['small'] }] });
    expect(only.knows('big')).toBe(false);
    const e = await caught(only.chat(ask('x', 'big')));
    expect(isArboretumError(e, 'INVALID_CONFIG')).toBe(true);
  });

  it('stops at the token budget with BUDGET_EXHAUSTED and keeps the totals', async () => {
    const s = await start({ reply: () => ({ content: 'ok', promptTokens: 20, completionTokens: 10 }) });
    const llm = createOpenAIClient({
      endpoints: [{ name: 'e', baseUrl: s.baseUrl }],
      budget: { maxTokens: 50 },
    });
    await llm.chat(ask());
    expect(llm.exhausted()).toBe(false);
    await llm.chat(ask());
    expect(llm.exhausted()).toBe(true);
    const e = await caught(llm.chat(ask()));
    expect(isArboretumError(e, 'BUDGET_EXHAUSTED')).toBe(true);
    expect((e as Error).message).toMatch(/60 of 50 tokens/);
    expect(s.requests).toHaveLength(2);
  });

  it('stops at the cost budget from the configured prices', async () => {
    const s = await start({ reply: () => ({ content: 'ok', promptTokens: 1000, completionTokens: 1000 }) });
    const llm = createOpenAIClient({
      endpoints: [
        { name: 'e', baseUrl: s.baseUrl, prices: { m: { promptPerMTok: 1, completionPerMTok: 3 } } },
      ],
      budget: { maxCostUsd: 0.006 },
    });
    await llm.chat(ask());
    expect(llm.usage().costUsd).toBeCloseTo(0.004, 9);
    await llm.chat(ask());
    expect(isArboretumError(await caught(llm.chat(ask())), 'BUDGET_EXHAUSTED')).toBe(true);
  });

  it('rejects an invalid endpoint config with the endpoint named', () => {
    expect(() => createOpenAIClient({ endpoints: [{ name: 'x', concurrency: 0 }] })).toThrow(
      /endpoint x: concurrency/,
    );
    expect(() => createOpenAIClient({ endpoints: [{ name: 'x', baseUrl: 'localhost:8000/v1' }] })).toThrow(
      /llm endpoint x: baseUrl "localhost:8000\/v1" has protocol localhost:, not http\(s\)/,
    );
    expect(() => createOpenAIClient({ endpoints: [{ name: 'y', baseUrl: 'not a url' }] })).toThrow(
      /llm endpoint y: baseUrl "not a url" is not a URL/,
    );
    expect(() => createOpenAIClient({ endpoints: [{ name: 'z', timeoutMs: 0 }] })).toThrow(
      /endpoint z: timeoutMs/,
    );
    expect(() => createOpenAIClient({ endpoints: [] })).toThrow(/at least one endpoint/);
  });
});

describe('createRateLimiter', () => {
  it('lets a minute of requests through, then spaces them at rpm', async () => {
    const t = 0;
    const rl = createRateLimiter({ rpm: 60, now: () => t });
    for (let i = 0; i < 60; i++) {
      expect(rl.waitMs()).toBe(0);
      await rl.acquire();
    }
    expect(rl.waitMs()).toBe(1000);
  });
  it('waits per the request and token buckets', async () => {
    let t = 0;
    const rl = createRateLimiter({ rpm: 2, tpm: 1000, now: () => t });
    await rl.acquire();
    await rl.acquire();
    expect(rl.waitMs()).toBe(30_000);
    t = 30_000;
    expect(rl.waitMs()).toBe(0);
    rl.spend(1500); // bucket at 1000 → -500: hold until it is back above 0
    expect(rl.waitMs()).toBe(Math.ceil((501 * 60_000) / 1000));
    t += 31_000;
    expect(rl.waitMs()).toBe(0);
  });
});

describe('retryDelayOf', () => {
  const h = (o: Record<string, string>) => new Headers(o);
  it('prefers the server’s Retry-After (seconds, ms or date)', () => {
    expect(retryDelayOf(1, h({ 'retry-after': '3' }))).toBe(3000);
    expect(retryDelayOf(1, h({ 'retry-after-ms': '250', 'retry-after': '3' }))).toBe(250);
    expect(retryDelayOf(1, h({ 'retry-after': new Date(10_000).toUTCString() }), {}, 4_000)).toBe(6_000);
  });
  it('backs off exponentially with jitter, capped', () => {
    expect(retryDelayOf(1, undefined, { baseMs: 100, random: 0 })).toBe(50);
    expect(retryDelayOf(3, undefined, { baseMs: 100, random: 0.999 })).toBe(400);
    expect(retryDelayOf(20, undefined, { baseMs: 100, maxMs: 1000, random: 0.5 })).toBe(750);
  });
});
