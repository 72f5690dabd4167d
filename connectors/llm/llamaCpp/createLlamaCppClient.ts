import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import {
  type ChatHistoryItem,
  type ChatWrapper,
  LlamaChat,
  type LlamaContext,
  type LlamaModel,
  resolveChatWrapper,
} from 'node-llama-cpp';
import { ArboretumError, isArboretumError, messageOf } from '../../../schemas/errors.ts';
import type { Message } from '../../../schemas/types.ts';
import { answerOf } from '../answerOf.ts';
import { emptyUsage } from '../emptyUsage.ts';
import type { ChatRequest, ChatResult, LlmClient, LlmUsage } from '../llmClient.ts';
import { acquireGgufModel, type GgufModelShare } from './acquireGgufModel.ts';
import { threadsOf } from './threadsOf.ts';

export interface LlamaCppClientOptions {
  /** The GGUF file; `~/` is the home directory, relative paths are from the working directory. */
  readonly modelPath: string;
  /** Model names routed here (default [`gguf:<modelPath>` as given]). */
  readonly models?: readonly string[];
  /** A name for messages (default the file's path). */
  readonly name?: string;
  /** Sequences of the one context: calls generated at once, batched together (default 4); more calls wait, FIFO. */
  readonly sequences?: number;
  /** Tokens each sequence holds, prompt + completion (default 4096; the KV cache costs ~23 KB a token for SmolLM2-135M). */
  readonly contextSize?: number;
  /** CPU threads (default threadsOf: $ARBORETUM_LLAMA_THREADS, else half the available cores, at least 1). */
  readonly threads?: number;
  /** Per-call limit in ms from the moment a sequence is free (waiting for one is not counted); default 600000. */
  readonly timeoutMs?: number;
}

/** An LlmClient over a model in this process; `close` frees its context (and the model, once no client uses it). */
export interface LlamaCppClient extends LlmClient {
  /** Loads the model and its context now (the first chat does it otherwise); rejects like chat would. */
  ready(): Promise<void>;
  close(): Promise<void>;
  /** Calls generating now (at most `sequences`; the others wait). */
  busy(): number;
  /** The resolved file, threads and sequences in use. */
  readonly info: { readonly modelPath: string; readonly threads: number; readonly sequences: number };
}

interface Slot {
  readonly chat: LlamaChat;
}

interface Loaded {
  readonly model: LlamaModel;
  readonly context: LlamaContext;
  readonly wrapper: ChatWrapper;
  readonly free: Slot[];
}

/** `~/x` → home/x, then absolute. */
function expand(path: string): string {
  return resolve(path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path);
}

