import { parse } from 'yaml';
import { ArboretumError, messageOf } from '../../schemas/errors.ts';
import { type StrategySettings, strategyPlanOf } from '../strategies/strategyPlanOf.ts';
import type { GrowConfig } from './growConfig.ts';

/** An endpoint as the YAML names it: the key is read from the environment variable `apiKeyEnv`, never the file. */
export interface EndpointSettings {
  readonly name: string;
  readonly baseUrl?: string;
  /** Environment variable holding the key (default OPENAI_API_KEY). */
  readonly apiKeyEnv?: string;
  readonly models?: readonly string[];
  readonly concurrency?: number;
  readonly rpm?: number;
  readonly tpm?: number;
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
  readonly prices?: Readonly<Record<string, { promptPerMTok: number; completionPerMTok: number }>>;
  /** `openai` (default: an OpenAI-compatible HTTP endpoint) or `llama.cpp` (a GGUF model run in this process). */
  readonly kind?: string;
  /** llama.cpp: the GGUF file (`~/` = home). */
  readonly modelPath?: string;
  /** llama.cpp: CPU threads (default $ARBORETUM_LLAMA_THREADS, else half the cores). */
  readonly threads?: number;
  /** llama.cpp: tokens per sequence, prompt + completion (default 4096). */
  readonly contextSize?: number;
}

/** Everything a grow config file may set. */
export interface GrowSettings {
  readonly log?: string;
  readonly instructions?: string;
  readonly adapter?: string;
  readonly endpoints?: readonly EndpointSettings[];
  readonly grow: Partial<GrowConfig>;
  readonly budget?: { readonly maxTokens?: number; readonly maxCostUsd?: number };
  /** Trees grown at once. */
  readonly concurrency?: number;
  /** The `strategies:` block as written (its plan, checked, is `grow.strategies`); `--preset` starts from another. */
  readonly strategies?: StrategySettings;
}

type Shape =
  | 'string'
  | 'number'
  | 'boolean'
  | 'strings'
  | { readonly [key: string]: Shape }
  | readonly [Shape]
  | 'prices'
  | 'numbers';

const ENDPOINT: Shape = {
  name: 'string',
  baseUrl: 'string',
  apiKeyEnv: 'string',
  models: 'strings',
  concurrency: 'number',
  rpm: 'number',
  tpm: 'number',
  timeoutMs: 'number',
  maxRetries: 'number',
  prices: 'prices',
  kind: 'string',
  modelPath: 'string',
  threads: 'number',
  contextSize: 'number',
};

const FILE: Shape = {
  log: 'string',
  instructions: 'string',
  adapter: 'string',
  endpoints: [ENDPOINT],
  actors: { strong: 'string', weak: 'string' },
  critic: 'string',
  ladder: 'strings',
  maxTurns: 'number',
  expandAfterPair: 'boolean',
  resamples: 'number',
  ladderRounds: 'number',
  ladderSamples: 'number',
  groundTruthAttempts: 'number',
  wave: 'number',
  maxCallsPerTree: 'number',
  criticReasks: 'number',
  sampling: { temperature: 'number', topP: 'number', maxTokens: 'number', criticTemperature: 'number' },
  budget: { maxTokens: 'number', maxCostUsd: 'number' },
  concurrency: 'number',
  strategies: {
    preset: 'string',
    policy: 'string',
    seed: 'number',
    library: [{ name: 'string', tasks: 'strings', instruction: 'string', weight: 'number' }],
    only: 'strings',
    weights: 'numbers',
  },
};

function check(value: unknown, shape: Shape, path: string, file: string): void {
  const bad = (what: string) => {
    throw new ArboretumError('INVALID_CONFIG', `${file}: ${path || '(top level)'} ${what}`, {
      context: { file },
    });
  };
  if (shape === 'string') {
    if (typeof value !== 'string' || !value) bad(`must be a non-empty string, got ${JSON.stringify(value)}`);
  } else if (shape === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value))
      bad(`must be a number, got ${JSON.stringify(value)}`);
  } else if (shape === 'boolean') {
    if (typeof value !== 'boolean') bad(`must be true or false, got ${JSON.stringify(value)}`);
  } else if (shape === 'strings') {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v))
      bad('must be a list of names');
  } else if (shape === 'prices') {
    if (!value || typeof value !== 'object' || Array.isArray(value)) bad('must map model names to prices');
    for (const [model, price] of Object.entries(value as object)) {
      check(price, { promptPerMTok: 'number', completionPerMTok: 'number' }, `${path}.${model}`, file);
    }
  } else if (shape === 'numbers') {
    if (!value || typeof value !== 'object' || Array.isArray(value)) bad('must map names to numbers');
    for (const [name, n] of Object.entries(value as object)) check(n, 'number', `${path}.${name}`, file);
  } else if (Array.isArray(shape)) {
    if (!Array.isArray(value)) bad('must be a list');
    for (const [i, v] of (value as unknown[]).entries()) check(v, shape[0], `${path}[${i}]`, file);
  } else {
    if (!value || typeof value !== 'object' || Array.isArray(value)) bad('must be a mapping');
    const known = shape as Record<string, Shape>;
    for (const [key, v] of Object.entries(value as object)) {
      const where = path ? `${path}.${key}` : key;
      if (key === 'apiKey') {
        throw new ArboretumError(
          'INVALID_CONFIG',
          `${file}: ${where}: API keys are read only from the environment; name the variable with apiKeyEnv`,
          { context: { file } },
        );
      }
      if (!(key in known)) {
        throw new ArboretumError(
          'INVALID_CONFIG',
          `${file}: unknown key ${where} (known here: ${Object.keys(known).join(', ')})`,
          {
            context: { file },
          },
        );
      }
      if (v !== null && v !== undefined) check(v, known[key], where, file);
    }
  }
}

/** Parses and checks a grow config (YAML); INVALID_CONFIG names the file and the bad key. */
export function parseGrowYaml(text: string, file: string): GrowSettings {
  let doc: any;
  try {
    doc = parse(text) ?? {};
  } catch (e) {
    throw new ArboretumError('INVALID_CONFIG', `${file}: not YAML: ${messageOf(e)}`, { context: { file } });
  }
  check(doc, FILE, '', file);
  (doc.endpoints ?? []).forEach((e: EndpointSettings, i: number) => {
    if (!e.name)
      throw new ArboretumError('INVALID_CONFIG', `${file}: endpoints[${i}].name is required`, {
        context: { file },
      });
  });
  const s = doc.sampling ?? {};
  return {
    log: doc.log,
    instructions: doc.instructions,
    adapter: doc.adapter,
    endpoints: doc.endpoints,
    budget: doc.budget,
    concurrency: doc.concurrency,
    strategies: doc.strategies ?? undefined,
    grow: Object.fromEntries(
      Object.entries({
        strong: doc.actors?.strong,
        weak: doc.actors?.weak,
        critic: doc.critic,
        ladder: doc.ladder,
        maxTurns: doc.maxTurns,
        expandAfterPair: doc.expandAfterPair,
        resamples: doc.resamples,
        ladderRounds: doc.ladderRounds,
        ladderSamples: doc.ladderSamples,
        groundTruthAttempts: doc.groundTruthAttempts,
        wave: doc.wave,
        maxCallsPerTree: doc.maxCallsPerTree,
        criticReasks: doc.criticReasks,
        criticTemperature: s.criticTemperature,
        temperature: s.temperature,
        topP: s.topP,
        maxTokens: s.maxTokens,
        strategies: doc.strategies ? strategyPlanOf(doc.strategies, file) : undefined,
      }).filter(([, v]) => v !== undefined),
    ),
  };
}
