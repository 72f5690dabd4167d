/** Price of a model in USD per million tokens, for budget caps. */
export interface ModelPrice {
  readonly promptPerMTok: number;
  readonly completionPerMTok: number;
}

/** One OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp server …). */
export interface EndpointConfig {
  /** A name for messages and per-endpoint settings. */
  readonly name: string;
  /** Base URL, e.g. http://127.0.0.1:8000/v1 (checked: an absolute http(s) URL); default api.openai.com. */
  readonly baseUrl?: string;
  /** API key (from the environment; never logged). Local servers take any; default 'no-key'. */
  readonly apiKey?: string;
  /** Models routed here; empty or absent = any model no other endpoint lists. */
  readonly models?: readonly string[];
  /** Calls in flight at once; default 16. */
  readonly concurrency?: number;
  /** Requests per minute; default unlimited. */
  readonly rpm?: number;
  /** Tokens per minute (prompt + completion); default unlimited. */
  readonly tpm?: number;
  /** Per-attempt timeout in ms; default 600000 (10 min: slow local servers answer long prompts slowly). */
  readonly timeoutMs?: number;
  /** Retries after the first attempt on 429, 5xx, timeouts and connection errors; default 6. */
  readonly maxRetries?: number;
  readonly prices?: Readonly<Record<string, ModelPrice>>;
}

/** Caps over all endpoints; reaching one stops new calls with BUDGET_EXHAUSTED. */
export interface Budget {
  /** Prompt + completion tokens; default unlimited. */
  readonly maxTokens?: number;
  /** USD, from the endpoints' prices; default unlimited. */
  readonly maxCostUsd?: number;
}
