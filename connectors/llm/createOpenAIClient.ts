import OpenAI from 'openai';
import { ArboretumError, messageOf } from '../../schemas/errors.ts';
import type { Budget, EndpointConfig } from './endpointConfig.ts';
import type { ChatRequest, ChatResult, LlmClient, LlmUsage } from './llmClient.ts';
import { nodeHttpFetch } from './nodeHttpFetch.ts';
import { createRateLimiter, type RateLimiter } from './rateLimiter.ts';
import { type BackoffOptions, retryDelayOf } from './retryDelayOf.ts';
import { type Semaphore, semaphore } from './semaphore.ts';

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
  /** Call through nodeHttpFetch rather than the global fetch (default true: about a third less CPU per call). */
  readonly nodeHttp?: boolean;
}

interface Route {
  readonly config: EndpointConfig;
  readonly client: OpenAI;
  readonly slots: Semaphore;
  readonly limiter: RateLimiter;
}

const RETRIABLE_STATUS = (status: number) =>
  status === 408 || status === 409 || status === 429 || status >= 500;

/**
 * An LlmClient over OpenAI-compatible endpoints through the `openai` package: routes each model to its endpoint,
 * holds per-endpoint concurrency and RPM/TPM limits, retries 429/5xx/timeouts/connection errors with backoff that
 * honours Retry-After, counts tokens, latency and cost, and stops at the budget caps.
 */
