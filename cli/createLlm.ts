import { type ClosableLlmClient, createRoutingClient } from '../connectors/llm/createRoutingClient.ts';
import type { Budget } from '../connectors/llm/endpointConfig.ts';
import { ggufPathOf } from '../connectors/llm/ggufPathOf.ts';
import {
  createLlamaCppClient,
  type LlamaCppClient,
} from '../connectors/llm/llamaCpp/createLlamaCppClient.ts';
import type { LlmClient } from '../connectors/llm/llmClient.ts';
import type { GrowSettings } from '../pipelines/grow/parseGrowYaml.ts';
import { ArboretumError } from '../schemas/errors.ts';

export interface CreateLlmOptions {
  readonly settings: GrowSettings;
  /** Every model the run names (actors, critic, ladder): the HTTP client is made only if one of them needs it. */
  readonly models: readonly string[];
  /** Makes the HTTP client from the settings with the local endpoints taken out. */
  readonly http: (settings: GrowSettings) => LlmClient;
  readonly budget?: Budget;
}

/**
 * The LLM of a run: llama.cpp endpoints of the config and `gguf:<path>` models run in this process, every other
 * model goes to the OpenAI-compatible HTTP client (made only when some model needs it, so a run with local models
 * only needs no key and no server).
 */
export function createLlm({ settings, models, http, budget }: CreateLlmOptions): ClosableLlmClient {
  const local: LlamaCppClient[] = [];
  const remote = [];
  for (const e of settings.endpoints ?? []) {
    const kind = e.kind ?? 'openai';
    if (kind === 'openai') {
      remote.push(e);
      continue;
    }
    if (kind !== 'llama.cpp') {
      throw new ArboretumError(
        'INVALID_CONFIG',
        `endpoint ${e.name}: kind must be openai or llama.cpp, got ${JSON.stringify(kind)}`,
      );
    }
    if (!e.modelPath) {
      throw new ArboretumError(
        'INVALID_CONFIG',
        `endpoint ${e.name}: kind llama.cpp needs modelPath (a GGUF file)`,
      );
    }
    local.push(
      createLlamaCppClient({
        name: e.name,
        modelPath: e.modelPath,
        models: e.models,
        sequences: e.concurrency,
        contextSize: e.contextSize,
        threads: e.threads,
        timeoutMs: e.timeoutMs,
      }),
    );
  }
  // gguf:<path> models of the run are opened now, so a missing file stops the run before any tree opens.
  for (const m of new Set(models)) {
    const path = ggufPathOf(m);
    if (path !== null && !local.some((c) => c.knows(m)))
      local.push(createLlamaCppClient({ modelPath: path }));
  }
  const needsHttp = models.some((m) => ggufPathOf(m) === null && !local.some((c) => c.knows(m)));
  return createRoutingClient({
    http: needsHttp ? http({ ...settings, endpoints: remote }) : undefined,
    local,
    budget,
  });
}
