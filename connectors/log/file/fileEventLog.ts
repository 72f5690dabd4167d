import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import avro from 'avsc';
import { Observable } from 'rxjs';
import { ArboretumError, messageOf } from '../../../schemas/errors.ts';
import type { DeadLetter } from '../../../schemas/types.ts';
import type {
  AppendRecord,
  CheckReport,
  EventLog,
  GroupReadOptions,
  LogRecord,
  Positions,
  ReadOptions,
  TopicStat,
} from '../eventLog.ts';
import { type Topic, topicNamed, topics } from '../topics.ts';
import { type LogEntry, logEntryType } from './logEntryType.ts';
import { SegmentReader } from './segmentReader.ts';
import { listSegments } from './segments.ts';
import { type FsyncPolicy, recoverSegment, TopicWriter } from './topicWriter.ts';
import { acquireLock } from './writerLock.ts';

export interface FileEventLogOptions {
  /** The log's folder: one sub-folder per topic. */
  readonly dir: string;
  /** See FsyncPolicy; default 'always' with group commit. */
  readonly fsync?: FsyncPolicy;
  /** A segment is closed and a new one started past this size; default 128 MiB. */
  readonly segmentBytes?: number;
  /** How often a following reader looks for new bytes, in ms; default 50. */
  readonly pollMs?: number;
  /** Told when opening a topic for writing cut a torn tail. Default: a line on stderr. */
  readonly onRecovered?: (message: string) => void;
}

const PARTITION = 0;

/**
 * The embedded event log: a folder per topic of segment files, each a standard Avro object container file whose
 * records are LogEntry { offset, timestamp, key, value: <topic record> }. One partition per topic; one writer per
 * topic at a time (lock file); any number of readers, in any process, following the tail by polling.
 */
