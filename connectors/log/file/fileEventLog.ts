import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Observable } from 'rxjs';
import { ArboretumError, messageOf } from '../../../schemas/errors.ts';
import type {
  AppendRecord,
  CheckReport,
  EventLog,
  GroupReadOptions,
  LogDamage,
  LogRecord,
  Positions,
  ReadOptions,
  TopicStat,
} from '../eventLog.ts';
import { formatDamage } from '../formatDamage.ts';
import { type Topic, topicNamed } from '../topics.ts';
import { checkTopic, type TopicCheck } from './checkTopic.ts';
import { logEntryType } from './logEntryType.ts';
import { scanTopic } from './scanTopic.ts';
import { SegmentReader } from './segmentReader.ts';
import { listSegments } from './segments.ts';
import { type FsyncPolicy, TopicWriter } from './topicWriter.ts';
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
  /** Told when opening a topic for writing cut a torn tail or found damage. Default: a line on stderr. */
  readonly onRecovered?: (message: string) => void;
  /**
   * Told of every damaged or missing region a read skips, unless the read has its own onDamage. Without either,
   * a read fails with LOG_CORRUPT at the first region.
   */
  readonly onDamage?: (damage: LogDamage) => void;
  /** Default true. false writes new segments without record checksums, as before them (benchmarks only). */
  readonly checksums?: boolean;
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
    onDamage,
    checksums = true,
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
      writer = TopicWriter.open({ dir: topicDir(topic), topic, fsync, segmentBytes, onRecovered, checksums });
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

  const endOffset = async (topic: Topic<unknown>): Promise<number> => {
    const writer = writers.get(topic.name);
    if (writer) return (await writer).nextOffset;
    return lastOffsetAfter(topicDir(topic), topic);
  };

  /** Where damage goes: the read's handler, the log's, or (neither) the read fails at the first. */
  const damageHandler = (opts: { onDamage?: (d: LogDamage) => void }) =>
    opts.onDamage ??
    onDamage ??
    ((d: LogDamage) => {
      throw new ArboretumError('LOG_CORRUPT', `damaged log: ${formatDamage(d)}`, {
        context: { topic: d.topic, file: d.file, offset: d.lost?.from },
      });
    });

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
        { context: { topic: topic.name, file: readersFile(reader, topic) } },
      );
    }
  };

  const read = <T>(topic: Topic<T>, opts: ReadOptions = {}): Observable<LogRecord<T>> =>
    new Observable<LogRecord<T>>((subscriber) => {
      let stopped = false;
      const told = damageHandler(opts);
      const run = async () => {
        if (opts.partitions && !opts.partitions.includes(PARTITION)) return;
        let start = typeof opts.from === 'number' ? opts.from : (opts.from?.get(PARTITION) ?? 0);
        if (opts.reader) {
          const position = (await committed(opts.reader, topic as Topic<unknown>)).get(PARTITION);
          if (position !== undefined) start = position;
        }
        const dir = topicDir(topic as Topic<unknown>);
        await scanTopic({
          dir,
          topic: topic as Topic<unknown>,
          from: start,
          follow: opts.follow,
          pollMs,
          isStopped: () => stopped || subscriber.closed,
          onDamage: told,
          onEntry: (entry) => {
            let value: T;
            try {
              value = topic.codec.fromAvro(entry.value);
            } catch (e) {
              told({
                topic: topic.name,
                partition: PARTITION,
                file: dir,
                reason: `record verifies but does not map to ${topic.name}: ${messageOf(e)}`,
                lost: { from: entry.offset, until: entry.offset + 1 },
              });
              return;
            }
            subscriber.next({
              topic: topic.name,
              partition: PARTITION,
              offset: entry.offset,
              key: entry.key ?? '',
              timestamp: entry.timestamp,
              value,
            });
          },
        });
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
              onDamage: opts.onDamage,
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
        // What a read would serve now: every record verified, every damaged or missing region counted.
        let records = 0;
        let damaged = 0;
        await scanTopic({
          dir: topicDir(topic),
          topic,
          onEntry: () => {
            records++;
          },
          onDamage: () => {
            damaged++;
          },
        });
        stats.push({ topic: name, partitions: 1, records, bytes, damaged });
      }
      return stats;
    },
    async check({ repair = false } = {}): Promise<CheckReport> {
      const report: TopicCheck[] = [];
      for (const name of await topicFolders(root)) {
        const topic = topicNamed(name)!;
        if (repair && writers.has(name)) {
          await (await writers.get(name)!.catch(() => undefined))?.close();
          writers.delete(name);
        }
        report.push(await checkTopic({ topic, dir: topicDir(topic), repair, onRecovered }));
      }
      return { ok: report.every((t) => t.ok), topics: report.map(({ ok: _ok, ...t }) => t) };
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

async function topicFolders(root: string): Promise<string[]> {
  try {
    const names = await readdir(root);
    return names.filter((n) => topicNamed(n) !== undefined).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Offset after the last verified record of the topic: structure to the last block, then that block verified. */
async function lastOffsetAfter(dir: string, topic: Topic<unknown>): Promise<number> {
  const segments = await listSegments(dir);
  const last = segments.at(-1);
  if (!last) return 0;
  const { type } = logEntryType(topic, { written: true });
  const opened = await SegmentReader.open(last.path, type);
  if (opened.kind === 'open') {
    const reader = opened.reader;
    try {
      let lastBlock: number | undefined;
      for (;;) {
        const at = reader.pos;
        const s = await reader.skip();
        if (s.kind === 'skipped') lastBlock = at;
        else if (s.kind === 'block' && s.damage.length === 0) lastBlock = s.start;
        else if (s.kind === 'end' || (s.kind === 'tail' && s.prefix)) break;
        else {
          lastBlock = undefined; // damage: count the hard way
          break;
        }
      }
      if (lastBlock === undefined && reader.pos === reader.header.length) return last.base;
      if (lastBlock !== undefined) {
        reader.seek(lastBlock);
        const b = await reader.next();
        if (b.kind === 'block' && b.damage.length === 0 && b.entries.length)
          return b.entries.at(-1)!.offset + 1;
      }
    } finally {
      await reader.close();
    }
  } else if (opened.kind === 'badHeader') await opened.reader?.close();
  let next = last.base;
  await scanTopic({
    dir,
    topic,
    from: last.base,
    only: last.base,
    onEntry: (e) => {
      next = e.offset + 1;
    },
    onDamage: () => {},
  });
  return next;
}
