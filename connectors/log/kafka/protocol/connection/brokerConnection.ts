import { connect, type Socket } from 'node:net';
import { KafkaProtocolError } from '../kafkaProtocolError.ts';

/** One TCP connection to one Kafka broker, carrying requests whose bodies we encode ourselves. */
export interface BrokerConnection {
  /** `host:port` of the broker. */
  readonly address: string;
  /**
   * Sends one request (header v1) with `body` as its pieces, written as they are (a record batch is never copied),
   * and resolves with the response body after the correlation id (header v0: non-flexible versions only). Requests
   * may overlap; Kafka answers them in order.
   */
  request(apiKey: number, apiVersion: number, body: readonly Buffer[], timeoutMs: number): Promise<Buffer>;
  /** True once the socket failed or was closed: open a new connection. */
  readonly closed: boolean;
  close(): void;
}

/** Opens a connection to `address` (`host:port`); rejects after `connectTimeoutMs` (default 3000). */
export function openBrokerConnection(options: {
  address: string;
  clientId: string;
  connectTimeoutMs?: number;
}): Promise<BrokerConnection> {
  const { address, clientId, connectTimeoutMs = 3000 } = options;
  const colon = address.lastIndexOf(':');
  const clientIdBytes = Buffer.from(clientId);
  // A lost connection is retriable: the caller opens a new one and sends again.
  const lost = (message: string) => new KafkaProtocolError(message, -1);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)) });
    socket.setNoDelay(true);
    const pending = new Map<
      number,
      { resolve: (b: Buffer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
    >();
    let closed = false;
    let correlation = 0;
    const fail = (e: Error) => {
      if (closed) return;
      closed = true;
      clearTimeout(connectTimer);
      reject(e); // no-op once connected
      socket.destroy();
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(e);
      }
      pending.clear();
    };
    const connectTimer = setTimeout(
      () => fail(lost(`kafka broker ${address}: no connection within ${connectTimeoutMs} ms`)),
      connectTimeoutMs,
    );
    socket.on('error', (e) => fail(lost(`kafka broker ${address}: ${e.message}`)));
    socket.once('close', () => fail(lost(`kafka broker ${address}: connection closed`)));

    // Response frames: int32 size, then size bytes. Chunks are joined once a whole frame is there (one copy at
    // most), and a frame that came in one chunk is used in place.
    let chunks: Buffer[] = [];
    let buffered = 0;
    let frameSize = -1;
    socket.on('data', (data: Buffer) => {
      chunks.push(data);
      buffered += data.length;
      for (;;) {
        if (frameSize < 0) {
          if (buffered < 4) return;
          if (chunks[0].length < 4) chunks = [Buffer.concat(chunks, buffered)];
          frameSize = chunks[0].readInt32BE(0);
        }
        if (buffered < 4 + frameSize) return;
        const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, buffered);
        const frame = all.subarray(4, 4 + frameSize);
        const rest = all.subarray(4 + frameSize);
        chunks = rest.length > 0 ? [rest] : [];
        buffered = rest.length;
        frameSize = -1;
        const id = frame.readInt32BE(0);
        const waiting = pending.get(id);
        if (!waiting) continue; // answer to a request that timed out
        pending.delete(id);
        clearTimeout(waiting.timer);
        waiting.resolve(frame.subarray(4));
      }
    });

    socket.once('connect', () => {
      clearTimeout(connectTimer);
      resolve({
        address,
        get closed() {
          return closed;
        },
        close: () => fail(lost(`kafka broker ${address}: connection closed`)),
        request(apiKey, apiVersion, body, timeoutMs) {
          if (closed) return Promise.reject(lost(`kafka broker ${address}: connection closed`));
          const id = correlation;
          correlation = (correlation + 1) & 0x7fffffff;
          const head = Buffer.allocUnsafe(14 + clientIdBytes.length);
          let size = head.length - 4;
          for (const b of body) size += b.length;
          head.writeInt32BE(size, 0);
          head.writeInt16BE(apiKey, 4);
          head.writeInt16BE(apiVersion, 6);
          head.writeInt32BE(id, 8);
          head.writeInt16BE(clientIdBytes.length, 12);
          clientIdBytes.copy(head, 14);
          return new Promise<Buffer>((ok, no) => {
            const timer = setTimeout(
              () =>
                fail(lost(`kafka broker ${address}: no answer to request ${apiKey} within ${timeoutMs} ms`)),
              timeoutMs,
            );
            pending.set(id, { resolve: ok, reject: no, timer });
            socket.cork();
            socket.write(head);
            for (const b of body) socket.write(b);
            socket.uncork();
          });
        },
      });
    });
  });
}
