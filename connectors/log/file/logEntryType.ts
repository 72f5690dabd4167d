import avro from 'avsc';
import type { Topic } from '../topics.ts';

/** One stored record of a segment; `value` is the topic's record, embedded so any Avro tool reads it whole. */
export interface LogEntry {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: string | null;
  readonly value: unknown;
}

const cache = new Map<string, { type: avro.Type; schema: unknown }>();

/** The segment schema of a topic: LogEntry { offset, timestamp, key, value: <topic record> }. */
export function logEntryType(topic: Topic<unknown>): { type: avro.Type; schema: unknown } {
  let entry = cache.get(topic.name);
  if (!entry) {
    const schema = {
      type: 'record',
      name: 'LogEntry',
      namespace: 'arboretum.log',
      doc: `One record of the arboretum topic ${topic.name}.`,
      fields: [
        { name: 'offset', type: 'long' },
        { name: 'timestamp', type: 'long', doc: 'Epoch milliseconds of the append.' },
        { name: 'key', type: ['null', 'string'] },
        { name: 'value', type: topic.codec.type.schema({ exportAttrs: true }) },
      ],
    };
    entry = { type: avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'auto' }), schema };
    cache.set(topic.name, entry);
  }
  return entry;
}
