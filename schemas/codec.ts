import avro from 'avsc';
import { ArboretumError, messageOf } from './errors.ts';
import { fingerprintOf } from './fingerprint.ts';
import { type RecordName, schemaTypes } from './schemaTypes.ts';
import type { DeadLetter, Instruction, PreferencePair, SftExample, TreeEvent } from './types.ts';

/** Avro single-object encoding marker (spec: "Single object encoding"). */
const MAGIC = Buffer.from([0xc3, 0x01]);
const HEADER_BYTES = 10;
/**
 * Where codecs encode: each value goes straight into the unused end of a shared slab and is returned as a view of
 * it, so that an event costs no Buffer allocation and no copy of its own. Allocating and copying out every event
 * (1.6 KB mean) cost more than avsc's encoding of it (2.1x slower; connectors/log/kafka/README.md). A value kept
 * keeps its slab (64 KiB) alive, as Node's own Buffer pool does with its 8 KiB ones; values above a quarter of a
 * slab get a Buffer of their own.
 */
const SLAB_BYTES = 64 << 10;
let slab = Buffer.allocUnsafe(SLAB_BYTES);
let slabUsed = 0;

/** Encodes one kind of record: between the domain shape, Avro's value shape and bytes. */
export interface RecordCodec<T> {
  readonly name: RecordName;
  /** The current (reader) schema. */
  readonly type: avro.Type;
  /**
   * The schema values are written with: `type` itself, but for a read projection (projectCodec), whose `type` lacks
   * fields its readers never look at. Writers and anything comparing with a stored writer schema use this one.
   */
  readonly writerType: avro.Type;
  /** CRC-64-AVRO of the current schema, 8 bytes little-endian. */
  readonly fingerprint: Buffer;
  /** Domain value to the value avsc writes (identity but for unions of records). */
  toAvro(value: T): unknown;
  /** Value avsc read to the domain value. */
  fromAvro(value: unknown): T;
  /** Single-object encoding: C3 01, the writer schema's fingerprint, the Avro binary body. */
  encode(value: T): Buffer;
  /**
   * The same bytes as `encode`, written into `buf` at `at`: returns where they end, or, when they do not fit, minus
   * the bytes missing past the end of `buf` (avsc's convention; the caller grows `buf` and asks again). The Kafka
   * producer encodes each value straight into its record batch this way (no Buffer and no copy per value).
   */
  encodeInto(value: T, buf: Buffer, at: number): number;
  /** Decodes single-object bytes written under any known writer schema; throws UNKNOWN_SCHEMA / DECODE_FAILED. */
  decode(bytes: Buffer): T;
  /** Makes an older or newer writer schema of this record decodable. */
  knowWriter(writer: avro.Type): void;
}

/** The fromAvro of every record but TreeEvent: avsc's value is the domain value. */
const identity = <T>(v: unknown): T => v as T;

function createCodec<T>(
  name: RecordName,
  toAvro: (value: T) => unknown = (v) => v,
  fromAvro: (value: unknown) => T = identity,
  /** What encode hands avsc: toAvro's value, or the domain value itself where the type writes that directly. */
  writable: (value: T) => unknown = toAvro,
): RecordCodec<T> {
  const type = schemaTypes[name];
  const fingerprint = fingerprintOf(type);
  return {
    name,
    type,
    writerType: type,
    fingerprint,
    toAvro,
    fromAvro,
    encodeInto(value, buf, at) {
      // Room for the header first: avsc is never asked to write past the end of `buf`.
      if (at + HEADER_BYTES > buf.length) return buf.length - at - HEADER_BYTES;
      const end = type.encode(writable(value), buf, at + HEADER_BYTES);
      if (end < 0) return end; // avsc: minus the bytes missing
      buf.set(MAGIC, at);
      buf.set(fingerprint, at + MAGIC.length);
      return end;
    },
    encode(value) {
      const start = slabUsed;
      let end = this.encodeInto(value, slab, start);
      if (end >= 0) {
        slabUsed = end;
        return slab.subarray(start, end);
      }
      // Not in what is left of the slab: a fresh slab, or a Buffer of its own above a quarter of one. The bytes
      // needed are what was left and what was missing (encodeInto's answer).
      let bytes = slab.length - start - end;
      if (bytes <= SLAB_BYTES / 4) {
        slab = Buffer.allocUnsafe(SLAB_BYTES);
        end = this.encodeInto(value, slab, 0);
        if (end >= 0) {
          slabUsed = end;
          return slab.subarray(0, end);
        }
        bytes = slab.length - end;
      }
      const own = Buffer.allocUnsafe(bytes);
      this.encodeInto(value, own, 0);
      return own;
    },
    ...singleObjectReader(name, type, type, fromAvro),
  };
}

