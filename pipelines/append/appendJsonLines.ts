import type { EventLog } from '../../connectors/log/eventLog.ts';
import type { Topic } from '../../connectors/log/topics.ts';
import { formatOf, readRows } from '../../connectors/sources/readRows.ts';
import { fromJson } from '../../schemas/codec.ts';
import { messageOf } from '../../schemas/errors.ts';
import { type AppendItem, type AppendSummary, appendIdempotent } from './appendIdempotent.ts';

/**
 * The rows of a file as records of a topic, or as dead letters naming file:line (and byte, for bad UTF-8). The file is
 * read by readRows, the one row reader of every command: `.jsonl`/`.ndjson` JSON lines, `.json` one JSON document (an
 * array of records), `.parquet`; a file of any other name (a pipe, /dev/stdin) is read as JSON lines.
 */
async function* jsonLineItems<T>(
  topic: Topic<T>,
  file: string,
  now: () => number,
): AsyncGenerator<AppendItem<T>> {
  const format = /\.(jsonl|ndjson|json|parquet)$/i.test(file) ? formatOf(file) : 'jsonl';
  for await (const row of readRows(file, format)) {
    const { source } = row;
    let reason: string;
    if (row.error !== undefined) reason = row.error;
    else {
      try {
        yield { kind: 'record', value: fromJson(topic.codec, row.value), source, bytes: row.bytes };
        continue;
      } catch (e) {
        reason = messageOf(e);
      }
    }
    yield {
      kind: 'deadLetter',
      deadLetter: {
        topic: topic.name,
        partition: 0,
        offset: null,
        source,
        key: null,
        reason: `${source}: ${reason}`,
        payload: Buffer.from(row.bytes), // a copy: the row may be a view into a read buffer
        time: now(),
      },
    };
  }
}

/**
 * Appends the valid lines of a JSONL file to a topic, resumably (see appendIdempotent: rerunning it after a crash
 * appends only what is missing); bad lines and conflicts become dead letters naming file and line.
 */
export function appendJsonLines<T>(
  log: EventLog,
  topic: Topic<T>,
  file: string,
  { now = Date.now }: { now?: () => number } = {},
): Promise<AppendSummary> {
  return appendIdempotent({ log, topic, items: jsonLineItems(topic, file, now), now });
}
