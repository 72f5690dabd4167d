import { setMaxListeners } from 'node:events';
import OpenAI from 'openai';
import { ArboretumError, isArboretumError, messageOf } from '../../schemas/errors.ts';
import type { BackoffOptions } from '../shared/backoffDelay.ts';
import { createLimiter, type Limiter } from '../shared/createLimiter.ts';
import { retry } from '../shared/retry.ts';
import { type Clock, systemClock } from '../shared/systemClock.ts';
import { answerOf } from './answerOf.ts';
import { budgetText } from './budgetText.ts';
import { checkBaseUrl } from './checkBaseUrl.ts';
import { emptyUsage } from './emptyUsage.ts';
import type { Budget, EndpointConfig } from './endpointConfig.ts';
import type { ChatRequest, ChatResult, LlmClient, LlmUsage } from './llmClient.ts';
import { nodeHttpFetch } from './nodeHttpFetch.ts';
import { createRateLimiter, type RateLimiter } from './rateLimiter.ts';
import { retryDelayOf } from './retryDelayOf.ts';

export interface OpenAIClientOptions {
  readonly endpoints: readonly EndpointConfig[];
  readonly budget?: Budget;
  readonly backoff?: Omit<BackoffOptions, 'random'>;
  /** Told about each retry (default: silent). */
  readonly onRetry?: (info: {
    endpoint: string;
    model: string;
    attempt: number;
    delayMs: number;
    reason: string;
  }) => void;
  /** Told about each attempt the client's per-request timeout cut (default: silent); it is retried like a 5xx. */
  readonly onTimeout?: (info: {
    endpoint: string;
    model: string;
    attempt: number;
    timeoutMs: number;
  }) => void;
  /**
   * Aborts every call of this client, in flight or waiting (slots, rate limits, backoff): one signal for a whole run,
   * so a stop does not have to reach each caller. Combined with each request's own `signal`.
   */
  readonly signal?: AbortSignal;
  /** Clock of the rate limiters, epoch ms (default clock.now; tests inject one). */
  readonly now?: () => number;
  /** Clock of the backoff waits and Retry-After dates (default the wall clock; tests inject one). */
  readonly clock?: Clock;
  /** Call through nodeHttpFetch rather than the global fetch (default true: about a third less CPU per call). */
  readonly nodeHttp?: boolean;
}

interface Route {
  readonly config: EndpointConfig;
  /** The endpoint as messages name it: its name and where it is. */
  readonly label: string;
  readonly client: OpenAI;
  readonly slots: Limiter;
  readonly limiter: RateLimiter;
  readonly timeoutMs: number;
}

/** Default per-attempt timeout, in ms: 10 minutes, so a slow local server's long answer is not cut and re-asked. */
const DEFAULT_TIMEOUT_MS = 600_000;
/** Characters of a reply quoted in an error message. */
const EXCERPT_CHARS = 200;

const RETRIABLE_STATUS = (status: number) =>
  status === 408 || status === 409 || status === 429 || status >= 500;

/**
 * A fault of the endpoint itself, found in a 2xx reply (not JSON, no choices, a choice without a message). Retried like
 * a 5xx (a proxy or a restarting server may send these for a while), then thrown: never returned as a failed answer.
 */
class BadReply extends Error {}

/**
 * An LlmClient over OpenAI-compatible endpoints through the `openai` package: routes each model to its endpoint,
 * holds per-endpoint concurrency and RPM/TPM limits, retries 429/5xx/timeouts/connection errors and malformed replies
 * with backoff that honours Retry-After, counts tokens, latency, timeouts and cost, and stops at the budget caps.
 *
 * What is thrown (see the LlmClient contract): an endpoint that refuses the key (401/403) or does not know the model
 * (404, model_not_found) is INVALID_CONFIG, not retried (it cannot pass); one that keeps failing (5xx, connection,
 * timeouts, non-JSON or choice-less replies) is LLM_FAILED retriable once retries are spent; another refused request
 * (400, 422) is LLM_FAILED not retriable. Each message names the endpoint (name and URL), the model and an excerpt
 * of the reply. An abort (the client's or the request's signal) ends waits and calls at once: LLM_FAILED retriable,
 * with `context.aborted`.
 */
