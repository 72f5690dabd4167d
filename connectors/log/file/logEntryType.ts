import avro from 'avsc';
import type { Topic } from '../topics.ts';

/** One stored record of a segment; `value` is the topic's record, embedded so any Avro tool reads it whole. */
export interface LogEntry {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: string | null;
  readonly value: unknown;
  /** CRC-32 of the record's bytes before this field; 0 when written before checksums. */
  readonly crc?: number;
  /** In a block's first record: CRC-32 of all the block's record bytes but this field's; 0 elsewhere. */
  readonly blockCrc?: number;
}

/** By record type (a read projection of a topic has its own), then topic name and checksums. */
const cache = new WeakMap<avro.Type, Map<string, { type: avro.Type; schema: unknown }>>();

/**
 * The segment schema of a topic: LogEntry { offset, timestamp, key, value: <topic record> }. By default the one to
 * read with (the topic codec's `type`, narrower for a read projection); `written` gives the one records are written
 * with (`writerType`): what writers use and what segments' headers and the manifest record.
 */
export function logEntryType(
  topic: Topic<unknown>,
  { checksums = true, written = false }: { checksums?: boolean; written?: boolean } = {},
): { type: avro.Type; schema: unknown } {
  const record = written ? topic.codec.writerType : topic.codec.type;
  let byName = cache.get(record);
  if (!byName) {
    byName = new Map();
    cache.set(record, byName);
  }
  const id = `${topic.name}${checksums ? '' : ':nocrc'}`;
  let entry = byName.get(id);
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
        { name: 'value', type: record.schema({ exportAttrs: true }) },
        ...(checksums
          ? [
              {
                name: 'crc',
                type: 'long',
                default: 0,
                doc: 'CRC-32 (as zlib.crc32) of the bytes of this record before this field.',
              },
              {
                name: 'blockCrc',
                type: 'long',
                default: 0,
                doc: "In the first record of a block: CRC-32 of the block's record bytes except this field's own (a whole block verifies with one pass). 0 in the other records.",
              },
            ]
          : []),
      ],
    };
    entry = { type: avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'auto' }), schema };
    byName.set(id, entry);
  }
  return entry;
}

/** True when segments written with this writer schema carry checksums (last fields crc, blockCrc: longs). */
export function hasCrc(writerSchema: unknown): boolean {
  const fields = (writerSchema as { fields?: { name: string; type: unknown }[] })?.fields;
  const [crc, block] = fields?.slice(-2) ?? [];
  return crc?.name === 'crc' && crc.type === 'long' && block?.name === 'blockCrc' && block.type === 'long';
}
