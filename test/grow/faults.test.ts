import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ScriptedOpenAI,
  type ScriptedRequest,
  type ScriptReply,
  startScriptedOpenAI,
} from '../support/scriptedOpenAI.ts';
import { waitFor } from '../support/waitFor.ts';
import { arithmeticActor, arithmeticInstructions, isCritique } from './arithmeticActor.ts';

// grow against misbehaving endpoints, through the real CLI (bin/arboretum.js) and a real file log. Each fault must
// end the run non-zero with a message naming the endpoint, and leave no tree closed `failed`: the trees stay open on
// the log and a rerun against a good endpoint grows them.

const bin = resolve('bin/arboretum.js');
let dir: string;
let instructions: string;
const servers: ScriptedOpenAI[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arb-grow-faults-'));
  instructions = join(dir, 'two.jsonl');
  await writeFile(
    instructions,
    arithmeticInstructions(2, 'fault')
      .map((i) => JSON.stringify(i))
      .join('\n'),
  );
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const serve = async (reply: (r: ScriptedRequest) => ScriptReply) => {
  const s = await startScriptedOpenAI({ reply });
  servers.push(s);
  return s;
};

interface Run {
  readonly child: ChildProcess;
  /** Output so far (grows while the process runs). */
  readonly out: { stdout: string; stderr: string };
  readonly exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts the CLI with a clean LLM environment plus `env`. */
function start(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => {
    out.stdout += d;
  });
  child.stderr!.on('data', (d) => {
    out.stderr += d;
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
    child.on('exit', (code) => done({ code, ...out })),
  );
  return { child, out, exited };
}

const cli = (args: string[], env?: Record<string, string>) => start(args, env).exited;

/** Tree events on the log at `logDir`, as JSON values. */
async function treeEvents(logDir: string): Promise<any[]> {
  const r = await cli(['log', 'read', '--topic', 'tree-events', '--log', `file:${logDir}`]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Trees opened and trees closed `failed` on the log. */
async function outcomes(logDir: string) {
  const events = await treeEvents(logDir);
  const kinds = (k: string) => events.filter((e) => e.payload.kind === k);
  return {
    opened: new Set(kinds('TreeOpened').map((e) => e.treeId)).size,
    failed: kinds('TreeClosed')
      .filter((e) => e.payload.outcome === 'failed')
      .map((e) => e.treeId),
    closed: kinds('TreeClosed'),
  };
}

const growArgs = (logDir: string, baseUrl: string, more: string[] = []) => [
  'grow',
  '--log',
  `file:${logDir}`,
  '--instructions',
  instructions,
  '--base-url',
  baseUrl,
  '--model',
  'm',
  '--max-turns',
  '2',
  '--progress',
  'json',
  ...more,
];

describe('grow against a faulty endpoint (CLI): the run stops, no tree fails', () => {
  it.each([
    [
      'a 200 body that is not JSON',
      { raw: '<html>502 Bad Gateway from a proxy</html>' },
      /reply is not JSON: «<html>502 Bad Gateway/,
    ],
    [
      'an empty choices array',
      { body: { id: 'x', object: 'chat.completion', choices: [] } },
      /reply has no choices: «\{"id":"x"/,
    ],
  ] as const)(
    '%s: retried, then a non-zero stop naming endpoint, model and reply',
    async (_what, reply, message) => {
      const s = await serve(() => reply);
      const logDir = join(dir, `bad-${servers.length}-${Date.now()}`);
      const r = await cli(growArgs(logDir, s.baseUrl, ['--max-retries', '2']));
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`grow stopped: llm endpoint --base-url (${s.baseUrl}), model m: `);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/after 3 attempts/);
      // The retries were told as they happened.
      expect(r.stderr).toMatch(/grow: llm endpoint --base-url, model m: reply .*; retry 1 in/);
      const ids = s.requests.map((q) => q.requestId);
      expect(Math.max(...[...new Set(ids)].map((id) => ids.filter((x) => x === id).length))).toBe(3);
      const o = await outcomes(logDir);
      expect(o.opened).toBeGreaterThan(0);
      expect(o.failed).toEqual([]);
      // The trees stayed open: a good endpoint grows them to the end.
      const good = await serve(arithmeticActor({ skill: { m: 0.5 } }));
      const again = await cli(growArgs(logDir, good.baseUrl));
      expect(again.code, again.stderr).toBe(0);
      const after = await outcomes(logDir);
      expect(after.closed.map((e) => e.payload.outcome).sort()).not.toContain('failed');
      expect(new Set(after.closed.map((e) => e.treeId)).size).toBe(2);
    },
  );

  it('HTTP 401: not retried, a stop (exit 2) naming the endpoint and the reply', async () => {
    const s = await serve(() => ({
      status: 401,
      body: { error: { message: 'Incorrect API key provided: sk-wr***ng', type: 'invalid_request_error' } },
    }));
    const logDir = join(dir, 'auth');
    const r = await cli(growArgs(logDir, s.baseUrl), { OPENAI_API_KEY: 'sk-wrong' });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`grow stopped: llm endpoint --base-url (${s.baseUrl}), model m: HTTP 401`);
    expect(r.stderr).toMatch(/refused the API key.*Incorrect API key provided/);
    const ids = s.requests.map((q) => q.requestId);
    expect(new Set(ids).size).toBe(ids.length);
    const o = await outcomes(logDir);
    expect(o.opened).toBeGreaterThan(0);
    expect(o.failed).toEqual([]);
  });

  it('HTTP 404 for an unknown model: not retried, a stop naming the model', async () => {
    const s = await serve(() => ({
      status: 404,
      body: { error: { message: 'The model `m` does not exist', code: 'model_not_found' } },
    }));
    const logDir = join(dir, 'model');
    const r = await cli(growArgs(logDir, s.baseUrl));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/grow stopped: llm endpoint --base-url .*model m: HTTP 404: unknown model "m"/);
    expect((await outcomes(logDir)).failed).toEqual([]);
  });

  it.each([
    [
      '--base-url',
      ['--base-url', 'localhost:8000/v1'],
      {},
      /llm endpoint --base-url: baseUrl "localhost:8000\/v1" has protocol localhost:/,
    ],
    [
      '$OPENAI_BASE_URL',
      [],
      { OPENAI_BASE_URL: 'http://' },
      /llm endpoint \$OPENAI_BASE_URL: baseUrl "http:\/\/" is not a URL/,
    ],
  ] as const)(
    'an invalid URL (%s) is refused before anything starts (exit 2), named with its value',
    async (_what, flags, env, message) => {
      const logDir = join(dir, `url-${Date.now()}`);
      const args = growArgs(logDir, 'unused').filter((a) => a !== '--base-url' && a !== 'unused');
      const r = await cli([...args, ...flags], env);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/grow: at most/);
    },
  );

  it('an invalid baseUrl in a config file names the endpoint and the value', async () => {
    const config = join(dir, 'badurl.yaml');
    await writeFile(
      config,
      'actors:\n  strong: m\nendpoints:\n  - name: local-vllm\n    baseUrl: "htp//127.0.0.1:8000/v1"\n',
    );
    const r = await cli([
      'grow',
      '--config',
      config,
      '--instructions',
      instructions,
      '--log',
      `file:${join(dir, 'cfg')}`,
    ]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('llm endpoint local-vllm: baseUrl "htp//127.0.0.1:8000/v1" is not a URL');
  });

  it('a hanging endpoint: timeouts are told with their value; SIGTERM aborts the calls and the run stops', async () => {
    const s = await serve(() => ({ hang: true }));
    const logDir = join(dir, 'hang');
    // Calls time out after 1 s and are retried without end (100 retries ≈ minutes): only the signal can stop this run.
    const run = start(
      growArgs(logDir, s.baseUrl, ['--timeout-s', '1', '--max-retries', '100', '--concurrency', '2']),
    );
    await waitFor(() => /request timed out after 1 s \(--timeout-s\)/.test(run.out.stderr), {
      what: 'a timeout reported',
      deadlineMs: 60_000,
    });
    const atSignal = s.requests.length;
    run.child.kill('SIGTERM');
    // The issue asks for an exit within 10 s of SIGTERM. A wall-clock bound flakes on a loaded machine, so the
    // deadline here is 60 s — a failure only if the run would otherwise go on (100 retries of 1 s timeouts are
    // minutes) — and what the signal must do is checked instead: the calls in flight were aborted and no retry
    // followed. Only the --concurrency (2) slots can send: each sends at most once more in the instant between the
    // kill and the child handling it (a request on the wire, or a retry timed just then), so at most 2 × 2 arrive
    // after `atSignal`; a retry loop left running would add 2 more every ~1.5 s until the deadline.
    const deadline = setTimeout(() => run.child.kill('SIGKILL'), 60_000);
    const r = await run.exited;
    clearTimeout(deadline);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/grow: stopping now: the calls in flight are aborted/);
    expect(r.stderr).toMatch(/grow stopped: interrupted/);
    expect(s.requests.length - atSignal).toBeLessThanOrEqual(4);
    // The last progress line is the totals, with the timeouts counted.
    const last = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{"progress":'))
      .map((l) => JSON.parse(l))
      .at(-1);
    expect(last.final).toBe(true);
    expect(last.progress.timeouts).toBeGreaterThanOrEqual(1);
    expect(r.stderr).toMatch(/\d+ timeouts/);
    const o = await outcomes(logDir);
    expect(o.opened).toBeGreaterThan(0);
    expect(o.failed).toEqual([]);
  });
});

describe('grow and money (CLI)', () => {
  const pricedConfig = async (name: string, baseUrl: string, prices: string) => {
    const file = join(dir, `${name}.yaml`);
    await writeFile(
      file,
      `actors:\n  strong: m\nendpoints:\n  - name: scripted\n    baseUrl: ${baseUrl}\n    prices:\n${prices}`,
    );
    return file;
  };

  it('refuses --budget-usd (exit 2) when a model has no price, naming the models, before any call', async () => {
    const s = await serve(arithmeticActor());
    const r = await cli([
      ...growArgs(join(dir, 'noprice'), s.baseUrl),
      '--budget-usd',
      '0.0001',
      '--weak-model',
      'cheap',
    ]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /a budget of \$0\.0001 needs a price for every model used; no price for m, cheap/,
    );
    const config = await pricedConfig(
      'half',
      s.baseUrl,
      '      m: {promptPerMTok: 1, completionPerMTok: 2}\n',
    );
    const half = await cli([
      'grow',
      '--config',
      config,
      '--weak-model',
      'cheap',
      '--instructions',
      instructions,
      '--log',
      `file:${join(dir, 'noprice2')}`,
      '--budget-usd',
      '1',
    ]);
    expect(half.code, half.stderr).toBe(2);
    expect(half.stderr).toMatch(/no price for cheap\./);
    expect(s.requests).toHaveLength(0);
  });

  it('a priced run stops at the dollar cap (exit 3) with everything kept, shows the dollars, and resumes', async () => {
    const s = await serve((r) => ({ ...arithmeticActor()(r), promptTokens: 1000, completionTokens: 1000 }));
    // $10 per million tokens both ways: every call costs $0.02.
    const config = await pricedConfig(
      'priced',
      s.baseUrl,
      '      m: {promptPerMTok: 10, completionPerMTok: 10}\n',
    );
    const logDir = join(dir, 'priced');
    const args = [
      'grow',
      '--config',
      config,
      '--instructions',
      instructions,
      '--log',
      `file:${logDir}`,
      '--max-turns',
      '2',
      '--progress',
      'json',
    ];
    const first = await cli([...args, '--budget-usd', '0.05']);
    expect(first.code, first.stderr).toBe(3);
    const reached = /grow stopped: llm budget reached \(\$(\d+\.\d+) of \$0\.05\)/.exec(first.stderr);
    expect(reached, first.stderr).not.toBeNull();
    expect(Number(reached![1])).toBeGreaterThanOrEqual(0.05);
    expect(first.stderr).toMatch(/LLM calls, \d+ tokens, \$0\.\d{4} of \$0\.05/);
    const final = JSON.parse(
      first.stderr
        .split('\n')
        .filter((l) => l.startsWith('{"progress":'))
        .at(-1)!,
    );
    expect(final.final).toBe(true);
    expect(final.progress.costUsd).toBeGreaterThanOrEqual(0.05);
    const spent = s.requests.length;
    expect(final.progress.costUsd).toBeCloseTo(0.02 * spent, 6);
    // Everything paid for is on the log: the rerun asks no prompt again.
    const second = await cli(args);
    expect(second.code, second.stderr).toBe(0);
    const ids = s.requests.map((q) => q.requestId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(s.requests.length).toBeGreaterThan(spent);
    expect((await outcomes(logDir)).closed.length).toBe(2);
  });

  it('prints the worst-case calls per tree of the configuration, and the cap', async () => {
    const s = await serve(arithmeticActor({ skill: { m: 1 } }));
    const r = await cli(
      growArgs(join(dir, 'worst'), s.baseUrl, [
        '--resamples',
        '4',
        '--ladder-rounds',
        '1',
        '--ladder-samples',
        '2',
        '--ground-truth-attempts',
        '1',
        '--wave',
        '2',
      ]),
    );
    expect(r.code, r.stderr).toBe(0);
    // 2 turns × (2 + 4 + 1×2 + 1) + 1 critique.
    expect(r.stderr).toMatch(
      /grow: at most 21 LLM calls per tree \(2 turns × 9: the pair, 4 resamples, 1×2 up the ladder, 1 given the reference; \+ 1 critiques with up to 2 re-asks each\)/,
    );
    const capped = await cli(growArgs(join(dir, 'worst2'), s.baseUrl, ['--max-calls-per-tree', '5']));
    expect(capped.stderr).toMatch(
      /grow: at most 5 LLM calls per tree .*capped by --max-calls-per-tree from 75/,
    );
    const bad = await cli(growArgs(join(dir, 'worst3'), s.baseUrl, ['--resamples', 'many']));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--resamples takes a whole number >= 0, got "many"/);
  });
});

// The flags of issue 12 reach the grower (GrowConfig.maxCallsPerTree / criticTemperature, the grower's retryFailed).
describe('grow flags wired into the grower', () => {
  it('--retry-failed reopens trees that closed failed and regrows them', async () => {
    const empty = await serve(() => ({ content: '' }));
    const logDir = join(dir, 'retry');
    const noFallback = ['--resamples', '0', '--ladder-rounds', '0', '--ground-truth-attempts', '0'];
    const first = await cli(growArgs(logDir, empty.baseUrl, noFallback));
    expect(first.code, first.stderr).toBe(0);
    expect((await outcomes(logDir)).failed.length).toBe(2);
    const good = await serve(arithmeticActor({ skill: { m: 1 } }));
    const skipped = await cli(growArgs(logDir, good.baseUrl, noFallback));
    expect(skipped.stderr).toMatch(/2 already closed/);
    expect(good.requests).toHaveLength(0);
    const again = await cli(growArgs(logDir, good.baseUrl, [...noFallback, '--retry-failed']));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/2 solved, .*; 2 reopened \(--retry-failed\)/);
    expect(good.requests.length).toBeGreaterThan(0);
    const events = await treeEvents(logDir);
    const lastClose = new Map<string, string>();
    for (const e of events) if (e.payload.kind === 'TreeClosed') lastClose.set(e.treeId, e.payload.outcome);
    expect([...lastClose.values()]).toEqual(['solved', 'solved']);
    // One reopen a tree, with its own id; the regrowth's nodes and events are new (g1.), every event id once.
    const reopens = events.filter((e) => e.payload.kind === 'TreeReopened');
    expect(reopens.map((e) => [e.eventId, e.payload.generation])).toEqual(
      [...lastClose.keys()].map((t) => [`${t}/g1/TreeReopened`, 1]),
    );
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    const regrown = events.filter((e) => e.seq > reopens.find((r) => r.treeId === e.treeId)!.seq);
    for (const e of regrown) if ('nodeId' in e.payload) expect(e.payload.nodeId).toMatch(/^g1\.t\d/);
    for (const q of good.requests) expect(q.requestId).toMatch(/^[0-9a-f]{64}\/g1\.t/);

    // A rerun with --retry-failed reopens nothing more: the trees are solved.
    const asked = good.requests.length;
    const rerun = await cli(growArgs(logDir, good.baseUrl, [...noFallback, '--retry-failed']));
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/2 already closed/);
    expect(good.requests).toHaveLength(asked);
    expect((await treeEvents(logDir)).length).toBe(events.length);

    // The export equals that of the same trees grown solved in the first place (row ids included).
    const straightDir = join(dir, 'retry-straight');
    const straight = await cli(growArgs(straightDir, good.baseUrl, noFallback));
    expect(straight.code, straight.stderr).toBe(0);
    for (const format of ['ultrainteract-pair', 'ultrainteract-sft']) {
      const out = async (logAt: string) => {
        const file = join(dir, `${format}-${logAt.split('/').pop()}.jsonl`);
        const r = await cli(['export', '--log', `file:${logAt}`, '--format', format, '--out', file]);
        expect(r.code, r.stderr).toBe(0);
        return readFile(file, 'utf8');
      };
      const retried = await out(logDir);
      // This actor is always right: both actions of each turn-1 pair are SFT rows, and no pair.
      expect(retried.split('\n').filter(Boolean)).toHaveLength(format === 'ultrainteract-sft' ? 4 : 0);
      expect(retried).toBe(await out(straightDir));
    }
  });

  it('--max-calls-per-tree caps the calls of each tree, which closes exhausted naming the cap', async () => {
    // An actor that is never right: without the cap each tree would run the whole fallback.
    const s = await serve(arithmeticActor({ skill: { m: 0 } }));
    const logDir = join(dir, 'cap');
    const r = await cli(growArgs(logDir, s.baseUrl, ['--max-calls-per-tree', '4']));
    expect(r.code, r.stderr).toBe(0);
    const perTree = new Map<string, number>();
    for (const q of s.requests) {
      const tree = q.requestId!.split('/')[0];
      perTree.set(tree, (perTree.get(tree) ?? 0) + 1);
    }
    expect(perTree.size).toBe(2);
    // The pair is asked; a fallback wave that could cross the cap is not started.
    for (const n of perTree.values()) {
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(4);
    }
    const closes = (await treeEvents(logDir)).filter((e: any) => e.payload.kind === 'TreeClosed');
    expect(closes).toHaveLength(2);
    for (const c of closes as any[]) {
      expect(c.payload.outcome).toBe('exhausted');
      expect(c.payload.reason).toMatch(/maxCallsPerTree 4/);
    }
  });

  it('--critic-temperature reaches the critic', async () => {
    const s = await serve(arithmeticActor());
    const r = await cli(growArgs(join(dir, 'critic-t'), s.baseUrl, ['--critic-temperature', '0.3']));
    expect(r.code, r.stderr).toBe(0);
    const critiques = s.requests.filter(isCritique);
    expect(critiques.length).toBeGreaterThan(0);
    for (const c of critiques) expect(c.body.temperature).toBe(0.3);
  });
});