export function createFileEventLog(options: FileEventLogOptions): EventLog {
  const {
    dir,
    fsync = 'always',
    segmentBytes = 128 << 20,
    pollMs = 50,
    onRecovered = (m: string) => console.error(`arboretum: recovered ${m}`),
  } = options;
  if (!dir) throw new ArboretumError('INVALID_CONFIG', 'file event log: dir is required');
  if (typeof fsync === 'object' && !(fsync.intervalMs > 0)) {
    throw new ArboretumError('INVALID_CONFIG', 'file event log: fsync.intervalMs must be > 0');
  }
  const root = resolve(dir);
  const uri = `file:${dir}`;
  const writers = new Map<string, Promise<TopicWriter>>();
  const topicDir = (topic: Topic<unknown>) => join(root, topic.name);
  let closed = false;

  const writerOf = (topic: Topic<unknown>): Promise<TopicWriter> => {
    if (closed) throw new ArboretumError('LOG_UNAVAILABLE', `${uri} is closed`);
    let writer = writers.get(topic.name);
    if (!writer) {
      writer = TopicWriter.open({ dir: topicDir(topic), topic, fsync, segmentBytes, onRecovered });
      writers.set(topic.name, writer);
      writer.catch(() => writers.delete(topic.name));
    }
    return writer;
  };

  const append = async <T>(
    topic: Topic<T>,
    records: readonly AppendRecord<T>[],
  ): Promise<readonly LogRecord<T>[]> => {
    const entries = records.map((r) => ({
      key: r.key ?? topic.keyOf(r.value),
      value: topic.codec.toAvro(r.value),
    }));
    const writer = await writerOf(topic as Topic<unknown>);
    const { offset, timestamp } = await writer.append(entries);
    return records.map((r, i) => ({
      topic: topic.name,
      partition: PARTITION,
      offset: offset + i,
      key: entries[i].key,
      timestamp,
      value: r.value,
    }));
  };

  const defaultDeadLetter = (deadLetter: DeadLetter) => {
    append(topics.deadLetters, [{ value: deadLetter }]).catch((e) =>
      console.error(`arboretum: could not record a dead letter (${deadLetter.reason}): ${messageOf(e)}`),
    );
  };

  const endOffset = async (topic: Topic<unknown>): Promise<number> => {
    const writer = writers.get(topic.name);
    if (writer) return (await writer).nextOffset;
    const segments = await listSegments(topicDir(topic));
    const last = segments.at(-1);
    if (!last) return 0;
    const reader = await SegmentReader.open(last.path);
    if (!reader) return last.base;
    try {
      let next = last.base;
      for (;;) {
        const read = await reader.skip();
        if (read.kind === 'block') next += read.count;
        else if (read.kind === 'corrupt')
          return (await recoverSegment(last.path, last.base, logEntryType(topic).type, false)).nextOffset;
        else return next;
      }
    } finally {
      await reader.close();
    }
  };

  const readersFile = (reader: string, topic: Topic<unknown>) =>
    join(root, '.readers', encodeURIComponent(reader), `${topic.name}.json`);

  const committed = async (reader: string, topic: Topic<unknown>): Promise<Positions> => {
    try {
      const json = JSON.parse(await readFile(readersFile(reader, topic), 'utf8')) as Record<string, number>;
      return new Map(Object.entries(json).map(([p, o]) => [Number(p), o]));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new ArboretumError(
        'LOG_CORRUPT',
        `reader position file ${readersFile(reader, topic)}: ${messageOf(e)}`,
      );
    }
  };

  const read = <T>(topic: Topic<T>, opts: ReadOptions = {}): Observable<LogRecord<T>> =>
    new Observable<LogRecord<T>>((subscriber) => {
      let stopped = false;
      const onDeadLetter = opts.onDeadLetter ?? defaultDeadLetter;
      const run = async () => {
        if (opts.partitions && !opts.partitions.includes(PARTITION)) return;
        let start = typeof opts.from === 'number' ? opts.from : (opts.from?.get(PARTITION) ?? 0);
        if (opts.reader) {
          const position = (await committed(opts.reader, topic as Topic<unknown>)).get(PARTITION);
          if (position !== undefined) start = position;
        }
        const end = opts.follow ? Number.POSITIVE_INFINITY : await endOffset(topic as Topic<unknown>);
        const { type: current } = logEntryType(topic as Topic<unknown>);
        let offset = start;
        while (!stopped && offset < end) {
          const segments = await listSegments(topicDir(topic as Topic<unknown>));
          const index = segments.findLastIndex((s) => s.base <= offset);
          if (index < 0) {
            if (segments.length && segments[0].base > offset) offset = segments[0].base;
            else await sleep(pollMs);
            continue;
          }
          const segment = segments[index];
          const reader = await SegmentReader.open(segment.path);
          if (!reader) {
            await sleep(pollMs);
            continue;
          }
          const resolver = resolverFor(current, reader.header.schema);
          try {
            let blockFirst: number | undefined = segment.base;
            while (!stopped && offset < end) {
              const skipping = blockFirst !== undefined && offset > blockFirst;
              const block = skipping ? await reader.skip() : await reader.next();
              if (block.kind === 'block') {
                if (skipping && blockFirst! + block.count <= offset) {
                  blockFirst! += block.count;
                  continue;
                }
                if (skipping) {
                  // The wanted offset is inside this block: read it again, with its records.
                  reader.seek(block.start);
                  const whole = await reader.next();
                  if (whole.kind !== 'block') continue;
                  blockFirst = emitBlock(whole.records, whole.start);
                } else {
                  blockFirst = emitBlock(block.records, block.start);
                }
                continue;
              }
              if (block.kind === 'corrupt') {
                onDeadLetter(
                  deadLetterOf(
                    topic.name,
                    offset,
                    `${segment.path}: corrupt block at byte ${block.start}: ${block.reason}`,
                  ),
                );
                reader.seek(block.resume!);
                blockFirst = undefined;
                continue;
              }
              // end or incomplete: a later segment means this one is finished; else wait for the writer.
              const later = (await listSegments(topicDir(topic as Topic<unknown>))).find(
                (s) => s.base > segment.base,
              );
              if (later) {
                // Re-check: the writer may have finished this segment's last block before rolling.
                const again = await reader.next();
                if (again.kind === 'block') {
                  reader.seek(again.start);
                  continue;
                }
                offset = Math.max(offset, later.base);
                break;
              }
              if (!opts.follow) return;
              await sleep(pollMs);
            }
          } finally {
            await reader.close();
          }

          // Decodes a block's records, emits those at or after `offset`; returns the offset after the block.
          function emitBlock(records: Buffer, at: number): number | undefined {
            let pos = 0;
            while (pos < records.length && !stopped) {
              let entry: LogEntry;
              try {
                const decoded = current.decode(records, pos, resolver) as { value: LogEntry; offset: number };
                if (decoded.offset < 0) throw new Error('record overruns its block');
                entry = decoded.value;
                pos = decoded.offset;
              } catch (e) {
                onDeadLetter(
                  deadLetterOf(
                    topic.name,
                    offset,
                    `${segment.path}: undecodable record in the block at byte ${at}: ${messageOf(e)}`,
                    records.subarray(pos),
                  ),
                );
                return undefined;
              }
              if (entry.offset < offset || entry.offset >= end) continue;
              let value: T;
              try {
                value = topic.codec.fromAvro(entry.value);
              } catch (e) {
                onDeadLetter(deadLetterOf(topic.name, entry.offset, `cannot map record: ${messageOf(e)}`));
                offset = entry.offset + 1;
                continue;
              }
              offset = entry.offset + 1;
              subscriber.next({
                topic: topic.name,
                partition: PARTITION,
                offset: entry.offset,
                key: entry.key ?? '',
                timestamp: entry.timestamp,
                value,
              });
            }
            return offset;
          }
        }
      };
      run().then(
        () => subscriber.complete(),
        (e) => subscriber.error(e),
      );
      return () => {
        stopped = true;
      };
    });

  const log: EventLog = {
    uri,
    append,
    read,
    readGroup<T>(topic: Topic<T>, opts: GroupReadOptions): Observable<LogRecord<T>> {
      return new Observable<LogRecord<T>>((subscriber) => {
        let release: (() => void) | undefined;
        let inner: { unsubscribe(): void } | undefined;
        mkdir(join(root, '.groups'), { recursive: true })
          .then(() => {
            release = acquireLock(
              join(root, '.groups', `${encodeURIComponent(opts.group)}.${topic.name}.lock`),
              `group ${opts.group} on ${topic.name}`,
            );
            opts.onAssigned?.([PARTITION]);
            inner = read(topic, {
              reader: opts.group,
              follow: true,
              onDeadLetter: opts.onDeadLetter,
            }).subscribe(subscriber);
          })
          .catch((e) => subscriber.error(e));
        return () => {
          inner?.unsubscribe();
          release?.();
        };
      });
    },
    async partitions() {
      return 1;
    },
    async endOffsets(topic) {
      return new Map([[PARTITION, await endOffset(topic)]]);
    },
    async commit(reader, topic, positions) {
      const file = readersFile(reader, topic);
      await mkdir(join(file, '..'), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(Object.fromEntries(positions)));
      await rename(tmp, file);
    },
    committed,
    async stat(): Promise<readonly TopicStat[]> {
      const stats: TopicStat[] = [];
      for (const name of await topicFolders(root)) {
        const topic = topicNamed(name)!;
        const segments = await listSegments(topicDir(topic));
        let bytes = 0;
        for (const s of segments) bytes += (await stat(s.path)).size;
        const records = (await endOffset(topic)) - (segments[0]?.base ?? 0);
        stats.push({ topic: name, partitions: 1, records, bytes });
      }
      return stats;
    },
    async check({ repair = false } = {}): Promise<CheckReport> {
      const report: CheckReport['topics'][number][] = [];
      for (const name of await topicFolders(root)) {
        report.push(
          await checkTopic(topicNamed(name)!, topicDir(topicNamed(name)!), repair, writers.has(name)),
        );
      }
      return {
        ok: report.every((t) => t.problems.length === 0 || t.problems.length === t.repaired.length),
        topics: report,
      };
    },
    async close() {
      closed = true;
      const all = [...writers.values()];
      writers.clear();
      for (const w of all) await (await w.catch(() => undefined))?.close();
    },
  };
  return log;
}

