// Grower throughput against a scripted OpenAI-compatible server with fixed latency: LLM calls/s achieved vs the
// ideal (concurrency / latency), and the grower's peak RSS. Median of N runs per concurrency.
// Usage: npx tsx bench/grow.ts [--latency-ms 200] [--concurrency 64,256] [--runs 3] [--trees-per-slot 4]
//        [--fsync always|never] [--semi-space-mib 64|default] [--json]
// The grower runs with the young generation the CLI gives it (bin/arboretum.js' shebang: --max-semi-space-size=64);
// `--semi-space-mib default` measures Node's default instead. `--json` ends with one line of figures for bench/run.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createJudge } from '../cli/createJudge.ts';
import { createOpenAIClient } from '../connectors/llm/createOpenAIClient.ts';
import { startScriptedOpenAI } from '../connectors/llm/scripted/startScriptedOpenAI.ts';
import { createFileEventLog } from '../connectors/log/file/fileEventLog.ts';
import { arithmeticInstructions } from '../examples/support/arithmeticInstructions.ts';
import type { ActionJudge } from '../pipelines/grow/actionJudge.ts';
import { createGrower } from '../pipelines/grow/createGrower.ts';
import { growConfigOf } from '../pipelines/grow/growConfig.ts';
import type { BenchRow } from './benchRow.ts';
import { printBenchJson } from './printBenchJson.ts';
import { median, printTable } from './stats.ts';

const { values } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    'latency-ms': { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '64,256' },
    runs: { type: 'string', default: '3' },
    'trees-per-slot': { type: 'string', default: '4' },
    fsync: { type: 'string', default: 'always' },
    'semi-space-mib': { type: 'string', default: '64' },
    json: { type: 'boolean', default: false },
  },
});
const semiSpace = values['semi-space-mib'];
if (
  !values.serve &&
  semiSpace !== 'default' &&
  !process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))
) {
  // V8's heap flags are fixed at start-up: run this benchmark again in a process that has the CLI's flag.
  const child = spawn(
    process.execPath,
    [
      `--max-semi-space-size=${semiSpace}`,
      '--import',
      'tsx',
      new URL(import.meta.url).pathname,
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit' },
  );
  process.exitCode = await new Promise<number>((done) => child.once('exit', (code) => done(code ?? 1)));
} else {
  await main();
}

async function main() {
  const latencyMs = Number(values['latency-ms']);

  if (values.serve) {
    // The scripted server runs in its own process so its work does not share the grower's event loop.
    const server = await startScriptedOpenAI({
      latencyMs,
      record: false,
      reply: (r) => {
        if ((r.messages[0]?.content ?? '').startsWith('You are a strict'))
          return { content: 'Step 1 adds wrongly.' };
        const m = /What is (\d+) \+ (\d+)\?/.exec(r.messages.find((x) => x.role === 'user')?.content ?? '');
        const sum = m ? Number(m[1]) + Number(m[2]) : 0;
        return { content: `Step 1: add.\nAnswer:\n\\boxed{${r.model === 'strong' ? sum : sum + 1}}` };
      },
    });
    console.log(server.baseUrl);
  } else {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', new URL(import.meta.url).pathname, '--serve', '--latency-ms', String(latencyMs)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const baseUrl: string = await new Promise((done) =>
      createInterface({ input: child.stdout! }).once('line', done),
    );
    const judge = createJudge();
    const rows: (string | number)[][] = [
      [
        'concurrency',
        'trees',
        'calls',
        'ideal calls/s',
        'calls/s (steady)',
        '% of ideal',
        'calls/s (whole run)',
        'peak RSS MiB',
        'CPU ms/call',
      ],
    ];
    const figures: BenchRow[] = [];
    try {
      for (const concurrency of values.concurrency!.split(',').map(Number)) {
        const results: {
          steady: number;
          whole: number;
          rss: number;
          calls: number;
          trees: number;
          cpuMsPerCall: number;
        }[] = [];
        for (let run = 0; run < Number(values.runs); run++) {
          results.push(await once(baseUrl, concurrency, judge.judge));
        }
        const ideal = (concurrency * 1000) / latencyMs;
        const steady = median(results.map((r) => r.steady));
        rows.push([
          String(concurrency),
          results[0].trees,
          results[0].calls,
          ideal,
          steady,
          (100 * steady) / ideal,
          median(results.map((r) => r.whole)),
          median(results.map((r) => r.rss)),
          median(results.map((r) => r.cpuMsPerCall)),
        ]);
        const cpu = median(results.map((r) => r.cpuMsPerCall));
        figures.push({
          name: `grow, ${concurrency} in flight at ${latencyMs} ms (steady)`,
          rate: steady,
          unit: 'calls/s',
          reference: 'ideal call rate (in flight / latency)',
          referenceRate: ideal,
          ratio: steady / ideal,
          target: 0.9,
          notes: `${cpu.toFixed(2)} ms CPU per call (target <= 1)`,
        });
      }
    } finally {
      await judge.close();
      child.kill();
    }
    console.log(
      `scripted latency ${latencyMs} ms; 8 calls per tree (3 turns x 2 actions + 2 critiques); file log fsync=${values.fsync}; median of ${values.runs} runs`,
    );
    printTable(rows);
    printBenchJson('grow', figures);
  }
}

async function once(baseUrl: string, concurrency: number, judge: ActionJudge) {
  const dir = await mkdtemp(join(tmpdir(), 'arb-bench-grow-'));
  const log = createFileEventLog({ dir, fsync: values.fsync === 'never' ? 'never' : 'always' });
  const trees = concurrency * Number(values['trees-per-slot']);
  const llm = createOpenAIClient({
    endpoints: [{ name: 'scripted', baseUrl, concurrency, timeoutMs: 60_000 }],
  });
  const grower = createGrower({
    log,
    llm,
    judge,
    config: growConfigOf({ strong: 'strong', weak: 'weak', critic: 'critic', maxTurns: 3 }),
    trees: concurrency * 2,
    writer: 'bench',
  });
  await grower.load();
  const samples: { t: number; calls: number }[] = [];
  let rss = process.memoryUsage().rss;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const timer = setInterval(() => {
    samples.push({ t: performance.now(), calls: grower.stats().calls });
    rss = Math.max(rss, process.memoryUsage().rss);
  }, 50);
  const instructions = arithmeticInstructions(trees, `bench-${concurrency}-${started}`);
  await grower.run(
    (async function* () {
      yield* instructions;
    })(),
  );
  clearInterval(timer);
  const cpu = process.cpuUsage(cpuBefore);
  const elapsed = performance.now() - started;
  const calls = grower.stats().calls;
  // Steady state: between 10% and 90% of the calls (ramp-up and the draining tail left out).
  const at = (fraction: number) => samples.find((s) => s.calls >= fraction * calls)!;
  const a = at(0.1);
  const b = at(0.9);
  await log.close();
  await rm(dir, { recursive: true, force: true });
  return {
    trees,
    calls,
    steady: ((b.calls - a.calls) * 1000) / (b.t - a.t),
    whole: (calls * 1000) / elapsed,
    rss: rss / 2 ** 20,
    cpuMsPerCall: (cpu.user + cpu.system) / 1000 / calls,
  };
}
