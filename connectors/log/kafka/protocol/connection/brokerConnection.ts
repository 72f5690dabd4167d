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

/** Bytes of the buffer small answers are read through: above it, an answer is read into a Buffer of its own. */
const SCRATCH_BYTES = 64 << 10;

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
    // Response frames: int32 size, then size bytes. The socket reads into buffers we hand it (`onread`): small
    // frames come through a scratch buffer and are copied out, and a big frame (a fetch answer, megabytes) is read
    // straight into a Buffer of its own size once its start is seen, so its bytes are copied once (kernel to
    // frame) where joining the socket's 64 KiB chunks copied them a second time (11% of a read's CPU).
    const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
    let held = 0; // bytes at the start of scratch not yet taken
    let frame: Buffer | undefined; // the big frame being read, after its size
    let filled = 0;
    const deliver = (body: Buffer) => {
      const id = body.readInt32BE(0);
      const waiting = pending.get(id);
      if (!waiting) return; // answer to a request that timed out
      pending.delete(id);
      clearTimeout(waiting.timer);
      waiting.resolve(body.subarray(4));
    };
    const onRead = (nread: number) => {
      if (frame) {
        filled += nread;
        if (filled === frame.length) {
          const whole = frame;
          frame = undefined;
          deliver(whole);
        }
        return;
      }
      const end = held + nread;
      let at = 0;
      while (end - at >= 4) {
        const size = scratch.readInt32BE(at);
        if (end - at - 4 >= size) {
          deliver(Buffer.from(scratch.subarray(at + 4, at + 4 + size)));
          at += 4 + size;
        } else {
          if (4 + size > SCRATCH_BYTES) {
            frame = Buffer.allocUnsafe(size);
            filled = scratch.copy(frame, 0, at + 4, end);
            at = end;
          }
          break;
        }
      }
      scratch.copyWithin(0, at, end);
      held = end - at;
    };
    const socket: Socket = connect({
      host: address.slice(0, colon),
      port: Number(address.slice(colon + 1)),
      onread: {
        // Where the next read goes: the rest of the big frame, else what is free of scratch (never empty: a frame
        // that does not fit in scratch is read into its own Buffer).
        buffer: () => (frame ? frame.subarray(filled) : scratch.subarray(held)),
        callback: (nread) => {
          onRead(nread);
          return true;
        },
      },
    });
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
