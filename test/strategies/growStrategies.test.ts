import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAnalyticsDb } from '../../analytics/openAnalyticsDb.ts';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { syncLog } from '../../pipelines/analyticsSink/syncLog.ts';
import { builtinStrategies } from '../../pipelines/strategies/builtinStrategies.ts';
import { strategyPresets } from '../../pipelines/strategies/strategyPresets.ts';
import type { Instruction, TreeEvent } from '../../schemas/types.ts';
import { cli as arboretum } from '../support/cli.ts';
import { type ScriptedOpenAI, type ScriptedRequest, startScriptedOpenAI } from '../support/scriptedOpenAI.ts';

const examplesFile = resolve('examples/instructions.jsonl');
const examples: Instruction[] = readFileSync(examplesFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const byText = new Map(examples.map((e) => [e.instruction, e]));

/**
 * A scripted actor for the example instructions: the strong model answers right, the weak one wrong (so every turn
 * finds its pair and the incorrect action is expanded: 5 turns of 2 actions), each opening with its strategy's plan.
 */
function exampleActor(r: ScriptedRequest) {
  const system = r.messages[0]?.content ?? '';
  if (system.startsWith('You are a strict'))
    return { content: 'Step 2 is wrong: recheck it against the question.' };
  const e = byText.get(r.messages.find((m) => m.role === 'user')?.content ?? '');
  if (!e) return { content: 'Step 1: unknown problem.' };
  const right = r.model === 'strong' || system.includes('A reference solution is given below');
  const plan = `Step 1: ${system.split(':')[0]}.`;
  const answer = e.reference.answer ?? '';
  if (e.task === 'Coding')
    return { content: `${plan}\n\`\`\`python\n${right ? e.reference.solution : 'print(0)'}\n\`\`\`` };
  const wrong = /^\d+$/.test(answer) ? String(Number(answer) + 7) : answer === 'False' ? 'True' : 'A';
  const value = right ? answer : wrong;
  if (e.task === 'Math_PoT') return { content: `${plan}\n\`\`\`python\nprint(${value})\n\`\`\`` };
  return { content: `${plan}\nStep 2: Work it out.\n\\boxed{${value}}` };
}

let dir: string;
/** The log the default-library grow wrote (the export test reads it). */
let defaultLog = '';
let server: ScriptedOpenAI;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arb-strategies-'));
  server = await startScriptedOpenAI({ reply: exampleActor, record: false });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI with nothing remote reachable but the scripted endpoint given by flags. */
const cli = (args: string[]) => arboretum(args, { noRemoteLlm: true });

async function grow(name: string, extra: string[] = []) {
  const logDir = join(dir, name);
  const r = await cli([
    'grow',
    '--log',
    `file:${logDir}`,
    '--instructions',
    examplesFile,
    '--base-url',
    server.baseUrl,
    '--model',
    'strong',
    '--weak-model',
    'weak',
    '--progress',
    'none',
    '--unsafe-sandbox',
    ...extra,
  ]);
  expect(r.code, r.stderr).toBe(0);
  const log = createFileEventLog({ dir: logDir, fsync: 'never' });
  const events = (await lastValueFrom(log.read(topics.treeEvents).pipe(toArray()))).map(
    (x) => x.value as TreeEvent,
  );
  return { log, events, logDir };
}

const sampled = (events: readonly TreeEvent[]) =>
  events.flatMap((e) => (e.payload.kind === 'StrategySampled' ? [{ treeId: e.treeId, ...e.payload }] : []));

describe('grow with the default strategy library (examples/instructions.jsonl, scripted endpoint)', () => {
  it('gives every task at least two strategies and strategy_diversity above 1 bit', async () => {
    const { log, events, logDir } = await grow('default');
    defaultLog = logDir;
    const db = await openAnalyticsDb();
    try {
      await syncLog({ log, connection: db.connection });
      const rows = (
        await db.query('SELECT task, dataset, actions, strategies, entropy_bits FROM strategy_diversity')
      ).rows;
      // Every task and dataset of the examples is there.
      expect(rows.map((r) => `${r[0]}/${r[1]}`).sort()).toEqual(
        [...new Set(examples.map((e) => `${e.task}/${e.dataset}`))].sort(),
      );
      for (const [task, dataset, , strategies, bits] of rows) {
        expect(Number(strategies), `${task}/${dataset}`).toBeGreaterThanOrEqual(2);
        expect(Number(bits), `${task}/${dataset}`).toBeGreaterThan(1);
      }
      // Per task across its datasets too.
      const perTask = (
        await db.query(
          `WITH n AS (SELECT task, strategy, count(*) AS k FROM strategy_sampled GROUP BY ALL),
           p AS (SELECT task, strategy, k / sum(k) OVER (PARTITION BY task) AS p FROM n)
           SELECT task, count(*), round(-sum(p * log2(p)), 4) FROM p GROUP BY task ORDER BY task`,
        )
      ).rows;
      expect(perTask.map((r) => r[0])).toEqual(['Coding', 'Logic', 'Math_CoT', 'Math_PoT']);
      for (const [task, n, bits] of perTask) {
        expect(Number(n), String(task)).toBeGreaterThanOrEqual(2);
        expect(Number(bits), String(task)).toBeGreaterThan(1);
      }
      // The sink stored every action's text features: action_diversity has each task and dataset, with siblings.
      const text = (await db.query('SELECT task, dataset, actions, sibling_pairs FROM action_diversity'))
        .rows;
      expect(text.map((r) => [r[0], r[1], r[2]])).toEqual(rows.map((r) => [r[0], r[1], r[2]]));
      for (const r of text) expect(Number(r[3])).toBeGreaterThan(0);
    } finally {
      db.close();
      await log.close();
    }
    // The policy is on every StrategySampled and the library in every tree's config.
    for (const s of sampled(events)) expect(s.strategyPolicy).toBe('round-robin');
    for (const e of events)
      if (e.payload.kind === 'TreeOpened')
        expect(e.payload.config.strategies).toEqual(strategyPresets.default);
  });

  it('--preset ultrainteract chooses as grow did before libraries: chain-of-thought, plus modular programming where code runs', async () => {
    const { log, events } = await grow('ultrainteract', ['--preset', 'ultrainteract']);
    await log.close();
    const tasks = new Map(
      events.flatMap((e) =>
        e.payload.kind === 'TreeOpened' ? [[e.treeId, e.payload.instruction.task]] : [],
      ),
    );
    const all = sampled(events);
    expect(all.length).toBeGreaterThan(examples.length * 2);
    const prompts = {
      'chain-of-thought': 'Plan with a chain of thought: break the problem into steps marked "Step 1:"',
      'modular-programming': 'Plan with modular programming: first write small, well-named Python functions',
    };
    for (const s of all) {
      // The rule of the old pipelines/grow/strategiesOf.ts and turnPlan.ts, written out.
      const [, turn, attempt, slot] = /^t(\d+)\.a(\d+)\.(\d+)$/.exec(s.nodeId)!.map(Number);
      const task = tasks.get(s.treeId)!;
      const old =
        task === 'Coding' || task === 'Math_PoT'
          ? ['chain-of-thought', 'modular-programming'][(turn + attempt + slot) % 2]
          : 'chain-of-thought';
      expect(s.strategy, `${s.treeId} ${s.nodeId}`).toBe(old);
      expect(s.prompt[0].content.startsWith(prompts[old as keyof typeof prompts])).toBe(true);
    }
  });

  it('a uniform policy draws the same strategies in a second run (seeded by the config, tree and node)', async () => {
    const config = join(dir, 'uniform.yaml');
    await writeFile(config, 'strategies:\n  policy: uniform\n  seed: 7\n');
    const a = sampled((await grow('uniform-a', ['--config', config])).events);
    const b = sampled((await grow('uniform-b', ['--config', config])).events);
    const key = (xs: typeof a) => xs.map((s) => `${s.treeId}/${s.nodeId}:${s.strategy}`).sort();
    expect(key(b)).toEqual(key(a));
    expect(new Set(a.map((s) => s.strategyPolicy))).toEqual(new Set(['uniform']));
    expect(new Set(a.map((s) => s.strategy)).size).toBeGreaterThan(2);
  });
});

describe('export --strategy', () => {
  it('keeps the rows whose action had one of the strategies, and the card lists the mix', async () => {
    expect(defaultLog).not.toBe('');
    const exportTo = async (out: string, extra: string[]) => {
      const r = await cli([
        'export',
        '--log',
        `file:${defaultLog}`,
        '--format',
        'trl-sft',
        '--system-prompt',
        'actor',
        '--out',
        out,
        ...extra,
      ]);
      expect(r.code, r.stderr).toBe(0);
      return (await readFile(out, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    };
    const all = await exportTo(join(dir, 'all', 'sft.jsonl'), ['--card', '--license', 'mit']);
    const instructionOf = new Map(builtinStrategies.map((s) => [s.name, s.instruction]));
    const strategyOfRow = (row: { prompt: { role: string; content: string }[] }) =>
      builtinStrategies.find((s) => row.prompt[0].content.startsWith(s.instruction))?.name;
    const mix = new Map<string, number>();
    for (const row of all) mix.set(strategyOfRow(row)!, (mix.get(strategyOfRow(row)!) ?? 0) + 1);
    expect(mix.size).toBeGreaterThanOrEqual(3);
    const [first, second] = [...mix.keys()].sort();
    const some = await exportTo(join(dir, 'some', 'sft.jsonl'), ['--strategy', `${first},${second}`]);
    expect(some.length).toBe(mix.get(first)! + mix.get(second)!);
    for (const row of some) expect([first, second]).toContain(strategyOfRow(row));
    expect(instructionOf.has(first)).toBe(true);
    // The card's strategy table: one line per strategy with its row count.
    const card = await readFile(join(dir, 'all', 'README.md'), 'utf8');
    expect(card).toContain('| strategy | rows | share |');
    for (const [name, n] of mix) expect(card).toMatch(new RegExp(`\\| ${name} \\| ${n} \\|`));
    const none = await cli([
      'export',
      '--log',
      `file:${defaultLog}`,
      '--format',
      'trl-sft',
      '--out',
      '-',
      '--strategy',
      'a,,b',
    ]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('--strategy');
  });
});