const resolvers = new Map<string, avro.Resolver | undefined>();

/** A resolver from a segment's writer schema to the current one; undefined when they are the same. */
function resolverFor(current: avro.Type, writerSchema: unknown): avro.Resolver | undefined {
  const key = JSON.stringify(writerSchema);
  if (!resolvers.has(key)) {
    const writer = avro.Type.forSchema(writerSchema as avro.Schema, { wrapUnions: 'auto' });
    resolvers.set(
      key,
      JSON.stringify(writer.schema()) === JSON.stringify(current.schema())
        ? undefined
        : current.createResolver(writer),
    );
  }
  return resolvers.get(key);
}

function deadLetterOf(
  topic: string,
  offset: number,
  reason: string,
  payload: Buffer = Buffer.alloc(0),
): DeadLetter {
  return {
    topic,
    partition: PARTITION,
    offset,
    source: null,
    key: null,
    reason,
    payload: Buffer.from(payload),
    time: Date.now(),
  };
}

async function topicFolders(root: string): Promise<string[]> {
  try {
    const names = await readdir(root);
    return names.filter((n) => topicNamed(n) !== undefined).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Decodes every record of every segment, checks offsets are contiguous; with repair, cuts a torn tail. */
async function checkTopic(topic: Topic<unknown>, dir: string, repair: boolean, ownWriter: boolean) {
  const problems: string[] = [];
  const repaired: string[] = [];
  const { type: current } = logEntryType(topic);
  const segments = await listSegments(dir);
  let expected = segments[0]?.base ?? 0;
  let records = 0;
  for (const [i, segment] of segments.entries()) {
    const isLast = i === segments.length - 1;
    if (segment.base !== expected)
      problems.push(`${segment.path}: starts at offset ${segment.base}, expected ${expected}`);
    expected = segment.base;
    const reader = await SegmentReader.open(segment.path).catch((e) => {
      problems.push(`${segment.path}: ${messageOf(e)}`);
      return undefined;
    });
    if (!reader) {
      problems.push(`${segment.path}: header is not whole`);
      continue;
    }
    try {
      const resolver = resolverFor(current, reader.header.schema);
      for (;;) {
        const block = await reader.next();
        if (block.kind === 'end') break;
        if (block.kind === 'corrupt') {
          problems.push(
            `${segment.path}: corrupt block at byte ${block.start} (${block.reason}), offsets from ${expected}`,
          );
          reader.seek(block.resume!);
          continue;
        }
        if (block.kind === 'incomplete') {
          const cut = block.fileBytes - block.start;
          const problem = `${segment.path}: torn tail of ${cut} bytes at byte ${block.start}${isLast ? '' : ' (not the last segment)'}`;
          problems.push(problem);
          if (repair && isLast && !ownWriter) {
            const release = acquireLock(join(dir, '.lock'), `topic ${topic.name} (${dir})`);
            try {
              await recoverSegment(segment.path, segment.base, current, true);
              repaired.push(`${problem}: cut`);
            } finally {
              release();
            }
          }
          break;
        }
        let pos = 0;
        try {
          while (pos < block.records.length) {
            const { value, offset } = current.decode(block.records, pos, resolver) as {
              value: LogEntry;
              offset: number;
            };
            if (offset < 0) throw new Error('record overruns its block');
            if (value.offset !== expected)
              problems.push(`${segment.path}: offset ${value.offset} where ${expected} was expected`);
            topic.codec.fromAvro(value.value);
            expected = value.offset + 1;
            records++;
            pos = offset;
          }
        } catch (e) {
          problems.push(
            `${segment.path}: undecodable record in the block at byte ${block.start}: ${messageOf(e)}`,
          );
        }
      }
    } finally {
      await reader.close();
    }
  }
  return { topic: topic.name, records, problems, repaired };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