/**
 * The read side of single-object encoding: the body is read into `reader` through a resolver from its writer schema,
 * known by fingerprint (`writer`'s from the start; none needed when reader and writer are one type).
 */
function singleObjectReader<T>(
  name: RecordName,
  reader: avro.Type,
  writer: avro.Type,
  fromAvro: (value: unknown) => T,
): Pick<RecordCodec<T>, 'decode' | 'knowWriter'> {
  const resolverOf = (w: avro.Type) => (w === reader ? null : reader.createResolver(w));
  const readers = new Map<string, avro.Resolver | null>([
    [fingerprintOf(writer).toString('hex'), resolverOf(writer)],
  ]);
  return {
    decode(bytes) {
      if (bytes.length < HEADER_BYTES || bytes[0] !== MAGIC[0] || bytes[1] !== MAGIC[1]) {
        throw new ArboretumError(
          'DECODE_FAILED',
          `${name}: not Avro single-object encoding (no C3 01 marker)`,
        );
      }
      const fp = bytes.subarray(2, HEADER_BYTES).toString('hex');
      const resolver = readers.get(fp);
      if (resolver === undefined) {
        throw new ArboretumError('UNKNOWN_SCHEMA', `${name}: unknown writer schema fingerprint ${fp}`);
      }
      try {
        return fromAvro(reader.fromBuffer(bytes.subarray(HEADER_BYTES), resolver ?? undefined));
      } catch (e) {
        throw new ArboretumError('DECODE_FAILED', `${name}: undecodable body: ${messageOf(e)}`, { cause: e });
      }
    },
    knowWriter(w) {
      const fp = fingerprintOf(w).toString('hex');
      if (!readers.has(fp)) readers.set(fp, resolverOf(w));
    },
  };
}

/** What a read projection adds to a record read from a union: its `kind`, and the defaults of its dropped fields. */
interface Known {
  readonly kind: string;
  readonly fill: [string, unknown][] | undefined;
}

/** Fields a read projection leaves out, by record short name (e.g. `{ StrategySampled: ['prompt'] }`). */
export type DroppedFields = Readonly<Record<string, readonly string[]>>;

/**
 * A read projection of a codec: its `type` is the writer schema without the `dropped` fields, so avsc's resolver
 * skips their bytes instead of building their values (StrategySampled.prompt is 45% of a tree-event log's bytes;
 * bench/RESULTS.md). A dropped field reads as its schema default (shared and frozen: [] for the prompt), so values
 * keep their domain type; it must have one. Fields are dropped from the record itself or from the records of one of
 * its unions of records (TreeEvent's payload kinds). It decodes whatever the codec decodes (the same writer
 * fingerprints; the file log resolves segments' writer schemas against `type`), and cannot write: `toAvro` and
 * `encode` throw. Its values are avsc's own objects, shaped in place (a union's record gets its `kind`, last): fresh
 * per read, for code that reads fields, not for serialising whole (key order differs from the codec's plain objects).
 */