export function createOpenAIClient({
  endpoints,
  budget = {},
  backoff = {},
  onRetry,
  onTimeout,
  signal: clientSignal,
  clock = systemClock,
  now = clock.now,
  nodeHttp: useNodeHttp = true,
}: OpenAIClientOptions): LlmClient {
  if (!endpoints.length) throw new ArboretumError('INVALID_CONFIG', 'llm: at least one endpoint is required');
  // Every call in flight listens on the run's signal (hundreds at once): not a leak, so no warning past 10.
  if (clientSignal) setMaxListeners(0, clientSignal);
  const routes = new Map<string, Route>();
  let fallback: Route | undefined;
  const fetch = useNodeHttp ? nodeHttpFetch() : undefined;
  for (const config of endpoints) {
    const { concurrency = 16, timeoutMs = DEFAULT_TIMEOUT_MS } = config;
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new ArboretumError(
        'INVALID_CONFIG',
        `llm endpoint ${config.name}: concurrency must be a whole number >= 1`,
      );
    }
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      throw new ArboretumError(
        'INVALID_CONFIG',
        `llm endpoint ${config.name}: timeoutMs must be a number > 0, got ${JSON.stringify(timeoutMs)}`,
      );
    }
    checkBaseUrl(config.name, config.baseUrl);
    const route: Route = {
      config,
      label: `${config.name} (${config.baseUrl ?? 'https://api.openai.com/v1'})`,
      client: new OpenAI({
        apiKey: config.apiKey || 'no-key',
        ...(config.baseUrl ? { baseURL: config.baseUrl } : {}),
        maxRetries: 0,
        timeout: timeoutMs,
        ...(fetch ? { fetch } : {}),
      }),
      slots: createLimiter({ concurrency }),
      limiter: createRateLimiter({ rpm: config.rpm, tpm: config.tpm, now }),
      timeoutMs,
    };
    if (!config.models?.length) {
      if (fallback) {
        throw new ArboretumError(
          'INVALID_CONFIG',
          `llm endpoints ${fallback.config.name} and ${config.name} both list no models: only one may take any model`,
        );
      }
      fallback = route;
    }
    for (const m of config.models ?? []) if (!routes.has(m)) routes.set(m, route);
  }
  const usage = emptyUsage();
  const exhausted = () =>
    (budget.maxTokens !== undefined && usage.promptTokens + usage.completionTokens >= budget.maxTokens) ||
    (budget.maxCostUsd !== undefined && usage.costUsd >= budget.maxCostUsd);

  const routeOf = (model: string): Route => {
    const route = routes.get(model) ?? fallback;
    if (!route)
      throw new ArboretumError('INVALID_CONFIG', `llm: no endpoint serves model ${JSON.stringify(model)}`, {
        context: { model },
      });
    if (budget.maxCostUsd !== undefined && !route.config.prices?.[model]) {
      // Its calls would count $0: the dollar cap could not be kept.
      throw new ArboretumError(
        'INVALID_CONFIG',
        `llm endpoint ${route.label}: model ${model} has no price, so the budget of $${budget.maxCostUsd} cannot be kept (set prices for it)`,
        { context: { endpoint: route.config.name, model } },
      );
    }
    return route;
  };

  const attemptOnce = async (
    route: Route,
    request: ChatRequest,
    signal?: AbortSignal,
  ): Promise<ChatResult> => {
    const started = performance.now();
    const response = await route.client.chat.completions
      .create(
        {
          model: request.model,
          messages: request.messages.map((m) => ({ role: m.role, content: m.content }) as any),
          ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
          ...(request.topP !== undefined ? { top_p: request.topP } : {}),
          ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
          ...(request.seed !== undefined && request.seed !== null ? { seed: request.seed } : {}),
        },
        {
          signal,
          ...(request.requestId ? { headers: { 'x-arboretum-request-id': request.requestId } } : {}),
        },
      )
      // The raw reply, read and parsed here: a reply that is not a completion must be quoted in the error.
      .asResponse();
    const body = await response.text();
    const latencyMs = Math.round(performance.now() - started);
    let completion: any;
    try {
      completion = JSON.parse(body);
    } catch {
      throw new BadReply(`reply is not JSON: ${excerpt(body)}`);
    }
    const choice = Array.isArray(completion?.choices) ? completion.choices[0] : undefined;
    if (!choice) throw new BadReply(`reply has no choices: ${excerpt(body)}`);
    if (!choice.message || typeof choice.message !== 'object')
      throw new BadReply(`reply's choice has no message: ${excerpt(body)}`);
    const promptTokens = Number(completion.usage?.prompt_tokens) || 0;
    const completionTokens = Number(completion.usage?.completion_tokens) || 0;
    const content: unknown = choice.message.content;
    const finishReason = typeof choice.finish_reason === 'string' ? choice.finish_reason : null;
    // A healthy endpoint's unusable answer: a failure the grower records on the action, not a fault.
    return answerOf({
      text: typeof content === 'string' ? content : '',
      finishReason,
      promptTokens,
      completionTokens,
      latencyMs,
    });
  };

  const account = (route: Route, model: string, r: ChatResult) => {
    usage.calls++;
    if (r.failure) usage.failedCalls++;
    usage.promptTokens += r.promptTokens;
    usage.completionTokens += r.completionTokens;
    usage.latencyMs += r.latencyMs;
    const price = route.config.prices?.[model];
    if (price) {
      usage.costUsd +=
        (r.promptTokens * price.promptPerMTok + r.completionTokens * price.completionPerMTok) / 1_000_000;
    }
    route.limiter.spend(r.promptTokens + r.completionTokens);
  };

  const signalOf = (request: ChatRequest): AbortSignal | undefined =>
    request.signal && clientSignal
      ? AbortSignal.any([request.signal, clientSignal])
      : (request.signal ?? clientSignal);

  return {
    usage: (): LlmUsage => ({ ...usage }),
    exhausted,
    knows: (model) => routes.has(model) || fallback !== undefined,
    async chat(request) {
      const route = routeOf(request.model);
      const { maxRetries = 6, name } = route.config;
      const signal = signalOf(request);
      const where = `llm endpoint ${route.label}, model ${request.model}`;
      const aborted = (cause: unknown) =>
        new ArboretumError('LLM_FAILED', `${where}: call aborted (the run is stopping)`, {
          retriable: true,
          cause,
          context: { endpoint: name, model: request.model, aborted: true },
        });
      // The last failed attempt's headers (a server's Retry-After sets the next wait) and reason (told to onRetry).
      let headers: { get(name: string): string | null } | undefined;
      let lastReason = '';
      const once = async (attempt: number): Promise<ChatResult> => {
        if (exhausted()) {
          throw new ArboretumError('BUDGET_EXHAUSTED', `llm budget reached (${budgetText(budget, usage)})`, {
            context: { model: request.model },
          });
        }
        let error: unknown;
        try {
          const release = await route.slots.acquire(signal);
          try {
            await route.limiter.acquire(signal);
            const result = await attemptOnce(route, request, signal);
            account(route, request.model, result);
            return { ...result, attempts: attempt };
          } finally {
            release();
          }
        } catch (e) {
          error = e;
        }
        if (signal?.aborted) throw aborted(error);
        const classified = classify(error, route, request.model);
        const { retriable, fatalConfig, reason } = classified;
        headers = classified.headers;
        lastReason = reason;
        if (error instanceof OpenAI.APIConnectionTimeoutError) {
          usage.timeouts++;
          onTimeout?.({ endpoint: name, model: request.model, attempt, timeoutMs: route.timeoutMs });
        }
        const after = attempt > 1 ? ` (after ${attempt} attempts)` : '';
        // Counted here, where it is known that no retry follows (not retriable, or the retries are spent).
        if (fatalConfig || !retriable || attempt > maxRetries) usage.failedCalls++;
        if (fatalConfig) {
          throw new ArboretumError('INVALID_CONFIG', `${where}: ${reason}${after}`, {
            cause: error,
            context: { endpoint: name, model: request.model, endpointFault: true },
          });
        }
        throw new ArboretumError('LLM_FAILED', `${where}: ${reason}${after}`, {
          retriable,
          cause: error,
          context: { endpoint: name, model: request.model, endpointFault: retriable },
        });
      };
      try {
        return await retry(once, {
          retries: maxRetries,
          delayOf: (attempt) => retryDelayOf(attempt, headers, backoff, clock.now()),
          onRetry: ({ attempt, delayMs }) => {
            usage.retries++;
            onRetry?.({ endpoint: name, model: request.model, attempt, delayMs, reason: lastReason });
          },
          signal,
          clock,
        });
      } catch (e) {
        // A stop that came during a backoff wait ends the call as an aborted one, like a stop during a call.
        if (signal?.aborted && !(isArboretumError(e) && e.context.aborted)) throw aborted(e);
        throw e;
      }
    },
  };
}

