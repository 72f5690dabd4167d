import type { Message } from '../../schemas/types.ts';

/** One chat-completions call. */
export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly Message[];
  readonly temperature?: number;
  readonly topP?: number;
  /** Completion token cap (default: the endpoint's default). */
  readonly maxTokens?: number;
  readonly seed?: number | null;
  /** Sent as the x-arboretum-request-id header: which step of which tree asks (never secret). */
  readonly requestId?: string;
  /** Aborts this call, including its waits for a slot, a rate limit or a backoff. */
  readonly signal?: AbortSignal;
}

/** The answer to a call. A malformed or empty answer is not an exception: `failure` says why and `text` is ''. */
export interface ChatResult {
  readonly text: string;
  /** Why the answer cannot be used (empty, malformed, cut by the length limit), or null. */
  readonly failure: string | null;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Wall time of the successful attempt, in ms (retries and rate-limit waits not included). */
  readonly latencyMs: number;
  /** Attempts made (1 = no retry). */
  readonly attempts: number;
  /** The endpoint's finish_reason (`stop`, `length`, …), or null when it gave none. */
  readonly finishReason: string | null;
}

/** Totals since the client was created. */
export interface LlmUsage {
  readonly calls: number;
  readonly failedCalls: number;
  readonly retries: number;
  /** Attempts cut by the client's per-request timeout (each retried or, once retries are spent, thrown). */
  readonly timeouts: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Estimated cost in USD from the configured prices (0 when no prices). */
  readonly costUsd: number;
  /** Sum of per-call latencies in ms. */
  readonly latencyMs: number;
}

/**
 * The LLM port the grower calls. Implementations own routing (model → endpoint), concurrency, rate limits, retries and
 * budgets. They are not responsible for parsing actions or for remembering answers: the grower logs them.
 *
 * Contract with the grower: `failure` is only for a healthy endpoint's unusable answer (empty text, cut at max_tokens);
 * a fault of the endpoint itself (non-JSON body, no choices, auth, unknown model, bad URL, timeouts) is thrown, never
 * returned, so it stops the run instead of failing a tree.
 *
 * `chat` throws ArboretumError LLM_FAILED once retries are spent (`retriable` true when the endpoint was unreachable,
 * rate-limited or failing, or the call was aborted: trying later may work; false when the request itself was refused),
 * INVALID_CONFIG when the endpoint refuses the key or does not know the model (it cannot pass: fix the config), and
 * BUDGET_EXHAUSTED once a budget cap is reached. Endpoint faults carry `context.endpointFault` true.
 */
export interface LlmClient {
  chat(request: ChatRequest): Promise<ChatResult>;
  usage(): LlmUsage;
  /** True once a budget cap is reached; every later chat throws BUDGET_EXHAUSTED. */
  exhausted(): boolean;
  /** Models the client knows how to route (those named in endpoint configs; a default endpoint takes any). */
  knows(model: string): boolean;
}
