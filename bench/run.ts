/**
 * Runs every benchmark in bench/ as a child process and prints ONE table: each rate beside its in-run reference and
 * the ratio (bench/README.md, "The --json contract"). A benchmark that does not print the contract's line yet is
 * listed with what it printed last, so nothing is silently dropped; one that fails is listed as failed and the
 * command exits 1.
 *
 *   npm run bench                      every benchmark at its own default size (long: tens of minutes)
 *   npm run bench -- --quick           small sizes, one or two runs each (a few minutes)
 *   npm run bench -- --only assemble,fileLog [--markdown]
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { BenchRow } from './benchRow.ts';
import { markdownTable } from './markdownTable.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    markdown: { type: 'boolean', default: false },
  },
});

interface Bench {
  readonly name: string;
  /** Flags of a full run (after the file), and of a --quick one. */
  readonly full: readonly string[];
  readonly quick: readonly string[];
  /** Node flags the benchmark needs. */
  readonly node?: readonly string[];
  /** False until the benchmark prints the --json line: it is then run without --json (its parser is strict). */
  readonly json: boolean;
}

// Every file of bench/ that measures something (run.ts, stats.ts and the contract's helpers are not benchmarks).
const benches: readonly Bench[] = [
  {
    name: 'assemble',
    full: [
      '--trees',
      '100000',
      '--runs',
      '3',
      '--stages',
      'read,assemble,export-pair,export-all,export-parquet',
    ],
    // Three rounds even here: one round at 3,000 trees swings ±15% (bench/RESULTS.md 2026-12-01 22:00Z); ~35 s.
    quick: [
      '--trees',
      '3000',
      '--runs',
      '3',
      '--stages',
      'read,assemble,export-pair,export-all,export-parquet',
    ],
    json: true,
  },
  { name: 'fileLog', full: [], quick: ['--events', '100000', '--runs', '1'], json: true },
  { name: 'analytics', full: [], quick: ['--events', '200000', '--runs', '1'], json: true },
  { name: 'kafka', full: [], quick: ['--events', '50000', '--runs', '1'], json: true },
  // The target (<= 1 ms CPU a call, >= 90% of the ideal) is set at 256 in flight: at 64 each fsync and timer serves
  // a quarter of the calls, so CPU a call reads ~2x higher (1.8 against 0.8 ms in one run of each, 2026-12-01).
  { name: 'grow', full: [], quick: ['--runs', '1', '--concurrency', '256'], json: true },
  {
    name: 'append',
    full: [],
    quick: ['--lines', '50000', '--runs', '1'],
    node: ['--expose-gc'],
    json: false,
  },
  { name: 'grade', full: [], quick: ['--runs', '1', '--skip-math-verify'], json: false },
  { name: 'gradeCode', full: [], quick: ['--runs', '1', '--problems', '8'], json: false },
  { name: 'sandbox', full: [], quick: ['--runs', '1', '--problems', '3', '--answers', '20'], json: false },
  { name: 'llamaCpp', full: [], quick: ['--runs', '1', '--calls', '1', '--concurrency', '1'], json: false },
];

interface Outcome {
  readonly bench: string;
  readonly rows: readonly BenchRow[];
  /** Why there are no rows: skipped (the bench's reason), failed, or no --json line yet. */
  readonly note?: string;
  readonly failed?: boolean;
  readonly seconds: number;
}

function runBench(b: Bench): Promise<Outcome> {
  const args = [
    ...(b.node ?? []),
    '--import',
    'tsx',
    `bench/${b.name}.ts`,
    ...(values.quick ? b.quick : b.full),
    ...(b.json ? ['--json'] : []),
  ];
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderrTail = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderrTail = (stderrTail + d).slice(-2000);
    });
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const lines = stdout.trim().split('\n');
      const json = lines.findLast((l) => l.startsWith('{"bench"'));
      if (code !== 0) {
        const why = stderrTail.trim().split('\n').slice(-3).join(' / ') || `exit ${code}`;
        resolve({ bench: b.name, rows: [], note: `failed (exit ${code}): ${why}`, failed: true, seconds });
        return;
      }
      if (!json) {
        resolve({
          bench: b.name,
          rows: [],
          note: `no --json line yet (bench/README.md); last line: ${lines.at(-1)?.slice(0, 160) ?? ''}`,
          seconds,
        });
        return;
      }
      const parsed = JSON.parse(json) as { bench: string; rows: BenchRow[]; skipped?: string };
      resolve({
        bench: parsed.bench,
        rows: parsed.rows,
        note: parsed.skipped ? `skipped: ${parsed.skipped}` : undefined,
        seconds,
      });
    });
  });
}

const fmt = (n: number | null | undefined) =>
  n === null || n === undefined
    ? '-'
    : Math.abs(n) >= 100
      ? Math.round(n).toLocaleString('en-US')
      : n.toFixed(Math.abs(n) >= 10 ? 1 : 2);

const chosen = values.only ? values.only.split(',') : benches.map((b) => b.name);
for (const name of chosen) {
  if (!benches.some((b) => b.name === name)) {
    console.error(`bench/run.ts: --only ${name}: not one of ${benches.map((b) => b.name).join(', ')}`);
    process.exit(2);
  }
}
const outcomes: Outcome[] = [];
// One at a time: benchmarks on a shared machine measure each other otherwise.
for (const b of benches.filter((x) => chosen.includes(x.name))) {
  process.stderr.write(`bench ${b.name}${values.quick ? ' (quick)' : ''} … `);
  const o = await runBench(b);
  process.stderr.write(`${o.failed ? 'failed' : 'done'} in ${o.seconds.toFixed(0)} s\n`);
  outcomes.push(o);
}

const head = [
  'bench',
  'measure',
  'rate',
  'unit',
  'reference (same run)',
  'reference rate',
  'ratio',
  'target',
  'notes',
];
const table: string[][] = [];
for (const o of outcomes) {
  if (!o.rows.length) table.push([o.bench, '-', '-', '-', '-', '-', '-', '-', o.note ?? '']);
  for (const r of o.rows) {
    const below = r.target !== undefined && r.ratio !== null && r.ratio < r.target;
    table.push([
      o.bench,
      r.name,
      fmt(r.rate),
      r.unit,
      r.reference ?? '-',
      fmt(r.referenceRate),
      r.ratio === null ? '-' : `${r.ratio.toFixed(2)}×${below ? ' (below target)' : ''}`,
      r.target === undefined ? '-' : `${r.target}×`,
      [o.note, r.notes].filter(Boolean).join('; '),
    ]);
  }
}
for (const l of markdownTable(head, table)) console.log(l);
console.log(
  `(${values.quick ? 'quick' : 'full'} run, ${new Date().toISOString().slice(0, 16)}Z; ratios are taken against the reference measured in the same run)`,
);
if (values.markdown) console.log('\n(paste the table above into bench/RESULTS.md under a dated heading)');
process.exit(outcomes.some((o) => o.failed) ? 1 : 0);