export function projectCodec<T>(codec: RecordCodec<T>, dropped: DroppedFields): RecordCodec<T> {
  const unknown = new Set(Object.entries(dropped).flatMap(([r, fs]) => fs.map((f) => `${r}.${f}`)));
  /** Record short name -> the dropped fields' names and (frozen) defaults. */
  const fills = new Map<string, [string, unknown][]>();
  const narrow = (schema: unknown): unknown => {
    if (Array.isArray(schema)) return schema.map(narrow);
    if (schema === null || typeof schema !== 'object') return schema;
    const s = schema as Record<string, any>;
    if (s.type === 'record') {
      const short = String(s.name).slice(String(s.name).lastIndexOf('.') + 1);
      const drop = dropped[short] ?? [];
      const fields = [];
      for (const f of s.fields) {
        if (!drop.includes(f.name)) {
          fields.push({ ...f, type: narrow(f.type) });
          continue;
        }
        unknown.delete(`${short}.${f.name}`);
        if (!('default' in f))
          throw new Error(`projectCodec(${codec.name}): ${short}.${f.name} has no default to read as`);
        const list = fills.get(short) ?? [];
        list.push([f.name, deepFreeze(structuredClone(f.default))]);
        fills.set(short, list);
      }
      return { ...s, fields };
    }
    if (s.type === 'array') return { ...s, items: narrow(s.items) };
    if (s.type === 'map') return { ...s, values: narrow(s.values) };
    return s;
  };
  const schema = narrow(codec.writerType.schema({ exportAttrs: true }));
  if (unknown.size) throw new Error(`projectCodec(${codec.name}): no field ${[...unknown].join(', ')}`);
  const type = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'auto' }) as avro.types.RecordType;
  /** Fields holding a union of records (avsc wraps it: `{ 'arboretum.Kind': record }`), as TreeEvent's payload. */
  const unions = type.fields.filter((f) => recordBranches(f.type).length > 1).map((f) => f.name);
  if (codec.fromAvro !== identity && unions.length === 0)
    throw new Error(`projectCodec(${codec.name}): its codec's fromAvro is not one a projection reproduces`);
  /** Branch name -> the domain's `kind` and the defaults of the branch's dropped fields. */
  const kinds = new Map<string, Known>();
  for (const f of type.fields)
    for (const b of recordBranches(f.type)) {
      const kind = b.name!.slice(b.name!.lastIndexOf('.') + 1);
      kinds.set(b.branchName!, { kind, fill: fills.get(kind) });
    }
  /**
   * The same by avsc's wrapper class, learnt from the first value of each: one lookup per value instead of listing
   * its key. By class, not Type.wrap's: the file log decodes with its own parse of the schema (logEntryType).
   */
  const byClass = new Map<unknown, Known | null>();
  const knownOf = (wrapper: object): Known | null => {
    let known = byClass.get(wrapper.constructor);
    if (known === undefined) {
      known = null;
      for (const name in wrapper) {
        known = kinds.get(name) ?? null;
        break;
      }
      byClass.set(wrapper.constructor, known);
    }
    return known;
  };
  const own = fills.get(codec.name);
  const reached = new Set([codec.name, ...[...kinds.values()].map((k) => k.kind)]);
  const unreached = [...fills.keys()].filter((r) => !reached.has(r));
  if (unreached.length)
    throw new Error(
      `projectCodec(${codec.name}): cannot drop fields of ${unreached.join(', ')} (nested records)`,
    );
  // The domain shape (treeEventFromAvro's) made in place: the wrapper gives way to its record, which gets `kind`
  // (last). No copy of each event and its payload: the projection's values are fresh per read.
  const fromAvro = (value: unknown): T => {
    const v = value as Record<string, any>;
    if (own) for (const [f, d] of own) v[f] = d;
    for (let i = 0; i < unions.length; i++) {
      const wrapper = v[unions[i]];
      const known = wrapper === null || typeof wrapper !== 'object' ? null : knownOf(wrapper);
      if (known === null) continue;
      const branch = wrapper.unwrap();
      branch.kind = known.kind;
      if (known.fill) for (const [f, d] of known.fill) branch[f] = d;
      v[unions[i]] = branch;
    }
    return v as T;
  };
  const readOnly = (): never => {
    throw new ArboretumError(
      'INVALID_INPUT',
      `${codec.name}: a read projection (without ${Object.entries(dropped)
        .flatMap(([r, fs]) => fs.map((f) => `${r}.${f}`))
        .join(', ')}) cannot write`,
    );
  };
  return {
    name: codec.name,
    type,
    writerType: codec.writerType,
    fingerprint: codec.fingerprint,
    toAvro: readOnly,
    fromAvro,
    encode: readOnly,
    encodeInto: readOnly,
    ...singleObjectReader(codec.name, type, codec.writerType, fromAvro),
  };
}

/** The record types among a union's branches (none for another type). */
function recordBranches(type: avro.Type): avro.types.RecordType[] {
  return type.typeName === 'union:unwrapped' || type.typeName === 'union:wrapped'
    ? ((type as unknown as { types: avro.Type[] }).types.filter(
        (t) => t.typeName === 'record',
      ) as avro.types.RecordType[])
    : [];
}

