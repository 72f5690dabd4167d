import { ArboretumError } from '../../schemas/errors.ts';
import type { StrategyPlan, StrategySpec } from '../../schemas/types.ts';
import { checkStrategyPlan } from './checkStrategyPlan.ts';
import { strategyPresets } from './strategyPresets.ts';

/** The `strategies:` block of a grow config file (every key optional). */
export interface StrategySettings {
  /** The library to start from: `default` (the built-ins) or `ultrainteract` (the paper's pair). */
  readonly preset?: string;
  /** round-robin (default) | uniform | weighted. */
  readonly policy?: string;
  readonly seed?: number;
  /** Strategies to add, or to replace a library one of the same name (weight default 1), appended in order. */
  readonly library?: readonly {
    readonly name: string;
    readonly tasks: readonly string[];
    readonly instruction: string;
    readonly weight?: number;
  }[];
  /** Keep only these (by name), in library order. */
  readonly only?: readonly string[];
  /** Weights by name for the weighted policy (default each strategy's own, 1 for the built-ins). */
  readonly weights?: Readonly<Record<string, number>>;
}

/** A checked StrategyPlan from a preset and the config's settings; INVALID_CONFIG names `where` and the key. */
export function strategyPlanOf(settings: StrategySettings = {}, where = 'grow config'): StrategyPlan {
  const preset = settings.preset ?? 'default';
  if (!(preset in strategyPresets)) {
    throw new ArboretumError(
      'INVALID_CONFIG',
      `${where}: strategies.preset must be one of ${Object.keys(strategyPresets).join(', ')}, got ${JSON.stringify(preset)}`,
    );
  }
  const base = strategyPresets[preset as keyof typeof strategyPresets];
  let library: StrategySpec[] = [...base.library];
  for (const s of settings.library ?? []) {
    const spec = { name: s.name, tasks: [...s.tasks], instruction: s.instruction, weight: s.weight ?? 1 };
    const i = library.findIndex((l) => l.name === s.name);
    if (i >= 0) library[i] = spec;
    else library.push(spec);
  }
  const known = new Set(library.map((s) => s.name));
  const unknown = (names: readonly string[], key: string) => {
    for (const n of names)
      if (!known.has(n))
        throw new ArboretumError(
          'INVALID_CONFIG',
          `${where}: strategies.${key} names ${JSON.stringify(n)}, not in the library (${[...known].join(', ')})`,
        );
  };
  if (settings.only) {
    unknown(settings.only, 'only');
    library = library.filter((s) => settings.only!.includes(s.name));
  }
  if (settings.weights) {
    unknown(Object.keys(settings.weights), 'weights');
    library = library.map((s) => ({ ...s, weight: settings.weights![s.name] ?? s.weight }));
  }
  const plan: StrategyPlan = {
    policy: settings.policy ?? base.policy,
    seed: settings.seed ?? base.seed,
    library,
  };
  checkStrategyPlan(plan, where);
  return plan;
}
