import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCas, type SympyCas } from '../../connectors/sandbox/createCas.ts';
import { heldOutCorpus, type MathCase, mathCorpus } from '../../pipelines/grade/corpus/mathCorpus.ts';
import { gradeMath } from '../../pipelines/grade/gradeMath.ts';

let cas: SympyCas;
beforeAll(() => {
  cas = createCas();
});
afterAll(() => cas?.close());

interface Tally {
  agree: number;
  total: number;
  falsePositives: string[];
  falseNegatives: string[];
}

/** Grades every case with the real grader (real sandbox) and prints agreement per category. */
async function run(label: string, cases: MathCase[]): Promise<Tally> {
  const byCategory = new Map<string, Tally>();
  const all: Tally = { agree: 0, total: 0, falsePositives: [], falseNegatives: [] };
  for (const c of cases) {
    const v = await gradeMath(c.gold, c.pred, { cas });
    const t = byCategory.get(c.category) ?? { agree: 0, total: 0, falsePositives: [], falseNegatives: [] };
    byCategory.set(c.category, t);
    for (const x of [t, all]) {
      x.total++;
      if (v.correct === c.correct) x.agree++;
      else if (v.correct) x.falsePositives.push(`${c.id} (${v.reason})`);
      else x.falseNegatives.push(`${c.id} (${v.reason})`);
    }
  }
  const pct = (t: Tally) => ((100 * t.agree) / t.total).toFixed(1);
  const lines = [...byCategory].map(
    ([k, t]) =>
      `  ${k.padEnd(28)} ${String(t.agree).padStart(4)}/${String(t.total).padEnd(4)} ${pct(t).padStart(5)}%` +
      (t.falsePositives.length ? `  FP: ${t.falsePositives.join(', ')}` : '') +
      (t.falseNegatives.length ? `  FN: ${t.falseNegatives.join(', ')}` : ''),
  );
  console.log(
    `${label}: ${all.agree}/${all.total} agree (${pct(all)}%), ${all.falsePositives.length} false positives\n${lines.join('\n')}`,
  );
  return all;
}

describe('math grader corpus', () => {
  it('agrees with our own corpus (≥ 99%, no false positive), 20–50 KB reasoning traces included', async () => {
    const cases = mathCorpus();
    expect(cases.length).toBeGreaterThan(300);
    expect(cases.filter((c) => c.pred.length > 20_000).length).toBeGreaterThan(20);
    const t = await run('own corpus', cases);
    expect(t.falsePositives).toEqual([]);
    expect(t.agree / t.total).toBeGreaterThanOrEqual(0.99);
  }, 600_000);

  it('agrees with the held-out public-suite cases, no false positive on the uncontested ones', async () => {
    const cases = heldOutCorpus().filter((c) => !c.contested);
    expect(cases.length).toBeGreaterThan(250);
    const t = await run('held-out (uncontested)', cases);
    expect(t.falsePositives).toEqual([]);
    expect(t.agree / t.total).toBeGreaterThanOrEqual(0.98);
  }, 600_000);
});
