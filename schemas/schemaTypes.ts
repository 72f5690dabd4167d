import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';

/** The record schemas arboretum writes, in dependency order (TreeEvent refers to Instruction). */
export const recordNames = [
  'Instruction',
  'TreeEvent',
  'PreferencePair',
  'SftExample',
  'DeadLetter',
] as const;
export type RecordName = (typeof recordNames)[number];

const avroDir = fileURLToPath(new URL('./avro/', import.meta.url));

/** Reads one .avsc file of `schemas/avro/` as JSON. */
export function readSchemaFile(name: string): avro.Schema {
  return JSON.parse(readFileSync(`${avroDir}${name}.avsc`, 'utf8'));
}

/** Bytes of the zig-zag varint avsc writes for a non-negative length below 2^30. */
const varintBytes = (n: number) => (n < 64 ? 1 : n < 8192 ? 2 : n < 1 << 20 ? 3 : n < 1 << 27 ? 4 : 5);

/**
 * avsc's string type with one pass over long strings instead of two. avsc's Tap.writeString measures a string
 * (Buffer.byteLength) to write its length first and then encodes it (utf8Write): two full passes, which were a third
 * of all encoding time of tree events (1.6 KB mean, mostly action and prompt texts; connectors/log/kafka/README.md).
 * Here a string of n UTF-16 units (at most 3n UTF-8 bytes) is encoded once behind room for the longest length
 * prefix, and moved back when its length needs fewer bytes. The bytes are avsc's own (the same utf8Write; lone
 * surrogates become EF BF BD in both; test/schemas/codecEncode.test.ts); short strings and strings that might not
 * fit in the buffer go through avsc's own path, which also counts the bytes missing for the caller to grow it.
 */
const avscWriteString: (tap: unknown, value: unknown) => void = (avro.types.StringType.prototype as any)
  ._write;

class OnePassStringType extends avro.types.StringType {
  _write(tap: any, value: unknown): void {
    const n = typeof value === 'string' ? value.length : 0;
    const buf: Buffer = tap.buf;
    const pos: number = tap.pos;
    if (n <= 64 || n >= 1 << 25 || pos + 5 + 3 * n > buf.length) {
      avscWriteString.call(this, tap, value);
      return;
    }
    const room = varintBytes(3 * n);
    const len = (buf as any).utf8Write(value as string, pos + room);
    const prefix = varintBytes(len);
    if (prefix !== room) buf.copyWithin(pos + prefix, pos + room, pos + room + len);
    tap.writeLong(len);
    tap.pos = pos + prefix + len;
  }
}

const avscWriteUnion: (tap: unknown, value: unknown) => void = (avro.types.WrappedUnionType.prototype as any)
  ._write;
/** Index of each branch of a KindUnionType by its record's short name (payload.kind), e.g. TurnExecuted -> 2. */
const kindIndexes = new WeakMap<object, Map<string, number>>();

/**
 * A wrapped union of records (TreeEvent's payload) that also writes the domain shape `{ kind, ...fields }`: the
 * branch comes from `kind` instead of from a wrapper object `{ 'arboretum.Kind': fields }` built for every event
 * and taken apart again by Object.keys (the codec's treeEventToAvro cost more than avsc's encoding of the whole
 * event). Same bytes: the branch index, then the branch record's declared fields (`kind` is not one of them).
 * Values without a string `kind` (the wrapped shape) take avsc's own path.
 */
class KindUnionType extends avro.types.WrappedUnionType {
  _write(tap: any, value: any): void {
    const kind = value?.kind;
    const index = typeof kind === 'string' ? kindIndexes.get(this)?.get(kind) : undefined;
    if (index === undefined) {
      avscWriteUnion.call(this, tap, value);
      return;
    }
    tap.writeLong(index);
    (this.types[index] as any)._write(tap, value);
  }
}

const isRecordSchema = (s: unknown) => typeof s === 'object' && s !== null && (s as any).type === 'record';

/** Parses the current schemas into avsc types sharing one registry of named types. */
export function parseSchemas(
  read: (name: string) => avro.Schema = readSchemaFile,
): Record<RecordName, avro.Type> {
  const registry: Record<string, avro.Type> = {};
  const types = {} as Record<RecordName, avro.Type>;
  const stringType = new OnePassStringType();
  for (const name of recordNames) {
    types[name] = avro.Type.forSchema(read(name), {
      registry,
      wrapUnions: 'auto',
      typeHook: (schema, opts) => {
        if (schema === 'string') return stringType;
        // Two or more record branches: a union wrapUnions 'auto' wraps (records are not told apart by shape).
        if (Array.isArray(schema) && schema.filter(isRecordSchema).length > 1) {
          const union = new KindUnionType(schema, opts);
          const byKind = new Map<string, number>();
          union.types.forEach((t, i) => {
            if (t.typeName === 'record') byKind.set(t.name!.slice(t.name!.lastIndexOf('.') + 1), i);
          });
          kindIndexes.set(union, byKind);
          return union;
        }
        return undefined;
      },
    });
  }
  return types;
}

/** The avsc types of the current schemas. */
export const schemaTypes = parseSchemas();
