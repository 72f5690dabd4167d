import { bufferTime, concatMap, filter, lastValueFrom, take } from 'rxjs';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { type Topic, topicNamed, topicNames } from '../../connectors/log/topics.ts';
import { appendJsonLines } from '../../pipelines/append/appendJsonLines.ts';
import { copyLog } from '../../pipelines/copy/copyLog.ts';
import { ArboretumError } from '../../schemas/errors.ts';
import { DEFAULT_LOG, intFlag, parseFlags, wantsHelp } from '../args.ts';
import type { Command } from '../command.ts';
import { openLog } from '../openLog.ts';
import { formatTable, jsonLine, writeOut } from '../output.ts';
import { reportAppend } from '../reportAppend.ts';
import { requireTopic } from '../requireTopic.ts';

const help = `arboretum log — the event log itself

Usage:
  arboretum log append --topic T --file F.jsonl [--log URI]
      F is .jsonl (one record a line), .json (one array of records) or .parquet; another name is read as lines.
      Validates each line against the topic's schema and appends the valid ones. A bad line (not JSON, not UTF-8,
      not the topic's record) is reported as F.jsonl:LINE: what is wrong, goes to the dead-letters topic, and the
      rest are appended (exit 1 if any). Resumable and idempotent: a record the topic already holds (same id —
      eventId for tree-events, id for instructions, pairs and sft; same content) is skipped and counted, so
      appending a file again after a crash appends only what is missing; the same id with different content is a
      conflict, reported with F.jsonl:LINE, dead-lettered and not appended (exit 1).
  arboretum log read --topic T [--from N] [--follow] [--limit N] [--with-offsets] [--log URI]
      Prints records as JSON lines (the record value; --with-offsets wraps it with partition, offset, key, timestamp).
      With --follow each record is printed as it arrives (within 50 ms).
  arboretum log stat [--json] [--log URI]          topics, partitions, readable records, bytes, damaged regions
  arboretum log check [--repair] [--log URI]
      Verifies every record (checksums) and finds missing segments; names file, byte offset and offsets lost
      (exit 1 if not ok). --repair cuts torn tails, moves damaged segments to <topic>/quarantine/ (with a report)
      after rewriting their verified records, and leaves the topic writable. Nothing is ever deleted.

Every command that reads the log prints each damaged or missing region on stderr and exits non-zero;
--allow-damaged (any command) accepts the loss and exits as if none, saying so.
  arboretum log copy --from URI --to URI [--topic T ...]
      Copies history between backends (all topics by default), keeping keys and per-key order.

Topics: ${topicNames.join(', ')}.
--log defaults to ${DEFAULT_LOG}; kafka://host:port[,host:port] for Kafka.`;

function topicFlag(name: string | undefined): Topic<unknown> {
  if (!name)
    throw new ArboretumError('INVALID_INPUT', `--topic is required (one of ${topicNames.join(', ')})`);
  const topic = topicNamed(name);
  if (!topic)
    throw new ArboretumError(
      'INVALID_INPUT',
      `--topic ${JSON.stringify(name)} is not one of ${topicNames.join(', ')}`,
    );
  return topic;
}

async function withLog<T>(uri: string, body: (log: EventLog) => Promise<T>): Promise<T> {
  const log = await openLog(uri);
  try {
    return await body(log);
  } finally {
    await log.close();
  }
}

async function append(argv: readonly string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    { log: { type: 'string', default: DEFAULT_LOG }, topic: { type: 'string' }, file: { type: 'string' } },
    false,
  );
  const topic = topicFlag(values.topic);
  if (!values.file) throw new ArboretumError('INVALID_INPUT', '--file is required');
  const file = values.file;
  const summary = await withLog(values.log!, (log) => appendJsonLines(log, topic, file));
  return reportAppend(summary, 'appended', `records to ${topic.name}`);
}

