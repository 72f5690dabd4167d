import { ArboretumError } from '../../schemas/errors.ts';
import { budgetText } from './budgetText.ts';
import { emptyUsage } from './emptyUsage.ts';
import type { Budget } from './endpointConfig.ts';
import { ggufPathOf } from './ggufPathOf.ts';
import { createLlamaCppClient, type LlamaCppClient } from './llamaCpp/createLlamaCppClient.ts';
import type { LlmClient, LlmUsage } from './llmClient.ts';

export interface RoutingClientOptions {
  /** Every model no local client serves (absent: only local models are served). */
  readonly http?: LlmClient;
  /** In-process endpoints (config kind `llama.cpp`), each serving the model names it lists. */
  readonly local?: readonly LlamaCppClient[];
  /** Opens the client of a `gguf:<path>` model on its first call (default createLlamaCppClient({ modelPath })). */
  readonly openGguf?: (modelPath: string) => LlamaCppClient;
  /** Caps over all clients together (cost only from the HTTP client's prices: local models cost nothing). */
  readonly budget?: Budget;
}

/** An LlmClient that also closes what it opened. */
export interface ClosableLlmClient extends LlmClient {
  close(): Promise<void>;
}

/**
 * Routes each model: names a local client lists go to it, `gguf:<path>` models to an in-process client opened once
 * per path, everything else to the HTTP client. Usage is the sum of all; the budget is enforced on that sum.
 */
export function createRoutingClient({
  http,
  local = [],
  openGguf = (modelPath) => createLlamaCppClient({ modelPath }),
  budget = {},
}: RoutingClientOptions): ClosableLlmClient {
  const opened = new Map<string, LlamaCppClient>();
  const all = (): LlmClient[] => [...(http ? [http] : []), ...local, ...opened.values()];
  const usage = (): LlmUsage => {
    const sum = emptyUsage();
    for (const c of all()) {
      const u = c.usage();
      for (const k of Object.keys(sum) as (keyof LlmUsage)[]) sum[k] += u[k];
    }
    return sum;
  };
  const exhausted = () => {
    if (http?.exhausted()) return true;
    const u = usage();
    return (
      (budget.maxTokens !== undefined && u.promptTokens + u.completionTokens >= budget.maxTokens) ||
      (budget.maxCostUsd !== undefined && u.costUsd >= budget.maxCostUsd)
    );
  };
  const routeOf = (model: string): LlmClient => {
    const named = local.find((c) => c.knows(model));
    if (named) return named;
    const path = ggufPathOf(model);
    if (path !== null) {
      let client = opened.get(path);
      if (!client) {
        client = openGguf(path);
        opened.set(path, client);
      }
      return client;
    }
    if (http) return http;
    throw new ArboretumError(
      'INVALID_CONFIG',
      `llm: no endpoint serves model ${JSON.stringify(model)} (local models: gguf:<path> or a llama.cpp endpoint)`,
      { context: { model } },
    );
  };
  return {
    usage,
    exhausted,
    knows: (model) => local.some((c) => c.knows(model)) || ggufPathOf(model) !== null || !!http?.knows(model),
    async chat(request) {
      if (exhausted()) {
        throw new ArboretumError('BUDGET_EXHAUSTED', `llm budget reached (${budgetText(budget, usage())})`, {
          context: { model: request.model },
        });
      }
      return routeOf(request.model).chat(request);
    },
    async close() {
      await Promise.all([...local, ...opened.values()].map((c) => c.close()));
    },
  };
}
