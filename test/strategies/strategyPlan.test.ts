import { describe, expect, it } from 'vitest';
import { growConfigFromTree, growConfigOf, treeConfigOf } from '../../pipelines/grow/growConfig.ts';
import { parseGrowYaml } from '../../pipelines/grow/parseGrowYaml.ts';
import { turnPlan } from '../../pipelines/grow/turnPlan.ts';
import { builtinStrategies } from '../../pipelines/strategies/builtinStrategies.ts';
import { pickStrategy } from '../../pipelines/strategies/pickStrategy.ts';
import { strategiesOf } from '../../pipelines/strategies/strategiesOf.ts';
import { strategyPlanOf } from '../../pipelines/strategies/strategyPlanOf.ts';
import { strategyPresets } from '../../pipelines/strategies/strategyPresets.ts';
import type { StrategyPlan, Task } from '../../schemas/types.ts';

const TASKS: Task[] = ['Coding', 'Math_CoT', 'Math_PoT', 'Logic'];
const slot = (i: number) => ({
  treeId: `tree-${i % 97}`,
  nodeId: `t1.a${i}.0`,
  turn: 1,
  attempt: i,
  slot: 0,
});
const draws = (plan: StrategyPlan, task: Task, n: number) => {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const s = pickStrategy(plan, task, slot(i)).name;
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return counts;
};

describe('the built-in library', () => {
  it('has the strategies the issue names, each with tasks and an instruction; every task gets several', () => {
    expect(builtinStrategies.map((s) => s.name)).toEqual([
      'chain-of-thought',
      'modular-programming',
      'decomposition',
      'working-backwards',
      'case-analysis',
      'estimate-then-verify',
      'formalise-and-eliminate',
    ]);
    expect(strategiesOf(strategyPresets.default, 'Logic').map((s) => s.name)).toContain(
      'formalise-and-eliminate',
    );
    expect(strategiesOf(strategyPresets.default, 'Math_CoT').map((s) => s.name)).not.toContain(
      'modular-programming',
    );
    for (const task of TASKS)
      expect(strategiesOf(strategyPresets.default, task).length).toBeGreaterThanOrEqual(4);
  });
});

describe('pickStrategy', () => {
  it('round-robin: a turn pair takes two strategies, and every strategy of a task comes round', () => {
    for (const task of TASKS) {
      const config = growConfigOf({ strong: 's', weak: 'w' });
      const names = new Set<string>();
      for (let turn = 1; turn <= 5; turn++) {
        const [pair] = turnPlan(config, task, turn, 0, 'tree');
        expect(pair[0].strategy).not.toBe(pair[1].strategy);
        for (const s of pair) names.add(s.strategy);
      }
      expect(names).toEqual(new Set(strategiesOf(config.strategies, task).map((s) => s.name)));
    }
  });

  it('uniform: the same slot always draws the same; the draws are even; another seed draws otherwise', () => {
    const plan = strategyPlanOf({ policy: 'uniform', seed: 1 });
    expect(pickStrategy(plan, 'Logic', slot(5))).toBe(pickStrategy(plan, 'Logic', slot(5)));
    const n = 5000;
    const counts = draws(plan, 'Logic', n);
    const k = strategiesOf(plan, 'Logic').length;
    expect(counts.size).toBe(k);
    // Binomial(n, 1/k): within 5 standard deviations of n/k.
    const sd = Math.sqrt((n * (k - 1)) / (k * k));
    for (const c of counts.values()) expect(Math.abs(c - n / k)).toBeLessThan(5 * sd);
    const other = strategyPlanOf({ policy: 'uniform', seed: 2 });
    const same = Array.from({ length: 200 }, (_, i) => i).filter(
      (i) => pickStrategy(plan, 'Logic', slot(i)).name === pickStrategy(other, 'Logic', slot(i)).name,
    ).length;
    expect(same).toBeLessThan(100);
  });

  it('weighted: draws by the weights, never a strategy of weight 0', () => {
    const plan = strategyPlanOf({
      policy: 'weighted',
      weights: {
        'chain-of-thought': 3,
        decomposition: 1,
        'working-backwards': 0,
        'case-analysis': 0,
        'formalise-and-eliminate': 0,
      },
    });
    const n = 4000;
    const counts = draws(plan, 'Logic', n);
    expect([...counts.keys()].sort()).toEqual(['chain-of-thought', 'decomposition']);
    const sd = Math.sqrt(n * 0.75 * 0.25);
    expect(Math.abs(counts.get('chain-of-thought')! - 0.75 * n)).toBeLessThan(5 * sd);
  });
});

