import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../connectors/sandbox/createSandbox.ts';
import type { Sandbox } from '../../connectors/sandbox/sandboxTypes.ts';
import { readCorpus } from '../../pipelines/grade/corpus/readCorpus.ts';
import { gradeCode } from '../../pipelines/grade/gradeCode.ts';
import { gradeLogic } from '../../pipelines/grade/gradeLogic.ts';
import type { TestCase, TestKind } from '../../schemas/types.ts';

// The logic and code grader corpus (pipelines/grade/corpus/makeLogicCodeCorpus.py writes it; categories and rules in
// pipelines/grade/README.md). Every case must agree; the agreement per category is printed.

interface LogicCase {
  readonly id: string;
  readonly category: string;
  readonly gold: string;
  readonly pred: string;
  readonly choices?: readonly string[];
  readonly correct: boolean;
}

interface CodeCase {
  readonly id: string;
  readonly category: string;
  readonly code: string;
  readonly tests: readonly TestCase[];
  readonly entryPoint?: string;
  readonly testKind?: TestKind;
  readonly perTestTimeoutMs?: number;
  readonly correct: boolean;
}

/** Prints agreement per category (and in all), returns the disagreeing cases. */
function agreement<T extends { id: string; category: string; correct: boolean }>(
  name: string,
  cases: readonly T[],
  verdicts: readonly { correct: boolean; reason: string }[],
): string[] {
  const rows = new Map<string, { n: number; agree: number; fp: number; fn: number }>();
  const bad: string[] = [];
  cases.forEach((c, i) => {
    const r = rows.get(c.category) ?? { n: 0, agree: 0, fp: 0, fn: 0 };
    r.n++;
    if (verdicts[i].correct === c.correct) r.agree++;
    else {
      if (verdicts[i].correct) r.fp++;
      else r.fn++;
      bad.push(
        `${c.id} (${c.category}): expected ${c.correct}, graded ${verdicts[i].correct} (${verdicts[i].reason})`,
      );
    }
    rows.set(c.category, r);
  });
  const total = [...rows.values()].reduce(
    (a, r) => ({ n: a.n + r.n, agree: a.agree + r.agree, fp: a.fp + r.fp, fn: a.fn + r.fn }),
    { n: 0, agree: 0, fp: 0, fn: 0 },
  );
  const line = (k: string, r: typeof total) =>
    `  ${k.padEnd(18)} ${String(r.agree).padStart(4)}/${String(r.n).padEnd(4)} ${((100 * r.agree) / r.n).toFixed(1).padStart(5)}%  fp ${r.fp}  fn ${r.fn}`;
  console.log(
    [`${name} corpus agreement:`, ...[...rows].map(([k, r]) => line(k, r)), line('all', total)].join('\n'),
  );
  return bad;
}

describe('logic grader corpus (pipelines/grade/corpus/logic.jsonl)', () => {
  it('agrees with every case, correct forms and near-misses', () => {
    const cases = readCorpus<LogicCase>('logic.jsonl');
    expect(cases.length).toBeGreaterThan(150);
    const verdicts = cases.map((c) => gradeLogic(c.gold, c.pred, c.choices ?? null));
    expect(agreement('logic', cases, verdicts)).toEqual([]);
    // Both labels in every category: a grader that says always-yes or always-no cannot pass.
    for (const category of new Set(cases.map((c) => c.category))) {
      const labels = new Set(cases.filter((c) => c.category === category).map((c) => c.correct));
      expect(labels.size, category).toBe(2);
    }
  });
});

describe('code grader corpus (pipelines/grade/corpus/code.jsonl), in the sandbox', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox({ concurrency: 2 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('agrees with every case: stdin/stdout quirks, function calls, HumanEval and MBPP asserts', async () => {
    const cases = readCorpus<CodeCase>('code.jsonl');
    expect(cases.length).toBeGreaterThan(40);
    // The sandbox runs two at a time; generous limits so a loaded machine does not turn a pass into a timeout.
    const verdicts = await Promise.all(
      cases.map((c) =>
        gradeCode(sandbox, {
          code: c.code,
          tests: c.tests,
          entryPoint: c.entryPoint ?? null,
          testKind: c.testKind ?? null,
          perTestTimeoutMs: c.perTestTimeoutMs ?? 20_000,
        }),
      ),
    );
    expect(agreement('code', cases, verdicts)).toEqual([]);
    for (const category of new Set(cases.map((c) => c.category))) {
      if (category === 'stdio-errors') continue;
      const labels = new Set(cases.filter((c) => c.category === category).map((c) => c.correct));
      expect(labels.size, category).toBe(2);
    }
  }, 300_000);
});
