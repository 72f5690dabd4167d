import type { Budget } from './endpointConfig.ts';

/** How far a run is into its budget, e.g. `8000 of 10000 tokens, $0.0800 of $0.05`: only the caps that are set. */
export function budgetText(
  budget: Budget,
  usage: { promptTokens: number; completionTokens: number; costUsd: number },
) {
  const parts: string[] = [];
  if (budget.maxTokens !== undefined)
    parts.push(`${usage.promptTokens + usage.completionTokens} of ${budget.maxTokens} tokens`);
  if (budget.maxCostUsd !== undefined) parts.push(`$${usage.costUsd.toFixed(4)} of $${budget.maxCostUsd}`);
  return parts.join(', ');
}