async function read(argv: readonly string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      log: { type: 'string', default: DEFAULT_LOG },
      topic: { type: 'string' },
      from: { type: 'string' },
      follow: { type: 'boolean', default: false },
      limit: { type: 'string' },
      'with-offsets': { type: 'boolean', default: false },
    },
    false,
  );
  const topic = topicFlag(values.topic);
  const from = intFlag('from', values.from, 0);
  const limit = intFlag('limit', values.limit, Number.POSITIVE_INFINITY);
  await withLog(values.log!, async (log) => {
    if (!values.follow) await requireTopic(log, topic);
    let records = log.read(topic, { from, follow: values.follow });
    if (Number.isFinite(limit)) records = records.pipe(take(limit));
    // Flush every 50 ms or 256 records, whichever first: a follower prints each record as it arrives.
    const done = records.pipe(
      bufferTime(50, null, 256),
      filter((chunk) => chunk.length > 0),
      concatMap((chunk) =>
        writeOut(
          chunk
            .map((r) =>
              jsonLine(
                values['with-offsets']
                  ? {
                      partition: r.partition,
                      offset: r.offset,
                      key: r.key,
                      timestamp: r.timestamp,
                      value: r.value,
                    }
                  : r.value,
              ),
            )
            .join(''),
        ),
      ),
    );
    await lastValueFrom(done, { defaultValue: undefined });
  });
  return 0;
}

async function stat(argv: readonly string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    { log: { type: 'string', default: DEFAULT_LOG }, json: { type: 'boolean', default: false } },
    false,
  );
  const stats = await withLog(values.log!, (log) => log.stat());
  if (values.json) console.log(JSON.stringify(stats));
  else if (!stats.length) console.log(`${values.log}: empty`);
  else
    console.log(
      formatTable(
        ['topic', 'partitions', 'records', 'bytes', 'damaged'],
        stats.map((s) => [s.topic, s.partitions, s.records, s.bytes, s.damaged]),
      ),
    );
  const damaged = stats.reduce((n, s) => n + s.damaged, 0);
  if (damaged) console.error(`${damaged} damaged or missing region(s): arboretum log check names them`);
  return damaged ? 1 : 0;
}

async function check(argv: readonly string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    { log: { type: 'string', default: DEFAULT_LOG }, repair: { type: 'boolean', default: false } },
    false,
  );
  const report = await withLog(values.log!, (log) => log.check({ repair: values.repair }));
  for (const t of report.topics) {
    console.log(
      `${t.topic}: ${t.records} records${t.problems.length ? `, ${t.problems.length} problems` : ', ok'}`,
    );
    for (const p of t.problems) console.log(`  problem: ${p}`);
    for (const r of t.repaired) console.log(`  repaired: ${r}`);
    for (const n of t.notes) console.log(`  note: ${n}`);
  }
  console.log(report.ok ? 'ok' : 'NOT OK');
  return report.ok ? 0 : 1;
}

async function copy(argv: readonly string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    { from: { type: 'string' }, to: { type: 'string' }, topic: { type: 'string', multiple: true } },
    false,
  );
  if (!values.from || !values.to)
    throw new ArboretumError('INVALID_INPUT', '--from URI and --to URI are required');
  if (values.from === values.to)
    throw new ArboretumError('INVALID_INPUT', '--from and --to name the same log');
  for (const t of values.topic ?? []) topicFlag(t);
  const to = values.to;
  const counts = await withLog(values.from, (source) =>
    withLog(to, async (target) => {
      const present = (await source.stat()).map((s) => s.topic);
      return copyLog(source, target, values.topic ?? present);
    }),
  );
  for (const [topic, n] of counts) console.log(`${topic}: copied ${n} records`);
  return 0;
}

const subcommands: Record<string, (argv: readonly string[]) => Promise<number>> = {
  append,
  read,
  stat,
  check,
  copy,
};

export const command: Command = {
  name: 'log',
  summary: 'append, read, stat, check and copy the event log',
  help,
  subcommands: true,
  async run(argv) {
    const [sub, ...rest] = argv;
    const run = sub ? subcommands[sub] : undefined;
    if (!run) {
      console.error(sub ? `arboretum log: unknown subcommand ${JSON.stringify(sub)}\n\n${help}` : help);
      return 2;
    }
    if (wantsHelp(rest)) {
      console.log(help);
      return 0;
    }
    return run(rest);
  },
};
