import { hash } from 'node:crypto';
import type avro from 'avsc';
import type { RecordCodec } from '../../schemas/codec.ts';

type Normalize = (value: any) => any;

/**
 * A function that puts the keys of every map inside a value of `type` in sorted order (copying only what it must),
 * or undefined when the type holds no map. Avro writes a map's entries in insertion order; records are written in
 * schema order whatever the object's key order.
 */
function mapSorterOf(
  type: avro.Type,
  seen = new Map<avro.Type, Normalize | undefined>(),
): Normalize | undefined {
  if (seen.has(type)) return seen.get(type);
  seen.set(type, undefined); // our schemas are not recursive; a recursive reference would count as holding no map
  const t = type as any;
  let out: Normalize | undefined;
  switch (t.typeName as string) {
    case 'map': {
      const inner = mapSorterOf(t.valuesType, seen);
      out = (v: Record<string, unknown>) => {
        const keys = Object.keys(v);
        let sorted = true;
        for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1] < keys[i];
        if (sorted && !inner) return v;
        const copy: Record<string, unknown> = {};
        for (const k of sorted ? keys : keys.sort()) copy[k] = inner ? inner(v[k]) : v[k];
        return copy;
      };
      break;
    }
    case 'array': {
      const inner = mapSorterOf(t.itemsType, seen);
      if (inner) out = (v: unknown[]) => v.map(inner);
      break;
    }
    case 'record':
    case 'error': {
      const fields = (t.fields as { name: string; type: avro.Type }[])
        .map((f) => [f.name, mapSorterOf(f.type, seen)] as const)
        .filter((f): f is readonly [string, Normalize] => f[1] !== undefined);
      if (fields.length)
        out = (v: Record<string, unknown>) => {
          let copy = v;
          for (const [name, inner] of fields) {
            const x = v[name];
            const y = x === null || x === undefined ? x : inner(x);
            if (y !== x) {
              if (copy === v) copy = { ...v };
              copy[name] = y;
            }
          }
          return copy;
        };
      break;
    }
    case 'union:wrapped': {
      const branches = new Map<string, Normalize>();
      for (const b of t.types as avro.Type[]) {
        const inner = mapSorterOf(b, seen);
        if (inner) branches.set(b.branchName!, inner);
      }
      if (branches.size)
        out = (v: Record<string, unknown> | null) => {
          if (v === null) return v;
          const name = Object.keys(v)[0];
          const inner = branches.get(name);
          return inner ? { [name]: inner(v[name]) } : v;
        };
      break;
    }
    case 'union:unwrapped': {
      const branches = (t.types as avro.Type[])
        .map((b) => [b, mapSorterOf(b, seen)] as const)
        .filter((b): b is readonly [avro.Type, Normalize] => b[1] !== undefined);
      if (branches.length === 1) out = branches[0][1];
      else if (branches.length)
        out = (v: unknown) => (branches.find(([b]) => b.isValid(v))?.[1] ?? ((x: unknown) => x))(v);
      break;
    }
    default:
      if (t.underlyingType) out = mapSorterOf(t.underlyingType, seen);
  }
  seen.set(type, out);
  return out;
}

const sorters = new WeakMap<avro.Type, Normalize | null>();
/** Where records are encoded to be hashed: reused, so hashing a record allocates no buffer for it (grows as needed). */
let scratch = Buffer.alloc(64 * 1024);

/**
 * A digest of a record's content: the first 16 bytes of the SHA-256 of its Avro binary encoding under the current
 * schema with map keys sorted, so the same content read from JSON or decoded from the log (under an older writer
 * schema too) hashes the same.
 */
export function recordHash<T>(codec: RecordCodec<T>, value: T): Buffer {
  let sorter = sorters.get(codec.type);
  if (sorter === undefined) {
    sorter = mapSorterOf(codec.type) ?? null;
    sorters.set(codec.type, sorter);
  }
  const avroValue = sorter ? sorter(codec.toAvro(value)) : codec.toAvro(value);
  let end = codec.type.encode(avroValue, scratch, 0);
  if (end < 0) {
    // avsc returns minus the size it needed.
    scratch = Buffer.alloc(Math.max(-end, scratch.length * 2));
    end = codec.type.encode(avroValue, scratch, 0);
  }
  return hash('sha256', scratch.subarray(0, end), 'buffer').subarray(0, 16);
}
