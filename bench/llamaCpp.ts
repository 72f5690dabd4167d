// The in-process GGUF model (SmolLM2-135M-Instruct, scripts/setup.sh fetches it) at 1, 2 and 4 concurrent callers on
// as many sequences, beside the same model and adapter behind a small OpenAI-compatible HTTP server in another
// process, called through createOpenAIClient (the openai package). Same prompts and seeds in both, so both generate
// the same tokens. Completion tokens/s and calls/s, medians of N runs; the two modes alternate within each run so
// they see the same machine load.
// Usage: npx tsx bench/llamaCpp.ts [--runs 3] [--calls 3] [--max-tokens 32] [--concurrency 1,2,4] [--threads 1]
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createOpenAIClient } from '../connectors/llm/createOpenAIClient.ts';
import { createLlamaCppClient } from '../connectors/llm/llamaCpp/createLlamaCppClient.ts';
import { smolLm2Path } from '../connectors/llm/llamaCpp/smolLm2Path.ts';
import type { ChatRequest, LlmClient } from '../connectors/llm/llmClient.ts';
import { startScriptedOpenAI } from '../connectors/llm/scripted/startScriptedOpenAI.ts';
import { arithmeticInstructions } from '../examples/support/arithmeticInstructions.ts';
import { median, printTable } from './stats.ts';

const { values } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    sequences: { type: 'string', default: '4' },
    runs: { type: 'string', default: '3' },
    calls: { type: 'string', default: '3' },
    'max-tokens': { type: 'string', default: '32' },
    concurrency: { type: 'string', default: '1,2,4' },
    threads: { type: 'string', default: '1' },
  },
});
const threads = Number(values.threads);
const path = smolLm2Path();
const model = `gguf:${path}`;

if (values.serve) {
  // The HTTP wrapper: the same adapter behind an OpenAI-compatible chat-completions route, in its own process.
  const llm = createLlamaCppClient({
    modelPath: path,
    sequences: Number(values.sequences),
    contextSize: 1024,
    threads,
  });
  await llm.ready();
  const server = await startScriptedOpenAI({
    record: false,
    reply: async (r) => {
      const a = await llm.chat({
        model,
        messages: r.messages,
        temperature: r.body.temperature,
        topP: r.body.top_p,
        maxTokens: r.body.max_tokens,
        seed: r.body.seed,
      });
      return {
        content: a.text,
        promptTokens: a.promptTokens,
        completionTokens: a.completionTokens,
        finishReason: a.finishReason ?? 'stop',
      };
    },
  });
  console.log(server.baseUrl);
  process.once('SIGTERM', async () => {
    await server.close();
    await llm.close();
    process.exit(0);
  });
} else {
  const runs = Number(values.runs);
  const callsPerCaller = Number(values.calls);
  const maxTokens = Number(values['max-tokens']);
  const levels = values.concurrency!.split(',').map(Number);
  const problems = arithmeticInstructions(64, 'bench');
  const requestOf = (caller: number, i: number): ChatRequest => ({
    model,
    messages: [
      { role: 'system', content: 'You are a helpful assistant. Solve the problem step by step.' },
      { role: 'user', content: problems[(caller * callsPerCaller + i) % problems.length].instruction },
    ],
    temperature: 0.7,
    topP: 0.95,
    maxTokens,
    seed: 1000 + caller * 100 + i,
  });
  /** `c` callers, each making `callsPerCaller` calls one after another; tokens/s and calls/s of the whole. */
  const measure = async (llm: LlmClient, c: number) => {
    const before = llm.usage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: c }, async (_, caller) => {
        for (let i = 0; i < callsPerCaller; i++) await llm.chat(requestOf(caller, i));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const after = llm.usage();
    return {
      tokensPerS: (after.completionTokens - before.completionTokens) / seconds,
      callsPerS: (after.calls - before.calls) / seconds,
    };
  };

  const rows: (string | number)[][] = [['mode', 'concurrent', 'tokens/s', 'calls/s', 'vs in-process']];
  for (const c of levels) {
    const local = createLlamaCppClient({ modelPath: path, sequences: c, contextSize: 1024, threads });
    await local.ready();
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        new URL(import.meta.url).pathname,
        '--serve',
        '--sequences',
        String(c),
        '--threads',
        String(threads),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const baseUrl: string = await new Promise((done) =>
      createInterface({ input: child.stdout! }).once('line', done),
    );
    const http = createOpenAIClient({
      endpoints: [{ name: 'wrapper', baseUrl, concurrency: c, maxRetries: 0 }],
    });
    // Warm-up of both: the first call pays for connection set-up and the first evaluation of the context.
    await local.chat(requestOf(0, 0));
    await http.chat(requestOf(0, 0));
    const inProcess: { tokensPerS: number; callsPerS: number }[] = [];
    const overHttp: { tokensPerS: number; callsPerS: number }[] = [];
    for (let r = 0; r < runs; r++) {
      inProcess.push(await measure(local, c));
      overHttp.push(await measure(http, c));
    }
    child.kill('SIGTERM');
    await local.close();
    const med = (xs: { tokensPerS: number; callsPerS: number }[]) => ({
      tokensPerS: median(xs.map((x) => x.tokensPerS)),
      callsPerS: median(xs.map((x) => x.callsPerS)),
    });
    const a = med(inProcess);
    const b = med(overHttp);
    rows.push(['in-process', String(c), a.tokensPerS, a.callsPerS, '1.00']);
    rows.push([
      'HTTP wrapper',
      String(c),
      b.tokensPerS,
      b.callsPerS,
      (b.tokensPerS / a.tokensPerS).toFixed(2),
    ]);
    console.error(`done: ${c} concurrent`);
  }
  console.log(
    `SmolLM2-135M-Instruct Q4_1, ${threads} thread(s), ${callsPerCaller} calls of <= ${maxTokens} tokens per caller, median of ${runs} runs`,
  );
  printTable(rows);
}
