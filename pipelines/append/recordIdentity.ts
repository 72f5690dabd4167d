import { hash } from 'node:crypto';
import type { Topic, TopicName } from '../../connectors/log/topics.ts';
import { recordHash } from '../../connectors/sources/recordHash.ts';
import type { DeadLetter, Instruction, PreferencePair, SftExample, TreeEvent } from '../../schemas/types.ts';

/** What makes two records of a topic the same record (`id`) and the same content (`hash`, 16 bytes). */
export interface RecordIdentity {
  readonly id: string;
  readonly hash: Uint8Array;
}

const digest = (data: string | Uint8Array) => hash('sha256', data, 'buffer').subarray(0, 16);

/**
 * A dead letter is the same failure when it names the same place (topic, partition, offset or source) and the same
 * bytes; its reason and time may differ from one run to the next (a rerun finds the same bad line again), so they are
 * not part of it, and two dead letters of one id never conflict.
 */
function deadLetterId(d: DeadLetter): string {
  return `${d.topic}|${d.partition}|${d.offset ?? ''}|${d.source ?? ''}|${digest(d.payload).toString('base64url')}`;
}

const ids: { readonly [N in TopicName]: (value: any) => string } = {
  instructions: (i: Instruction) => i.id,
  'tree-events': (e: TreeEvent) => e.eventId,
  pairs: (p: PreferencePair) => p.id,
  sft: (s: SftExample) => s.id,
  'dead-letters': deadLetterId,
};

/**
 * The identity of a record: instructions by id, tree events by their deterministic eventId, pairs and SFT rows by id,
 * dead letters by where and what (see deadLetterId); the content hash is recordHash of the whole record.
 */
export function recordIdentity<T>(topic: Topic<T>, value: T): RecordIdentity {
  const id = ids[topic.name](value);
  return { id, hash: topic.name === 'dead-letters' ? digest(id) : recordHash(topic.codec, value) };
}
