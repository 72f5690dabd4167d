import type { LlmUsage } from './llmClient.ts';

/** Usage counters at zero, for an LLM client to count into (every field of LlmUsage). */
export const emptyUsage = (): { -readonly [K in keyof LlmUsage]: LlmUsage[K] } => ({
  calls: 0,
  failedCalls: 0,
  retries: 0,
  timeouts: 0,
  promptTokens: 0,
  completionTokens: 0,
  costUsd: 0,
  latencyMs: 0,
});
