import type { EventLog } from '../connectors/log/eventLog.ts';
import { createFileEventLog } from '../connectors/log/file/fileEventLog.ts';
import type { FsyncPolicy } from '../connectors/log/file/topicWriter.ts';
import { ArboretumError } from '../schemas/errors.ts';
import { damageLedger } from './damageLedger.ts';

export interface OpenLogOptions {
  /** File backend only; default 'always'. Env ARBORETUM_FSYNC=always|never|<ms> overrides. */
  readonly fsync?: FsyncPolicy;
  /** Kafka only: partitions of topics the log creates; default $ARBORETUM_KAFKA_PARTITIONS, else 12. */
  readonly partitions?: number;
  /** Identifies this process to the backend (Kafka client id). */
  readonly clientId?: string;
}

/** The parsed form of a log URI. */
export type LogAddress =
  | { readonly kind: 'file'; readonly dir: string }
  | { readonly kind: 'kafka'; readonly brokers: readonly string[] };

/** Parses `file:<dir>` or `kafka://host:port[,host:port]`; throws INVALID_INPUT naming the bad URI. */
export function parseLogUri(uri: string): LogAddress {
  if (uri.startsWith('file://')) return { kind: 'file', dir: uri.slice('file://'.length) };
  if (uri.startsWith('file:')) {
    const dir = uri.slice('file:'.length);
    if (dir) return { kind: 'file', dir };
  }
  if (uri.startsWith('kafka://')) {
    const brokers = uri
      .slice('kafka://'.length)
      .replace(/\/+$/, '')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
    const bad = brokers.find((b) => !/^[\w.-]+:\d+$/.test(b));
    if (brokers.length && !bad) return { kind: 'kafka', brokers };
    throw new ArboretumError(
      'INVALID_INPUT',
      `log URI ${JSON.stringify(uri)}: broker ${JSON.stringify(bad ?? '')} is not host:port`,
    );
  }
  throw new ArboretumError(
    'INVALID_INPUT',
    `log URI ${JSON.stringify(uri)} is not file:<dir> or kafka://host:port[,host:port]`,
  );
}

function fsyncFromEnv(): FsyncPolicy | undefined {
  const v = process.env.ARBORETUM_FSYNC;
  if (!v) return undefined;
  if (v === 'always' || v === 'never') return v;
  const ms = Number(v);
  if (ms > 0) return { intervalMs: ms };
  throw new ArboretumError(
    'INVALID_CONFIG',
    `ARBORETUM_FSYNC=${v}: expected always, never or a number of ms`,
  );
}

/**
 * Partitions of the topics a Kafka log creates (instructions and tree-events alike): the most grow workers of one
 * group that can work at once. 12 leaves room for a fleet and splits evenly among 1, 2, 3, 4 or 6 workers; more
 * partitions cost the broker files, memory and longer rebalances, and a topic's count is fixed once created
 * (co-partitioning forbids adding some later).
 */
export const DEFAULT_KAFKA_PARTITIONS = 12;

function kafkaPartitionsFromEnv(): number {
  const v = process.env.ARBORETUM_KAFKA_PARTITIONS;
  if (!v) return DEFAULT_KAFKA_PARTITIONS;
  const n = Number(v);
  if (Number.isInteger(n) && n >= 1) return n;
  throw new ArboretumError('INVALID_CONFIG', `ARBORETUM_KAFKA_PARTITIONS=${v}: expected a whole number >= 1`);
}

/** Seconds a command waits for a Kafka broker not reachable yet: $ARBORETUM_KAFKA_WAIT_S, default 60. */
function kafkaWaitSFromEnv(): number {
  const v = process.env.ARBORETUM_KAFKA_WAIT_S;
  if (v === undefined || v === '') return 60;
  const n = Number(v);
  if (Number.isFinite(n) && n >= 0) return n;
  throw new ArboretumError(
    'INVALID_CONFIG',
    `ARBORETUM_KAFKA_WAIT_S=${v}: expected a number of seconds >= 0`,
  );
}

/** Prefix of Kafka topic and consumer-group names: $ARBORETUM_KAFKA_NAMESPACE, default `arboretum.`. */
function kafkaNamespaceFromEnv(): string {
  return process.env.ARBORETUM_KAFKA_NAMESPACE || 'arboretum.';
}

/** Opens the event log a URI names: the only place that wires a concrete backend. */
export async function openLog(uri: string, options: OpenLogOptions = {}): Promise<EventLog> {
  const address = parseLogUri(uri);
  if (address.kind === 'file') {
    return createFileEventLog({
      dir: address.dir,
      fsync: fsyncFromEnv() ?? options.fsync,
      onDamage: damageLedger.report,
    });
  }
  const { createKafkaEventLog } = await import('../connectors/log/kafka/kafkaEventLog.ts');
  return createKafkaEventLog({
    brokers: [...address.brokers],
    clientId: options.clientId,
    onDamage: damageLedger.report,
    partitions: options.partitions ?? kafkaPartitionsFromEnv(),
    namespace: kafkaNamespaceFromEnv(),
    brokerWaitMs: kafkaWaitSFromEnv() * 1000,
    onBrokerWait: (line) => console.error(line),
  });
}