/** At most EXCERPT_CHARS of a reply, on one line, between angle quotes (JSON bodies stay readable). */
function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return `«${flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat}»`;
}

/** What a failed attempt means: retry it, stop the run as misconfigured (fatalConfig), or refuse the request. */
function classify(
  e: unknown,
  route: Route,
  model: string,
): {
  retriable: boolean;
  fatalConfig?: boolean;
  reason: string;
  headers?: { get(name: string): string | null };
} {
  if (e instanceof BadReply) return { retriable: true, reason: e.message };
  if (e instanceof OpenAI.APIConnectionTimeoutError)
    return { retriable: true, reason: `request timed out after ${route.timeoutMs / 1000} s` };
  if (e instanceof OpenAI.APIConnectionError)
    return { retriable: true, reason: `connection error: ${messageOf(e)}` };
  if (e instanceof OpenAI.APIError && typeof e.status === 'number') {
    const reply = excerpt(e.error !== undefined ? JSON.stringify(e.error) : messageOf(e));
    const code = (e as { code?: unknown }).code;
    if (e.status === 401 || e.status === 403) {
      return {
        retriable: false,
        fatalConfig: true,
        reason: `HTTP ${e.status}: the endpoint refused the API key (check the key's variable, e.g. OPENAI_API_KEY); reply ${reply}`,
      };
    }
    if (e.status === 404 || code === 'model_not_found') {
      return {
        retriable: false,
        fatalConfig: true,
        reason: `HTTP ${e.status}: unknown model ${JSON.stringify(model)} or no chat-completions route at ${route.config.baseUrl ?? 'the default URL'}; reply ${reply}`,
      };
    }
    return {
      retriable: RETRIABLE_STATUS(e.status),
      reason: `HTTP ${e.status}; reply ${reply}`,
      headers: e.headers as any,
    };
  }
  return { retriable: false, reason: messageOf(e) };
}
