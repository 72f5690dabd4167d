import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One chat-completions request as the scripted server received it. */
export interface ScriptedRequest {
  /** 0-based arrival order. */
  readonly seq: number;
  readonly model: string;
  readonly messages: readonly { readonly role: string; readonly content: string }[];
  /** The whole JSON body. */
  readonly body: Record<string, any>;
  /** The x-arboretum-request-id header, when the client sent one. */
  readonly requestId: string | null;
  readonly authorization: string | null;
  /** Epoch ms of arrival. */
  readonly receivedAt: number;
  /** HTTP status the server answered with (set once answered). */
  status?: number;
}

/** What to answer to one request. */
export interface ScriptReply {
  /** The assistant message (default ''); ignored when `body` or `raw` is set. */
  readonly content?: string;
  /** HTTP status (default 200). Non-2xx answers carry an OpenAI-shaped error body. */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON body to send instead of the built completion. */
  readonly body?: unknown;
  /** Raw text to send as the body (for malformed answers). */
  readonly raw?: string;
  /** Extra delay for this request in ms, on top of the server latency. */
  readonly delayMs?: number;
  /** Never answer (the client must time out). */
  readonly hang?: boolean;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
  /** finish_reason of the choice (default 'stop'). */
  readonly finishReason?: string;
}

export interface ScriptedOpenAIOptions {
  /** Decides the answer of each request; default: echoes the last message. */
  readonly reply?: (request: ScriptedRequest) => ScriptReply | Promise<ScriptReply>;
  /** Latency added to every answer, in ms (default 0). */
  readonly latencyMs?: number;
  /** Keep every request in `requests` (default true; off for long benchmarks). */
  readonly record?: boolean;
  /** Port to listen on (default 0: a free port). */
  readonly port?: number;
}

export interface ScriptedOpenAI {
  /** Base URL for the openai package, e.g. http://127.0.0.1:PORT/v1 */
  readonly baseUrl: string;
  readonly port: number;
  /** Every request so far, in arrival order (when recording). */
  readonly requests: ScriptedRequest[];
  /** Requests answered so far (counted even when not recording). */
  answered(): number;
  /** Most requests ever open at once. */
  peakInFlight(): number;
  close(): Promise<void>;
}

/**
 * A scripted OpenAI-compatible chat-completions server on 127.0.0.1: the only test double of arboretum (it stands in
 * for the paid LLM API). It records every request so tests can prove nothing was asked twice. It lives outside test/
 * because users run it too (examples/demoEndpoint.ts, the benchmarks; bench/llamaCpp.ts serves a real model with it).
 */
export async function startScriptedOpenAI(options: ScriptedOpenAIOptions = {}): Promise<ScriptedOpenAI> {
  const {
    reply = (r) => ({ content: r.messages.at(-1)?.content ?? '' }),
    latencyMs = 0,
    record = true,
    port = 0,
  } = options;
  const requests: ScriptedRequest[] = [];
  let seq = 0;
  let answered = 0;
  let inFlight = 0;
  let peak = 0;
  const hanging = new Set<ServerResponse>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method === 'GET' && req.url?.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [] }));
      return;
    }
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}`, type: 'not_found' } }));
      return;
    }
    let body: Record<string, any>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'body is not JSON', type: 'invalid_request_error' } }));
      return;
    }
    const request: ScriptedRequest = {
      seq: seq++,
      model: String(body.model ?? ''),
      messages: Array.isArray(body.messages) ? body.messages : [],
      body,
      requestId: (req.headers['x-arboretum-request-id'] as string | undefined) ?? null,
      authorization: (req.headers.authorization as string | undefined) ?? null,
      receivedAt: Date.now(),
    };
    if (record) requests.push(request);
    const r: ScriptReply = await reply(request);
    if (r.hang) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    const delay = latencyMs + (r.delayMs ?? 0);
    if (delay > 0) await new Promise((done) => setTimeout(done, delay));
    const status = r.status ?? 200;
    request.status = status;
    answered++;
    const headers = { 'content-type': 'application/json', ...r.headers };
    if (r.raw !== undefined) {
      res.writeHead(status, headers);
      res.end(r.raw);
      return;
    }
    if (status >= 300) {
      res.writeHead(status, headers);
      res.end(JSON.stringify(r.body ?? { error: { message: `scripted ${status}`, type: 'scripted' } }));
      return;
    }
    const content = r.content ?? '';
    const promptTokens =
      r.promptTokens ?? Math.ceil(request.messages.reduce((n, m) => n + String(m.content).length, 0) / 4);
    const completionTokens = r.completionTokens ?? Math.ceil(content.length / 4);
    res.writeHead(status, headers);
    res.end(
      JSON.stringify(
        r.body ?? {
          id: `chatcmpl-${request.seq}`,
          object: 'chat.completion',
          created: Math.floor(request.receivedAt / 1000),
          model: request.model,
          choices: [
            { index: 0, message: { role: 'assistant', content }, finish_reason: r.finishReason ?? 'stop' },
          ],
          usage: {
            prompt_tokens: promptTokens,
            completion_tokens: completionTokens,
            total_tokens: promptTokens + completionTokens,
          },
        },
      ),
    );
  };

  const server = createServer((req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    res.on('close', () => inFlight--);
    handle(req, res).catch((e) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(e), type: 'scripted_server_error' } }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  const bound = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${bound}/v1`,
    port: bound,
    requests,
    answered: () => answered,
    peakInFlight: () => peak,
    close: () =>
      new Promise<void>((done) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
