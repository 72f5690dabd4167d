import avro from 'avsc';
import type { Topic } from '../topics.ts';

/** One stored record of a segment; `value` is the topic's record, embedded so any Avro tool reads it whole. */
export interface LogEntry {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: string | null;
  readonly value: unknown;
  /** CRC-32 of the record's bytes before this field, big-endian; zeros when written before checksums. */
  readonly crc?: Buffer;
}

/** Bytes of the crc field at the end of each encoded LogEntry. */
export const CRC_BYTES = 4;

const cache = new Map<string, { type: avro.Type; schema: unknown }>();

/** The segment schema of a topic: LogEntry { offset, timestamp, key, value: <topic record> }. */
export function logEntryType(
  topic: Topic<unknown>,
  { checksums = true }: { checksums?: boolean } = {},
): { type: avro.Type; schema: unknown } {
  const id = `${topic.name}${checksums ? '' : ':nocrc'}`;
  let entry = cache.get(id);
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
        ...(checksums
          ? [
              {
                name: 'crc',
                type: { type: 'fixed', name: 'Crc32', size: CRC_BYTES },
                default: '\u0000\u0000\u0000\u0000',
                doc: 'CRC-32 (as zlib) of this record bytes before this field, big-endian. Last field: the checked bytes are the record bytes before its last 4.',
              },
            ]
          : []),
      ],
    };
    entry = { type: avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'auto' }), schema };
    cache.set(id, entry);
  }
  return entry;
}

/** True when segments written with this writer schema carry the crc field (the last field, a 4-byte fixed). */
export function hasCrc(writerSchema: unknown): boolean {
  const fields = (writerSchema as { fields?: { name: string; type: unknown }[] })?.fields;
  const last = fields?.at(-1);
  return last?.name === 'crc' && (last.type as { size?: number })?.size === CRC_BYTES;
}