function deepFreeze<V>(value: V): V {
  if (value && typeof value === 'object') for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

const NAMESPACE = 'arboretum.';

/** TreeEvent's payload is `{ kind, ...fields }` in TypeScript and a wrapped union `{ 'arboretum.Kind': fields }` in avsc. */
function treeEventToAvro(event: TreeEvent): unknown {
  // avsc writes a record's declared fields only, so the payload goes in as it is, `kind` and all.
  return {
    eventId: event.eventId,
    treeId: event.treeId,
    seq: event.seq,
    time: event.time,
    writer: event.writer,
    payload: { [branchNames[event.payload.kind]]: event.payload },
  };
}

const branchNames: Record<string, string> = Object.fromEntries(
  [
    'TreeOpened',
    'StrategySampled',
    'TurnExecuted',
    'VerdictReached',
    'CritiqueEmitted',
    'TreeClosed',
    'AnswerReceived',
    'CritiqueRejected',
    'TreeReopened',
  ].map((k) => [k, NAMESPACE + k]),
);

function treeEventFromAvro(value: unknown): TreeEvent {
  const record = value as Omit<TreeEvent, 'payload'> & { payload: Record<string, object> };
  const branch = Object.keys(record.payload)[0];
  const kind = branch.slice(branch.lastIndexOf('.') + 1);
  return {
    eventId: record.eventId,
    treeId: record.treeId,
    seq: record.seq,
    time: record.time,
    writer: record.writer,
    payload: { kind, ...record.payload[branch] } as TreeEvent['payload'],
  };
}

export const codecs = {
  Instruction: createCodec<Instruction>('Instruction'),
  // The payload union writes `{ kind, ...fields }` as it is (schemaTypes.ts, KindUnionType): no wrapper to build.
  TreeEvent: createCodec<TreeEvent>('TreeEvent', treeEventToAvro, treeEventFromAvro, (event) => event),
  PreferencePair: createCodec<PreferencePair>('PreferencePair'),
  SftExample: createCodec<SftExample>('SftExample'),
  DeadLetter: createCodec<DeadLetter>('DeadLetter'),
} as const;

/** Where a value failed validation: the dotted path of the first bad field and why. */
export function validationErrors(type: avro.Type, value: unknown): string[] {
  const errors: string[] = [];
  type.isValid(value, {
    errorHook: (path: string[], v: unknown, t: avro.Type) => {
      const where = path.length ? path.join('.') : '(record)';
      const expected = t.typeName === 'enum' ? `one of ${(t as any).symbols.join(', ')}` : t.typeName;
      errors.push(`${where}: expected ${expected}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
    },
  });
  return errors;
}

/**
 * Turns a parsed JSON object into a valid record of the codec's schema: fields with defaults may be left out,
 * nullable fields take plain values, TreeEvent payloads carry `kind`. Throws INVALID_INPUT naming the bad fields.
 */
export function fromJson<T>(codec: RecordCodec<T>, json: unknown): T {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ArboretumError('INVALID_INPUT', `expected a JSON object for ${codec.name}`);
  }
  let avroValue: unknown;
  try {
    const shaped = codec.name === 'DeadLetter' ? reviveBytes(json as Record<string, unknown>) : json;
    avroValue = codec.toAvro(withDefaults(codec.type, shaped) as T);
  } catch (e) {
    throw new ArboretumError('INVALID_INPUT', `${codec.name}: ${messageOf(e)}`);
  }
  const errors = validationErrors(codec.type, avroValue);
  if (errors.length) throw new ArboretumError('INVALID_INPUT', `${codec.name}: ${errors.join('; ')}`);
  return codec.fromAvro(codec.type.clone(avroValue));
}

/** Fills left-out fields that have defaults, recursively through records (including union branches). */
function withDefaults(type: avro.Type, value: unknown): unknown {
  const t = type as any;
  if (t.typeName === 'record' && value && typeof value === 'object' && !Array.isArray(value)) {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const field of t.fields) {
      if (out[field.name] === undefined) {
        const dflt = field.defaultValue();
        if (dflt !== undefined) out[field.name] = dflt;
      } else {
        out[field.name] = withDefaults(field.type, out[field.name]);
      }
    }
    return out;
  }
  if (t.typeName === 'union:wrapped' && value && typeof value === 'object' && 'kind' in (value as object)) {
    const { kind, ...fields } = value as { kind: string };
    const branch = t.types.find((b: any) => b.name === NAMESPACE + kind || b.branchName === kind);
    if (!branch) throw new Error(`unknown payload kind ${JSON.stringify(kind)}`);
    return { kind, ...(withDefaults(branch, fields) as object) };
  }
  if (t.typeName === 'union:unwrapped' && value !== null && value !== undefined) {
    const branch = t.types.find((b: any) => b.typeName === 'record');
    return branch ? withDefaults(branch, value) : value;
  }
  if (t.typeName === 'array' && Array.isArray(value)) return value.map((v) => withDefaults(t.itemsType, v));
  return value;
}

function reviveBytes(json: Record<string, unknown>): Record<string, unknown> {
  return typeof json.payload === 'string' ? { ...json, payload: Buffer.from(json.payload, 'base64') } : json;
}

/** JSON.stringify replacer: Buffers as base64 strings. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (
    value &&
    typeof value === 'object' &&
    (value as any).type === 'Buffer' &&
    Array.isArray((value as any).data)
  ) {
    return Buffer.from((value as any).data).toString('base64');
  }
  return value;
}
