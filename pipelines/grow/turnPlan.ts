import type { Task } from '../../schemas/types.ts';
import { pickStrategy } from '../strategies/pickStrategy.ts';
import type { GrowConfig } from './growConfig.ts';

/** One planned action of a turn. */
export interface NodeSpec {
  readonly nodeId: string;
  readonly turn: number;
  readonly attempt: number;
  readonly slot: number;
  readonly role: 'strong' | 'weak' | 'resample' | 'ladder' | 'ground-truth';
  readonly model: string;
  readonly strategy: string;
  /** The strategy's instruction to the actor (its system message). */
  readonly plan: string;
}

/**
 * `t<turn>.a<attempt>.<slot>`, prefixed `g<generation>.` in a reopened tree's growth (generation >= 1): the same
 * planned action always gets the same node id, and a regrowth's nodes (their event ids, seeds, request ids) never
 * meet the failed growth's.
 */
export const nodeIdOf = (turn: number, attempt: number, slot: number, generation = 0) =>
  `${generation ? `g${generation}.` : ''}t${turn}.a${attempt}.${slot}`;

/**
 * The actions a turn may take, in waves (pure, deterministic). Wave 0 is the pair: the weak actor (slot 0) and the
 * strong one (slot 1), each with its own planning strategy. The weak one comes first in log order on purpose: the
 * first incorrect action of a turn is the one expanded and rejected (assemble's pairing), so when both miss, the
 * rejected action is the weak model's and a correct one from the strong model (the resamples start with it) makes a
 * pair of two different models. When no correct action comes, the fallbacks follow in waves
 * of `config.wave`: (1) `resamples` samples alternating the actors; (2) `ladderRounds` rounds of `ladderSamples`
 * climbing `ladder` from cheap to strong; (3) `groundTruthAttempts` samples from the strong actor given the reference.
 * Attempts number the actions of a turn from 0 across all waves. `generation` (default 0) names a reopened tree's
 * growth in the node ids only: the plan is the same.
 */
export function turnPlan(
  config: GrowConfig,
  task: Task,
  turn: number,
  generation = 0,
  treeId = '',
): NodeSpec[][] {
  // Each action's strategy by the config's policy (pipelines/strategies/pickStrategy): name and instruction.
  const chosen = (attempt: number, slot: number) => {
    const nodeId = nodeIdOf(turn, attempt, slot, generation);
    const s = pickStrategy(config.strategies, task, { treeId, nodeId, turn, attempt, slot });
    return { strategy: s.name, plan: s.instruction };
  };
  const waves: NodeSpec[][] = [
    [
      {
        nodeId: nodeIdOf(turn, 0, 0, generation),
        turn,
        attempt: 0,
        slot: 0,
        role: 'weak',
        model: config.weak,
        ...chosen(0, 0),
      },
      {
        nodeId: nodeIdOf(turn, 0, 1, generation),
        turn,
        attempt: 0,
        slot: 1,
        role: 'strong',
        model: config.strong,
        ...chosen(0, 1),
      },
    ],
  ];
  const fallback: NodeSpec[] = [];
  let attempt = 1;
  const actors = [config.strong, config.weak];
  const add = (role: NodeSpec['role'], model: string) => {
    fallback.push({
      nodeId: nodeIdOf(turn, attempt, 0, generation),
      turn,
      attempt,
      slot: 0,
      role,
      model,
      ...chosen(attempt, 0),
    });
    attempt++;
  };
  for (let i = 0; i < config.resamples; i++) add('resample', actors[i % 2]);
  const phases: NodeSpec[][] = [fallback.splice(0)];
  for (let r = 0; r < config.ladderRounds; r++) {
    const model = config.ladder[Math.min(r, config.ladder.length - 1)];
    for (let i = 0; i < config.ladderSamples; i++) add('ladder', model);
    phases.push(fallback.splice(0));
  }
  for (let i = 0; i < config.groundTruthAttempts; i++) add('ground-truth', config.strong);
  phases.push(fallback.splice(0));
  // Waves never straddle two phases, so each ladder round and the ground-truth step start on a wave of their own.
  for (const phase of phases) {
    for (let i = 0; i < phase.length; i += config.wave) waves.push(phase.slice(i, i + config.wave));
  }
  return waves;
}