export function createOpenAIClient({
  endpoints,
  budget = {},
  backoff = {},
  onRetry,
  nodeHttp: useNodeHttp = true,
}: OpenAIClientOptions): LlmClient {
  if (!endpoints.length) throw new ArboretumError('INVALID_CONFIG', 'llm: at least one endpoint is required');
  const routes = new Map<string, Route>();
  let fallback: Route | undefined;
  for (const config of endpoints) {
    const { concurrency = 16, timeoutMs = 120_000 } = config;
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new ArboretumError(
        'INVALID_CONFIG',
        `llm endpoint ${config.name}: concurrency must be a whole number >= 1`,
      );
    }
    const route: Route = {
      config,
      client: new OpenAI({
        apiKey: config.apiKey || 'no-key',
        ...(config.baseUrl ? { baseURL: config.baseUrl } : {}),
        maxRetries: 0,
        timeout: timeoutMs,
        ...(useNodeHttp ? { fetch: nodeHttpFetch() } : {}),
      }),
      slots: semaphore(concurrency),
      limiter: createRateLimiter({ rpm: config.rpm, tpm: config.tpm }),
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
  const usage = {
    calls: 0,
    failedCalls: 0,
    retries: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    latencyMs: 0,
  };
  const exhausted = () =>
    (budget.maxTokens !== undefined && usage.promptTokens + usage.completionTokens >= budget.maxTokens) ||
    (budget.maxCostUsd !== undefined && usage.costUsd >= budget.maxCostUsd);

  const routeOf = (model: string): Route => {
    const route = routes.get(model) ?? fallback;
    if (!route)
      throw new ArboretumError('INVALID_CONFIG', `llm: no endpoint serves model ${JSON.stringify(model)}`);
    return route;
  };

  const attemptOnce = async (route: Route, request: ChatRequest): Promise<ChatResult> => {
    const started = performance.now();
    let completion: OpenAI.ChatCompletion;
    try {
      completion = await route.client.chat.completions.create(
        {
          model: request.model,
          messages: request.messages.map((m) => ({ role: m.role, content: m.content }) as any),
          ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
          ...(request.topP !== undefined ? { top_p: request.topP } : {}),
          ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
          ...(request.seed !== undefined && request.seed !== null ? { seed: request.seed } : {}),
        },
        {
          signal: request.signal,
          ...(request.requestId ? { headers: { 'x-arboretum-request-id': request.requestId } } : {}),
        },
      );
    } catch (e) {
      // A 2xx body that is not JSON surfaces as a SyntaxError from the package: a malformed answer, not an outage.
      if (!(e instanceof SyntaxError)) throw e;
      const latencyMs = Math.round(performance.now() - started);
      return {
        text: '',
        failure: `malformed answer: ${e.message}`,
        promptTokens: 0,
        completionTokens: 0,
        latencyMs,
        attempts: 1,
        finishReason: null,
      };
    }
    const latencyMs = Math.round(performance.now() - started);
    const promptTokens = completion?.usage?.prompt_tokens ?? 0;
    const completionTokens = completion?.usage?.completion_tokens ?? 0;
    const choice = Array.isArray(completion?.choices) ? completion.choices[0] : undefined;
    const content = choice?.message?.content;
    let failure: string | null = null;
    if (!choice) failure = 'malformed answer: no choices';
    else if (typeof content !== 'string') failure = 'malformed answer: message has no text content';
    else if (content.trim() === '') failure = 'empty answer';
    else if (choice.finish_reason === 'length') failure = 'answer cut at the max_tokens limit';
    return {
      text: failure && failure !== 'answer cut at the max_tokens limit' ? '' : (content ?? ''),
      failure,
      promptTokens,
      completionTokens,
      latencyMs,
      attempts: 1,
      finishReason: choice?.finish_reason ?? null,
    };
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

  return {
    usage: (): LlmUsage => ({ ...usage }),
    exhausted,
    knows: (model) => routes.has(model) || fallback !== undefined,
    async chat(request) {
      const route = routeOf(request.model);
      const { maxRetries = 6, name } = route.config;
      for (let attempt = 1; ; attempt++) {
        if (exhausted()) {
          throw new ArboretumError('BUDGET_EXHAUSTED', `llm budget reached (${budgetText(budget, usage)})`, {
            context: { model: request.model },
          });
        }
        const release = await route.slots.acquire();
        let error: unknown;
        try {
          await route.limiter.acquire(request.signal);
          const result = await attemptOnce(route, request);
          account(route, request.model, result);
          return { ...result, attempts: attempt };
        } catch (e) {
          error = e;
        } finally {
          release();
        }
        if (request.signal?.aborted) throw error;
        const { retriable, reason, headers } = classify(error);
        if (!retriable || attempt > maxRetries) {
          usage.failedCalls++;
          throw new ArboretumError(
            'LLM_FAILED',
            `llm endpoint ${name}, model ${request.model}: ${reason}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}`,
            { retriable, cause: error, context: { endpoint: name, model: request.model } },
          );
        }
        const delayMs = retryDelayOf(attempt, headers, { ...backoff, random: Math.random() });
        usage.retries++;
        onRetry?.({ endpoint: name, model: request.model, attempt, delayMs, reason });
        await new Promise((done) => setTimeout(done, delayMs));
      }
    },
  };
}

function classify(e: unknown): {
  retriable: boolean;
  reason: string;
  headers?: { get(name: string): string | null };
} {
  if (e instanceof OpenAI.APIConnectionTimeoutError) return { retriable: true, reason: 'timed out' };
  if (e instanceof OpenAI.APIConnectionError)
    return { retriable: true, reason: `connection error: ${messageOf(e)}` };
  if (e instanceof OpenAI.APIError && typeof e.status === 'number') {
    return {
      retriable: RETRIABLE_STATUS(e.status),
      reason: `HTTP ${e.status}: ${messageOf(e)}`,
      headers: e.headers as any,
    };
  }
  return { retriable: false, reason: messageOf(e) };
}

function budgetText(
  budget: Budget,
  usage: { promptTokens: number; completionTokens: number; costUsd: number },
) {
  const parts: string[] = [];
  if (budget.maxTokens !== undefined)
    parts.push(`${usage.promptTokens + usage.completionTokens} of ${budget.maxTokens} tokens`);
  if (budget.maxCostUsd !== undefined) parts.push(`$${usage.costUsd.toFixed(4)} of $${budget.maxCostUsd}`);
  return parts.join(', ');
}
