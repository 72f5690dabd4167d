import { createHash } from 'node:crypto';
import { ArboretumError } from '../../schemas/errors.ts';
import type { StrategyPlan, StrategySpec, Task } from '../../schemas/types.ts';
import { strategiesOf } from './strategiesOf.ts';

/** Where in a tree an action is planned: its tree, node id (unique per growth) and place in the turn. */
export interface StrategySlot {
  readonly treeId: string;
  readonly nodeId: string;
  readonly turn: number;
  readonly attempt: number;
  readonly slot: number;
}

/** A uniform number in [0, 1) from the plan's seed and the node (32 bits of sha256: replay and resume agree). */
const unitOf = (seed: number, { treeId, nodeId }: StrategySlot) =>
  createHash('sha256').update(`${seed}/${treeId}/${nodeId}/strategy`).digest().readUInt32BE(0) / 2 ** 32;

/**
 * The strategy of one planned action (pure, deterministic). Among the library's strategies for the task, in library
 * order: `round-robin` takes the (turn + attempt + slot)-th, so a turn's two slots differ and each turn moves on by
 * one (with the ultrainteract pair, exactly the choice grow made before libraries); `uniform` draws one from the
 * seed, tree and node; `weighted` draws by the strategies' weights. INVALID_CONFIG when none applies (growConfigOf
 * checks every task up front).
 */
export function pickStrategy(plan: StrategyPlan, task: Task, at: StrategySlot): StrategySpec {
  const options = strategiesOf(plan, task);
  if (!options.length)
    throw new ArboretumError('INVALID_CONFIG', `strategies: no strategy of the library applies to ${task}`);
  if (plan.policy === 'round-robin') return options[(at.turn + at.attempt + at.slot) % options.length];
  const u = unitOf(plan.seed, at);
  if (plan.policy === 'uniform') return options[Math.floor(u * options.length)];
  const total = options.reduce((a, s) => a + s.weight, 0);
  let left = u * total;
  for (const s of options) {
    if (s.weight > 0 && left < s.weight) return s;
    left -= s.weight;
  }
  // Rounding at the very top of the range: the last strategy with weight.
  return options.findLast((s) => s.weight > 0) ?? options[0];
}
