import type { StrategyPlan } from '../../schemas/types.ts';
import { builtinStrategies } from './builtinStrategies.ts';

const byName = (name: string) => builtinStrategies.find((s) => s.name === name)!;

/**
 * Named starting points of a grow config's strategies: `default`, the whole built-in library by round-robin (every
 * task has at least four strategies); `ultrainteract`, the paper's choice exactly as grow made it before strategy
 * libraries: chain-of-thought everywhere, plus modular programming for Coding and Math_PoT, by round-robin (it is also
 * what a tree opened before libraries keeps growing with).
 */
export const strategyPresets: Readonly<Record<'default' | 'ultrainteract', StrategyPlan>> = {
  default: { policy: 'round-robin', seed: 0, library: builtinStrategies },
  ultrainteract: {
    policy: 'round-robin',
    seed: 0,
    library: [byName('chain-of-thought'), byName('modular-programming')],
  },
};