describe('strategy settings', () => {
  it('extend, replace and narrow the library; the tree keeps the plan it was opened with', () => {
    const plan = strategyPlanOf({
      preset: 'ultrainteract',
      library: [
        {
          name: 'analogy',
          tasks: ['Math_CoT', 'Logic'],
          instruction: 'Find a similar solved problem first.',
        },
        {
          name: 'chain-of-thought',
          tasks: ['Math_CoT', 'Logic', 'Coding', 'Math_PoT'],
          instruction: 'Think.',
        },
      ],
    });
    expect(plan.library.map((s) => [s.name, s.instruction, s.weight])).toEqual([
      ['chain-of-thought', 'Think.', 1],
      ['modular-programming', strategyPresets.ultrainteract.library[1].instruction, 1],
      ['analogy', 'Find a similar solved problem first.', 1],
    ]);
    const config = growConfigOf({ strong: 's', strategies: plan });
    expect(growConfigFromTree(treeConfigOf(config)).strategies).toEqual(plan);
    // A tree opened before libraries keeps growing with the paper's pair.
    const legacy = { ...treeConfigOf(config), strategies: null };
    expect(growConfigFromTree(legacy).strategies).toEqual(strategyPresets.ultrainteract);
    const only = strategyPlanOf({ only: ['chain-of-thought', 'case-analysis'] });
    expect(only.library.map((s) => s.name)).toEqual(['chain-of-thought', 'case-analysis']);
  });

  it('name what is wrong', () => {
    const bad = (settings: Parameters<typeof strategyPlanOf>[0]) => () => strategyPlanOf(settings, 'g.yaml');
    expect(bad({ preset: 'eurus' })).toThrow(
      /g\.yaml: strategies\.preset must be one of default, ultrainteract/,
    );
    expect(bad({ policy: 'random' })).toThrow(
      /strategies\.policy must be one of round-robin, uniform, weighted/,
    );
    expect(bad({ only: ['nope'] })).toThrow(/strategies\.only names "nope", not in the library/);
    expect(bad({ weights: { nope: 1 } })).toThrow(/strategies\.weights names "nope"/);
    expect(bad({ only: ['modular-programming'] })).toThrow(/no strategy applies to Math_CoT/);
    expect(bad({ library: [{ name: 'x', tasks: ['Chess'], instruction: 'i' }] })).toThrow(
      /strategies\.library\[x\]\.tasks: unknown task "Chess"/,
    );
    expect(bad({ library: [{ name: 'x', tasks: ['Logic'], instruction: ' ' }] })).toThrow(
      /library\[x\]\.instruction must be a non-empty text/,
    );
    expect(
      bad({
        policy: 'weighted',
        weights: { 'chain-of-thought': 0, 'modular-programming': 0 },
        preset: 'ultrainteract',
      }),
    ).toThrow(/every strategy of Coding has weight 0/);
    expect(bad({ weights: { decomposition: -1 } })).toThrow(
      /library\[decomposition\]\.weight must be a number >= 0/,
    );
  });

  it('come from the grow config file', () => {
    const yaml = `actors: { strong: s }
strategies:
  policy: weighted
  seed: 9
  weights: { chain-of-thought: 2 }
  library:
    - name: analogy
      tasks: [Logic]
      instruction: Find a similar solved problem first.
      weight: 0.5
`;
    const settings = parseGrowYaml(yaml, 'g.yaml');
    const plan = settings.grow.strategies!;
    expect(plan.policy).toBe('weighted');
    expect(plan.seed).toBe(9);
    expect(plan.library.find((s) => s.name === 'chain-of-thought')!.weight).toBe(2);
    expect(plan.library.at(-1)).toEqual({
      name: 'analogy',
      tasks: ['Logic'],
      instruction: 'Find a similar solved problem first.',
      weight: 0.5,
    });
    expect(() => parseGrowYaml('strategies: { weights: { a: x } }', 'g.yaml')).toThrow(
      /g\.yaml: strategies\.weights\.a must be a number/,
    );
    expect(() => parseGrowYaml('strategies: { polcy: uniform }', 'g.yaml')).toThrow(
      /unknown key strategies\.polcy/,
    );
    expect(() => parseGrowYaml('strategies: { policy: random }', 'g.yaml')).toThrow(
      /g\.yaml: strategies\.policy/,
    );
  });
});
