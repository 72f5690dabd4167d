import type { EventLog } from '../../connectors/log/eventLog.ts';
import { type Topic, topics } from '../../connectors/log/topics.ts';
import { createRecordIndex, type RecordPlace } from '../../connectors/sources/createRecordIndex.ts';
import type { DeadLetter } from '../../schemas/types.ts';
import { indexTopic } from './indexTopic.ts';
import { recordIdentity } from './recordIdentity.ts';

/** One item of an input to append: a valid record with where it was read, or a row that already failed. */
export type AppendItem<T> =
  | { readonly kind: 'record'; readonly value: T; readonly source: string; readonly bytes: Buffer }
  | { readonly kind: 'deadLetter'; readonly deadLetter: DeadLetter };

export interface AppendSummary {
  /** Records appended by this run. */
  readonly appended: number;
  /** Records skipped because the log already holds them (same id, same content): a rerun's work already done. */
  readonly alreadyOnLog: number;
  /** Records skipped because an earlier row of the input had the same id and content. */
  readonly repeated: number;
  /** Rows not appended because their id is on the log or earlier in the input with different content. */
  readonly conflicts: number;
  /** Every row that was not appended (bad rows and conflicts), each naming its source and why; `reason` is the report. */
  readonly deadLetters: readonly DeadLetter[];
  /** How many of them this run appended to dead-letters (the others were there from an earlier run). */
  readonly deadLettersAppended: number;
  /** Records of the topic that could not be decoded while indexing it (not counted as present). */
  readonly unreadableOnLog: number;
}

export interface AppendIdempotentOptions<T> {
  readonly log: EventLog;
  readonly topic: Topic<T>;
  readonly items: AsyncIterable<AppendItem<T>>;
  /** Records per append; default 1000. */
  readonly batch?: number;
  readonly now?: () => number;
}

/** "the log (partition 0, offset 12)" or "file:3". */
const placeOf = (place: RecordPlace) =>
  'source' in place ? place.source : `the log (partition ${place.partition}, offset ${place.offset})`;

/**
 * Appends an input's records so that running it again, after a crash or not, appends only what is missing: the topic
 * is read once and indexed (id → content hash, see recordIdentity), then each record whose id is new is appended in
 * input order; one the log already holds with the same content is skipped and counted, one with different content
 * is a conflict, reported as a dead letter naming the row and where the other copy is, and the rest go on. The
 * input's own repeats are treated alike. Dead letters (the input's bad rows and the conflicts) are appended once:
 * those the dead-letters topic already holds from an earlier run are reported again but not appended again.
 * Memory: about 80 bytes per record of the topic and of the dead-letters topic (see createRecordIndex), plus the
 * source string of each record appended. Exactly once assumes one appender of the input at a time: two runs started
 * together index the log before either appends.
 */
export async function appendIdempotent<T>(options: AppendIdempotentOptions<T>): Promise<AppendSummary> {
  const { log, topic, items, batch: batchSize = 1000, now = Date.now } = options;
  const indexed = await indexTopic(log, topic);
  const index = indexed.index;
  let unreadableOnLog = indexed.unreadable;
  const deadTopic = topics.deadLetters as Topic<DeadLetter>;
  let deadIndex = index;
  if ((topic as Topic<unknown>) !== deadTopic) {
    const dead = await indexTopic(log, deadTopic, createRecordIndex());
    deadIndex = dead.index;
    unreadableOnLog += dead.unreadable;
  }
  let batch: { value: T }[] = [];
  let appended = 0;
  let alreadyOnLog = 0;
  let repeated = 0;
  let conflicts = 0;
  const deadLetters: DeadLetter[] = [];
  const newDead: { value: DeadLetter }[] = [];
  const reject = (deadLetter: DeadLetter) => {
    deadLetters.push(deadLetter);
    const { id, hash } = recordIdentity(deadTopic, deadLetter);
    if (deadIndex.find(id, hash)) return;
    deadIndex.add(id, hash, { source: deadLetter.source ?? '' });
    newDead.push({ value: deadLetter });
  };
  const flush = async () => {
    if (!batch.length) return;
    await log.append(topic, batch);
    appended += batch.length;
    batch = [];
  };
  for await (const item of items) {
    if (item.kind === 'deadLetter') {
      reject(item.deadLetter);
      continue;
    }
    const { id, hash } = recordIdentity(topic, item.value);
    const found = index.find(id, hash);
    if (found === undefined) {
      index.add(id, hash, { source: item.source });
      batch.push({ value: item.value });
      if (batch.length >= batchSize) await flush();
    } else if (found.same) {
      if (!('source' in found.place)) alreadyOnLog++;
      else repeated++;
    } else {
      conflicts++;
      reject({
        topic: topic.name,
        partition: 0,
        offset: null,
        source: item.source,
        key: null,
        reason:
          `${item.source}: ${topic.name} id ${JSON.stringify(id)} conflicts with ${placeOf(found.place)}: ` +
          'same id, different content; not appended',
        payload: Buffer.from(item.bytes), // a copy: it may be a view into a large read buffer
        time: now(),
      });
    }
  }
  await flush();
  if (newDead.length) await log.append(deadTopic, newDead);
  return {
    appended,
    alreadyOnLog,
    repeated,
    conflicts,
    deadLetters,
    deadLettersAppended: newDead.length,
    unreadableOnLog,
  };
}
