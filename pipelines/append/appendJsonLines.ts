import type { EventLog } from '../../connectors/log/eventLog.ts';
import type { Topic } from '../../connectors/log/topics.ts';
import { readLines } from '../../connectors/sources/readLines.ts';
import { fromJson } from '../../schemas/codec.ts';
import { messageOf } from '../../schemas/errors.ts';
import { type AppendItem, type AppendSummary, appendIdempotent } from './appendIdempotent.ts';

/** The lines of a JSONL file as records of a topic, or as dead letters naming file:line (and byte, for bad UTF-8). */
async function* jsonLineItems<T>(
  topic: Topic<T>,
  file: string,
  now: () => number,
): AsyncGenerator<AppendItem<T>> {
  for await (const line of readLines(file)) {
    const source = `${file}:${line.line}`;
    let reason: string;
    if (line.text === undefined) reason = line.error!;
    else if (line.text.trim() === '') continue;
    else {
      try {
        yield {
          kind: 'record',
          value: fromJson(topic.codec, JSON.parse(line.text)),
          source,
          bytes: line.bytes,
        };
        continue;
      } catch (e) {
        reason = e instanceof SyntaxError ? `not JSON: ${e.message}` : messageOf(e);
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
        payload: Buffer.from(line.bytes), // a copy: the line is a view into a read buffer
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