/** INVALID_CONFIG naming the file unless it is a readable GGUF file (checked by its magic bytes). */
function checkGguf(path: string, given: string): void {
  const bad = (why: string, cause?: unknown) =>
    new ArboretumError(
      'INVALID_CONFIG',
      `llama.cpp model ${given}${given === path ? '' : ` (${path})`}: ${why}`,
      {
        cause,
        context: { file: path },
      },
    );
  let fd: number;
  try {
    if (!statSync(path).isFile()) throw bad('not a file');
    fd = openSync(path, 'r');
  } catch (e) {
    if (isArboretumError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw bad(
      code === 'ENOENT'
        ? 'no such file (scripts/setup.sh fetches SmolLM2-135M-Instruct into ~/.cache/arboretum/models/)'
        : `cannot read it: ${messageOf(e)}`,
      e,
    );
  }
  try {
    const magic = Buffer.alloc(4);
    const n = readSync(fd, magic, 0, 4, 0);
    if (n < 4 || magic.toString('latin1') !== 'GGUF')
      throw bad('not a GGUF file (its first bytes are not "GGUF")');
  } catch (e) {
    if (isArboretumError(e)) throw e;
    throw bad(`cannot read it: ${messageOf(e)}`, e);
  } finally {
    closeSync(fd);
  }
}

function historyOf(messages: readonly Message[]): ChatHistoryItem[] {
  return messages.map((m): ChatHistoryItem => {
    if (m.role === 'system') return { type: 'system', text: m.content };
    if (m.role === 'assistant') return { type: 'model', response: [m.content] };
    return { type: 'user', text: m.content };
  });
}

const abortReason = (signal: AbortSignal) =>
  signal.reason ?? new DOMException('This operation was aborted', 'AbortError');

/**
 * An LlmClient that runs a GGUF model in this process through node-llama-cpp: the chat template comes from the GGUF
 * (resolveChatWrapper), temperature / topP / seed / maxTokens are honoured (temperature default 1 and topP default 1,
 * as the OpenAI API), tokens and latency are counted as for HTTP models. One context with `sequences` sequences
 * serves that many calls at once (they are evaluated in one batch); further calls queue FIFO for a free sequence.
 *
 * Errors: a missing, unreadable or non-GGUF file is INVALID_CONFIG naming it (at construction; a file llama.cpp
 * cannot load, on the first call); a call over `timeoutMs` throws LLM_FAILED (retriable); an abort of
 * `request.signal` throws its reason; a prompt longer than the context throws LLM_FAILED (not retriable). As for
 * HTTP, an empty answer or one cut at maxTokens is a `failure`, not an exception. It is not responsible for budgets
 * (the routing client holds them) or retries (a local model has no transient faults to retry).
 */
export function createLlamaCppClient({
  modelPath,
  models,
  name = modelPath,
  sequences = 4,
  contextSize = 4096,
  threads: threadsOption,
  timeoutMs = 600_000,
}: LlamaCppClientOptions): LlamaCppClient {
  const path = expand(modelPath);
  const whole = (key: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min)
      throw new ArboretumError(
        'INVALID_CONFIG',
        `llama.cpp ${name}: ${key} must be a whole number >= ${min}, got ${v}`,
      );
  };
  whole('sequences', sequences, 1);
  whole('contextSize', contextSize, 64);
  whole('timeoutMs', timeoutMs, 1);
  const threads = threadsOf(threadsOption);
  checkGguf(path, modelPath);
  const names = new Set(models?.length ? models : [`gguf:${modelPath}`]);

  let share: GgufModelShare | null = null;
  let loading: Promise<Loaded> | null = null;
  let closed = false;
  const waiters: { resolve: (s: Slot) => void; reject: (e: unknown) => void }[] = [];
  const inFlight = new Set<AbortController>();
  const running = new Set<Promise<unknown>>();
  const usage = emptyUsage();

  const load = (): Promise<Loaded> => {
    if (closed)
      return Promise.reject(new ArboretumError('LLM_FAILED', `llama.cpp ${name}: the client is closed`));
    if (!loading) {
      share = acquireGgufModel(path);
      const current = share;
      loading = (async () => {
        const model = await current.model;
        const context = await model
          .createContext({ sequences, contextSize, threads, batchSize: Math.min(512, contextSize) })
          .catch((e) => {
            throw new ArboretumError(
              'INVALID_CONFIG',
              `llama.cpp ${name}: cannot make a context of ${sequences} x ${contextSize} tokens: ${messageOf(e)}`,
              { cause: e, context: { file: path } },
            );
          });
        // The chat template of the GGUF's metadata (tokenizer.chat_template), mapped to node-llama-cpp's wrapper.
        const wrapper = resolveChatWrapper(model);
        const free: Slot[] = [];
        for (let i = 0; i < sequences; i++) {
          free.push({
            chat: new LlamaChat({ contextSequence: context.getSequence(), chatWrapper: wrapper }),
          });
        }
        return { model, context, wrapper, free };
      })();
      // A failed load is retried by the next call rather than remembered.
      loading.catch(() => {
        loading = null;
        share = null;
        void current.release();
      });
    }
    return loading;
  };

  const acquire = async (signal: AbortSignal | undefined): Promise<{ loaded: Loaded; slot: Slot }> => {
    const loaded = await load();
    if (closed) throw new ArboretumError('LLM_FAILED', `llama.cpp ${name}: the client is closed`);
    if (signal?.aborted) throw abortReason(signal);
    const slot = loaded.free.pop();
    if (slot) return { loaded, slot };
    return new Promise((resolveSlot, reject) => {
      const waiter = {
        resolve: (s: Slot) => {
          signal?.removeEventListener('abort', onAbort);
          resolveSlot({ loaded, slot: s });
        },
        reject: (e: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      const onAbort = () => {
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        reject(abortReason(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waiters.push(waiter);
    });
  };

  const releaseSlot = (loaded: Loaded, slot: Slot) => {
    const next = waiters.shift();
    if (next) next.resolve(slot);
    else loaded.free.push(slot);
  };

  const generate = async (loaded: Loaded, slot: Slot, request: ChatRequest): Promise<ChatResult> => {
    const history = historyOf(request.messages);
    // The prompt as the template renders it (with the opening of the assistant turn): what an HTTP server counts.
    const promptTokens = loaded.wrapper
      .generateContextState({ chatHistory: [...history, { type: 'model', response: [] }] })
      .contextText.tokenize(loaded.model.tokenizer).length;
    const room = slot.chat.sequence.contextSize - promptTokens;
    if (room < 1) {
      throw new ArboretumError(
        'LLM_FAILED',
        `llama.cpp ${name}: the prompt of ${promptTokens} tokens leaves no room in a context of ` +
          `${slot.chat.sequence.contextSize} tokens (raise contextSize)`,
        { context: { model: request.model } },
      );
    }
    const maxTokens = Math.min(request.maxTokens ?? room, room);
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new ArboretumError('TIMEOUT', `timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    inFlight.add(timeout);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout.signal]) : timeout.signal;
    const before = slot.chat.sequence.tokenMeter.getState();
    const started = performance.now();
    try {
      const r = await slot.chat.generateResponse(history, {
        maxTokens,
        temperature: request.temperature ?? 1,
        topP: request.topP ?? 1,
        ...(request.seed !== undefined && request.seed !== null ? { seed: request.seed } : {}),
        signal,
        stopOnAbortSignal: false,
      });
      const latencyMs = Math.round(performance.now() - started);
      const completionTokens = slot.chat.sequence.tokenMeter.diff(before).usedOutputTokens;
      const finishReason = r.metadata.stopReason === 'maxTokens' ? 'length' : 'stop';
      return answerOf({ text: r.response, finishReason, promptTokens, completionTokens, latencyMs });
    } catch (e) {
      if (request.signal?.aborted) throw abortReason(request.signal);
      if (timeout.signal.aborted) {
        if (!closed) usage.timeouts++;
        throw new ArboretumError(
          'LLM_FAILED',
          closed
            ? `llama.cpp ${name}, model ${request.model}: the client was closed during the call`
            : `llama.cpp ${name}, model ${request.model}: timed out after ${timeoutMs} ms`,
          { retriable: !closed, cause: e, context: { endpoint: name, model: request.model } },
        );
      }
      throw new ArboretumError('LLM_FAILED', `llama.cpp ${name}, model ${request.model}: ${messageOf(e)}`, {
        cause: e,
        context: { endpoint: name, model: request.model },
      });
    } finally {
      clearTimeout(timer);
      inFlight.delete(timeout);
    }
  };

  return {
    info: { modelPath: path, threads, sequences },
    usage: (): LlmUsage => ({ ...usage }),
    exhausted: () => false,
    busy: () => running.size,
    knows: (model) => names.has(model),
    ready: async () => {
      await load();
    },
    async chat(request) {
      if (!names.has(request.model)) {
        throw new ArboretumError(
          'INVALID_CONFIG',
          `llama.cpp ${name}: does not serve model ${JSON.stringify(request.model)}`,
          { context: { endpoint: name, model: request.model } },
        );
      }
      const { loaded, slot } = await acquire(request.signal);
      const call = generate(loaded, slot, request);
      running.add(call);
      try {
        const result = await call;
        usage.calls++;
        if (result.failure) usage.failedCalls++;
        usage.promptTokens += result.promptTokens;
        usage.completionTokens += result.completionTokens;
        usage.latencyMs += result.latencyMs;
        return result;
      } catch (e) {
        usage.failedCalls++;
        throw e;
      } finally {
        running.delete(call);
        releaseSlot(loaded, slot);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      const gone = new ArboretumError('LLM_FAILED', `llama.cpp ${name}: the client was closed`);
      for (const w of waiters.splice(0)) w.reject(gone);
      for (const c of inFlight) c.abort(gone);
      const loaded = await loading?.catch(() => null);
      if (loaded) {
        // Calls just aborted give their sequences back once their generation unwinds.
        await Promise.allSettled([...running]);
        for (const s of loaded.free) s.chat.dispose({ disposeSequence: true });
        await loaded.context.dispose();
      }
      await share?.release();
    },
  };
}
