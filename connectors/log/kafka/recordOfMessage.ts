import { messageOf } from '../../../schemas/errors.ts';
import type { DeadLetter } from '../../../schemas/types.ts';
import type { LogRecord } from '../eventLog.ts';
import type { Topic } from '../topics.ts';
import type { RawRecord } from './protocol/recordBatch/recordBatches.ts';

/** A fetched message decoded, or the dead letter saying why it could not be. */
export type Decoded<T> =
  | { readonly record: LogRecord<T>; readonly deadLetter?: undefined }
  | { readonly deadLetter: DeadLetter; readonly record?: undefined };

/** Decodes one message of `topic`/`partition`; never throws: an undecodable message becomes a DeadLetter. */
export function recordOfMessage<T>(topic: Topic<T>, partition: number, message: RawRecord): Decoded<T> {
  const offset = message.offset;
  const key = message.key ? message.key.toString('utf8') : null;
  const timestamp = message.timestamp;
  if (!message.value) {
    return {
      deadLetter: deadLetterOf(topic.name, partition, offset, key, 'empty message value', Buffer.alloc(0)),
    };
  }
  try {
    const value = topic.codec.decode(message.value);
    return {
      record: { topic: topic.name, partition, offset, key: key ?? topic.keyOf(value), timestamp, value },
    };
  } catch (e) {
    return { deadLetter: deadLetterOf(topic.name, partition, offset, key, messageOf(e), message.value) };
  }
}

function deadLetterOf(
  topic: string,
  partition: number,
  offset: number,
  key: string | null,
  reason: string,
  payload: Buffer,
): DeadLetter {
  return {
    topic,
    partition,
    offset,
    source: null,
    key,
    reason: `${topic} partition ${partition} offset ${offset}: ${reason}`,
    payload,
    time: Date.now(),
  };
}
