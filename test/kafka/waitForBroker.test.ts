import { createServer, type Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaEventLog } from '../../connectors/log/kafka/kafkaEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { deleteNamespace, freshNamespace, testBrokers } from './kafkaTestLog.ts';

/** A port nothing listens on (taken and given back). */
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const until = async (what: string, check: () => boolean, deadlineMs = 60_000) => {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('a Kafka log waits for a broker not reachable yet', () => {
  const namespace = freshNamespace();
  let broker: { host: string; port: number };
  const proxies: Server[] = [];
  beforeAll(async () => {
    const [first] = await testBrokers();
    const [host, port] = first.split(':');
    broker = { host, port: Number(port) };
  });
  afterAll(async () => {
    for (const p of proxies) p.close();
    await deleteNamespace(namespace).catch(() => {});
  });

  it('retries with backoff, says so, and goes on once the broker answers; without a wait it fails at once', async () => {
    const port = await freePort();
    const lines: string[] = [];
    const log = createKafkaEventLog({
      brokers: [`127.0.0.1:${port}`],
      namespace,
      brokerWaitMs: 120_000,
      onBrokerWait: (line) => lines.push(line),
    });
    const none = createKafkaEventLog({ brokers: [`127.0.0.1:${port}`], namespace, brokerWaitMs: 0 });
    try {
      const partitions = log.partitions(topics.instructions);
      await expect(none.partitions(topics.instructions)).rejects.toThrow(/ECONNREFUSED|Connection error/);
      await until('the wait to be told', () => lines.some((l) => /broker not reachable/.test(l)));
      expect(lines[0]).toMatch(
        new RegExp(
          `kafka://127\\.0\\.0\\.1:${port}: broker not reachable \\(.*\\); retrying for up to \\d+ s more`,
        ),
      );
      // The "broker" comes up: a plain TCP forwarder to the test broker on the port the log was given.
      const proxy = createServer((client) => {
        const upstream = new Socket();
        upstream.connect(broker.port, broker.host);
        client.pipe(upstream).pipe(client);
        const end = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', end);
        upstream.on('error', end);
      });
      proxies.push(proxy);
      await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', () => r()));
      expect(await partitions).toBe(3);
      expect(lines.at(-1)).toMatch(/broker reachable after \d+\.\d s/);
    } finally {
      await log.close();
      await none.close();
    }
  }, 150_000);
});
