import { ArboretumError } from '../../schemas/errors.ts';
import type { StrategyPlan, TreeConfig } from '../../schemas/types.ts';
import { checkStrategyPlan } from '../strategies/checkStrategyPlan.ts';
import { strategyPresets } from '../strategies/strategyPresets.ts';

/** How trees grow. Every field but the models has a default (see growConfigOf). */
export interface GrowConfig {
  /** Turns a tree may take (default 5). */
  readonly maxTurns: number;
  /** The stronger actor: slot 1 of every turn, the first resample and the ground-truth step. */
  readonly strong: string;
  /** The weaker actor: slot 0 of every turn (usually the rejected one); same as strong with one model. */
  readonly weak: string;
  /** The critique model, given the ground truth (default strong). */
  readonly critic: string;
  /** Models from cheap to strong for the ladder step (default [weak, strong] without repeats). */
  readonly ladder: readonly string[];
  /**
   * Policy when a turn found its pair (a correct and an incorrect action): true (default, as the paper) expands the
   * incorrect action into the next turn anyway, for multi-turn trajectories; false closes the tree as solved.
   */
  readonly expandAfterPair: boolean;
  /** Step 1 of the no-correct fallback: extra samples from the actors (default 20). */
  readonly resamples: number;
  /** Step 2: rounds climbing the ladder (default 3), each of `ladderSamples` samples (default 4). */
  readonly ladderRounds: number;
  readonly ladderSamples: number;
  /** Step 3: samples given the reference solution/answer (default 2). */
  readonly groundTruthAttempts: number;
  /** Fallback samples asked at once within a tree (default 4); the first correct ends the fallback after its wave. */
  readonly wave: number;
  readonly temperature: number;
  readonly topP: number;
  /** Completion token cap per action and per critique (default 1024). */
  readonly maxTokens: number;
  /** LLM calls one tree may make, actions and critiques (default null: unlimited); at the cap it closes exhausted. */
  readonly maxCallsPerTree: number | null;
  /** The critic's sampling temperature (default 0.7: sibling critiques differ and a re-asked one can change). */
  readonly criticTemperature: number;
  /** Times a critique the gate rejects is asked again (default 2); after that the node is not expanded. */
  readonly criticReasks: number;
  /**
   * The planning strategies and how each action draws one (default: the built-in library by round-robin;
   * pipelines/strategies). Recorded in the tree's config, so a resume and a replay choose the same.
   */
  readonly strategies: StrategyPlan;
}

export const growDefaults = {
  maxTurns: 5,
  expandAfterPair: true,
  resamples: 20,
  ladderRounds: 3,
  ladderSamples: 4,
  groundTruthAttempts: 2,
  wave: 4,
  temperature: 1,
  topP: 1,
  maxTokens: 1024,
  maxCallsPerTree: null,
  criticTemperature: 0.7,
  criticReasks: 2,
  strategies: strategyPresets.default,
} as const;

/**
 * What a tree opened before a setting existed grew with: its TreeConfig has no such param, and it keeps growing the
 * way it started (the critic ran at temperature 0).
 */
const LEGACY = { criticTemperature: 0 } as const;

const NUMBER_KEYS = [
  'resamples',
  'ladderRounds',
  'ladderSamples',
  'groundTruthAttempts',
  'wave',
  'temperature',
  'topP',
  'maxTokens',
  'criticTemperature',
  'criticReasks',
] as const;

/** A full, checked GrowConfig from partial settings; INVALID_CONFIG names the bad key. */
export function growConfigOf(partial: Partial<GrowConfig> & { readonly strong: string }): GrowConfig {
  const strong = partial.strong;
  const weak = partial.weak ?? strong;
  const config: GrowConfig = {
    ...growDefaults,
    ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)),
    strong,
    weak,
    critic: partial.critic ?? strong,
    ladder: partial.ladder?.length ? partial.ladder : [...new Set([weak, strong])],
  };
  const whole = (key: keyof GrowConfig, min: number) => {
    const v = config[key] as number;
    if (!Number.isInteger(v) || v < min) {
      throw new ArboretumError(
        'INVALID_CONFIG',
        `grow config: ${key} must be a whole number >= ${min}, got ${JSON.stringify(v)}`,
      );
    }
  };
  whole('maxTurns', 1);
  whole('resamples', 0);
  whole('ladderRounds', 0);
  whole('ladderSamples', 0);
  whole('groundTruthAttempts', 0);
  whole('wave', 1);
  whole('maxTokens', 1);
  whole('criticReasks', 0);
  if (config.maxCallsPerTree !== null) whole('maxCallsPerTree', 1);
  checkStrategyPlan(config.strategies);
  if (!(config.criticTemperature >= 0 && config.criticTemperature <= 2)) {
    throw new ArboretumError(
      'INVALID_CONFIG',
      `grow config: criticTemperature must be in [0, 2], got ${config.criticTemperature}`,
    );
  }
  for (const key of ['strong', 'weak', 'critic'] as const) {
    if (typeof config[key] !== 'string' || !config[key]) {
      throw new ArboretumError('INVALID_CONFIG', `grow config: ${key} must name a model`);
    }
  }
  if (!(config.temperature >= 0 && config.temperature <= 2)) {
    throw new ArboretumError(
      'INVALID_CONFIG',
      `grow config: temperature must be in [0, 2], got ${config.temperature}`,
    );
  }
  if (!(config.topP > 0 && config.topP <= 1)) {
    throw new ArboretumError('INVALID_CONFIG', `grow config: topP must be in (0, 1], got ${config.topP}`);
  }
  return config;
}

/** The config as TreeOpened records it: the tree keeps growing by it after a restart, whatever the flags then. */
export function treeConfigOf(config: GrowConfig): TreeConfig {
  const params: Record<string, string> = { ladder: config.ladder.join(',') };
  for (const key of NUMBER_KEYS) params[key] = String(config[key]);
  // Absent means unlimited (and so reads back for trees opened before the cap existed).
  if (config.maxCallsPerTree !== null) params.maxCallsPerTree = String(config.maxCallsPerTree);
  return {
    maxTurns: config.maxTurns,
    actorModels: [config.strong, config.weak],
    criticModel: config.critic,
    expandAfterPair: config.expandAfterPair,
    params,
    strategies: config.strategies,
  };
}

/** The GrowConfig a tree was opened with (the inverse of treeConfigOf); missing params take the defaults. */
export function growConfigFromTree(tree: TreeConfig): GrowConfig {
  const [strong, weak] = tree.actorModels;
  const numbers: Record<string, number> = { ...LEGACY };
  if (tree.params.maxCallsPerTree !== undefined)
    numbers.maxCallsPerTree = Number(tree.params.maxCallsPerTree);
  for (const key of NUMBER_KEYS) {
    const v = tree.params[key];
    if (v !== undefined) numbers[key] = Number(v);
  }
  return growConfigOf({
    ...numbers,
    strong,
    weak: weak ?? strong,
    critic: tree.criticModel ?? strong,
    ladder: tree.params.ladder ? tree.params.ladder.split(',') : undefined,
    maxTurns: tree.maxTurns,
    expandAfterPair: tree.expandAfterPair,
    // Opened before strategy libraries: it keeps growing with the pair it started with.
    strategies: tree.strategies ?? strategyPresets.ultrainteract,
  });
}
