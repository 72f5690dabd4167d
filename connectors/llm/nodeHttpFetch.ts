import http from 'node:http';
import https from 'node:https';

/**
 * A small `fetch` over node:http(s) with keep-alive agents, for the openai package's `fetch` option. Measured against
 * Node's built-in fetch (undici, WHATWG streams) on a scripted endpoint at 256 calls in flight: about 0.43 against
 * 0.66 ms of CPU per call. It reads each (non-streaming) answer into one buffer, which is all chat completions
 * without `stream` need. Aborts (the client's timeout) surface as an `AbortError`, as fetch's do.
 */
export function nodeHttpFetch(): typeof fetch {
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  } as const;
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        reject(new TypeError(`nodeHttpFetch: unsupported protocol ${url.protocol}`));
        return;
      }
      const body = init.body;
      if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
        reject(new TypeError('nodeHttpFetch: only string or byte bodies'));
        return;
      }
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, key) => {
        headers[key] = value;
      });
      const request = (url.protocol === 'https:' ? https : http).request(
        url,
        {
          method: init.method ?? 'GET',
          headers,
          agent: agents[url.protocol],
          signal: init.signal ?? undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const responseHeaders = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              if (Array.isArray(v)) for (const x of v) responseHeaders.append(k, x);
              else if (v !== undefined) responseHeaders.set(k, v);
            }
            const status = res.statusCode ?? 0;
            const empty = status === 204 || status === 205 || status === 304;
            resolve(
              new Response(empty ? null : Buffer.concat(chunks), {
                status,
                statusText: res.statusMessage ?? '',
                headers: responseHeaders,
              }),
            );
          });
        },
      );
      request.on('error', reject);
      request.end(body ?? undefined);
    });
}
