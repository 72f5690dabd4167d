import type { Observable } from 'rxjs';
import type { Topic } from './topics.ts';

/** One record as stored: where it is, its key and its decoded value. */
export interface LogRecord<T> {
  readonly topic: string;
  readonly partition: number;
  /** Offset within the partition, from 0, contiguous. */
  readonly offset: number;
  readonly key: string;
  /** Epoch milliseconds of the append. */
  readonly timestamp: number;
  readonly value: T;
}

export interface AppendRecord<T> {
  readonly value: T;
  /** Defaults to topic.keyOf(value). */
  readonly key?: string;
}

/** Next offset to read, per partition. */
export type Positions = ReadonlyMap<number, number>;

export interface ReadOptions {
  /** Start offset for every partition (default 0), or per-partition positions. Ignored where `reader` has a commit. */
  readonly from?: number | Positions;
  /** Keep reading new records as they are appended (default false: complete at the end offsets seen on subscribe). */
  readonly follow?: boolean;
  /** Resume from this named reader's committed positions (see commit). */
  readonly reader?: string;
  /** Read only these partitions (default all). */
  readonly partitions?: readonly number[];
  /**
   * Told of every damaged or missing region this read skips (a value, not an error), and reading goes on with the
   * next verified record. Default: the log's own onDamage (see the backend's options); when neither is given the
   * read fails with LOG_CORRUPT at the first region. Reads never write: nothing is dead-lettered.
   */
  readonly onDamage?: (damage: LogDamage) => void;
}

/**
 * A region of a partition that a read could not verify or did not find, and so did not serve. Backends report it
 * once per read that crosses it, after the records before it and before the records after it.
 */
export interface LogDamage {
  readonly topic: string;
  readonly partition: number;
  /** The file (file backend) or `<kafka topic>/<partition>` holding the region, or the missing file's name. */
  readonly file: string;
  /** Byte offset of the region's start in `file`; undefined when the whole file is missing. */
  readonly byteOffset?: number;
  /** Length of the region in bytes, when known. */
  readonly bytes?: number;
  /**
   * Record offsets not served because of it, [from, until); `until` undefined when the end is not known (the last
   * segment is missing or its tail is damaged). Undefined when no record was lost (damaged framing or header whose
   * records all verified).
   */
  readonly lost?: { readonly from: number; readonly until?: number };
  /** What is wrong, for a person. */
  readonly reason: string;
}

export interface GroupReadOptions {
  readonly group: string;
  /** Called with this member's partitions whenever the assignment changes. */
  readonly onAssigned?: (partitions: readonly number[]) => void;
  /** As ReadOptions.onDamage. */
  readonly onDamage?: (damage: LogDamage) => void;
}

export interface TopicStat {
  readonly topic: string;
  readonly partitions: number;
  /** File backend: records a read would serve now (verified). Kafka: high minus low watermarks, per partition summed. */
  readonly records: number;
  readonly bytes: number;
  /** Damaged or missing regions found while counting (0 when none). */
  readonly damaged: number;
}

export interface CheckReport {
  readonly ok: boolean;
  readonly topics: readonly {
    readonly topic: string;
    readonly records: number;
    /** What is wrong, each naming the file/partition and offset. */
    readonly problems: readonly string[];
    /** The same, as values: every damaged or missing region (torn tails are problems but not damage). */
    readonly damage: readonly LogDamage[];
    /** What --repair changed (torn bytes cut, files quarantined, records rewritten). */
    readonly repaired: readonly string[];
    /** Facts that are not problems (segments written before checksums, regions repaired earlier). */
    readonly notes: readonly string[];
  }[];
}

/**
 * The event-log port. Both backends (file, Kafka) implement it and pass test/contract/describeEventLog.ts.
 *
 * An implementer is responsible for durable, ordered, per-key-ordered storage, for never serving a partly written
 * or unverified record, and for reporting every region it skips as a LogDamage value (reads never write). It is not responsible for deduplicating records (downstream drops repeats by event id), nor for
 * validating values beyond what the schema encodes.
 */
export interface EventLog {
  readonly uri: string;
  /** Appends records in order; resolves once they are durable per the backend's policy, with their offsets. */
  append<T>(topic: Topic<T>, records: readonly AppendRecord<T>[]): Promise<readonly LogRecord<T>[]>;
  /** Reads a topic from the start, an offset or a reader's committed position; cold: each subscription reads anew. */
  read<T>(topic: Topic<T>, options?: ReadOptions): Observable<LogRecord<T>>;
  /**
   * Reads a topic as one member of a consumer group: the members share the partitions, each record of an assigned
   * partition is delivered to one member, starting from the group's committed positions (commit with the group
   * name as reader). `onAssigned` is told the partitions this member owns after each rebalance. The file backend
   * has one partition and one member per group at a time.
   */
  readGroup<T>(topic: Topic<T>, options: GroupReadOptions): Observable<LogRecord<T>>;
  /** Number of partitions of a topic (1 for the file backend). */
  partitions(topic: Topic<unknown>): Promise<number>;
  /** Next offset to be written, per partition. */
  endOffsets(topic: Topic<unknown>): Promise<Positions>;
  /** Stores a named reader's next offsets for a topic; a later read with `reader` resumes there. */
  commit(reader: string, topic: Topic<unknown>, positions: Positions): Promise<void>;
  /** A named reader's committed next offsets (empty map when none). */
  committed(reader: string, topic: Topic<unknown>): Promise<Positions>;
  /** Topics present, with counts of readable records, bytes and damaged regions. */
  stat(): Promise<readonly TopicStat[]>;
  /**
   * Verifies every stored record (checksums where the format has them) and finds missing regions; with repair,
   * cuts provably torn tails and quarantines damaged regions, keeping every verified record. Never deletes.
   */
  check(options?: { readonly repair?: boolean }): Promise<CheckReport>;
  close(): Promise<void>;
}

/** The positions just after a set of records: what to commit after processing them. */
export function positionsAfter(
  records: readonly LogRecord<unknown>[],
  base: Positions = new Map(),
): Positions {
  const next = new Map(base);
  for (const r of records) next.set(r.partition, Math.max(next.get(r.partition) ?? 0, r.offset + 1));
  return next;
}
