/** Where a record is: on the log (partition, offset) or in the input being read (`file:line`). */
export type RecordPlace =
  | { readonly partition: number; readonly offset: number }
  | { readonly source: string };

/** Records by id with their content hashes (16 bytes, see recordHash) and where the first copy is. */
export interface RecordIndex {
  /** Whether `hash` is a content the record `id` has, and where its first copy is; undefined when `id` is new. */
  find(id: string, hash: Uint8Array): { readonly same: boolean; readonly place: RecordPlace } | undefined;
  /** Notes a copy of a record; a content already noted for the id is not noted twice, and the first place stays. */
  add(id: string, hash: Uint8Array, place: RecordPlace): void;
  readonly size: number;
}

const WORDS = 4;

/**
 * An empty index, compact enough for millions of records: a Map from id to a slot, the slot's 128-bit hash and place in
 * typed arrays (28 bytes a record besides the Map entry and the id string: about 80 bytes a record for short ids).
 * Extra contents of an id (conflicting copies) go to a side table.
 */
export function createRecordIndex(): RecordIndex {
  const slots = new Map<string, number>();
  let hashes = new Uint32Array(1024 * WORDS);
  /** Partition of a log place, or -1 for an input place. */
  let partitions = new Int32Array(1024);
  /** Offset of a log place, or the index in `sources` of an input place. */
  let offsets = new Float64Array(1024);
  const sources: string[] = [];
  const extra = new Map<number, Uint8Array[]>();
  const word = (hash: Uint8Array, k: number) =>
    (hash[k * 4] | (hash[k * 4 + 1] << 8) | (hash[k * 4 + 2] << 16) | (hash[k * 4 + 3] << 24)) >>> 0;
  const holds = (slot: number, hash: Uint8Array) => {
    let same = true;
    for (let k = 0; k < WORDS && same; k++) same = hashes[slot * WORDS + k] === word(hash, k);
    if (same) return true;
    return (extra.get(slot) ?? []).some((h) => h.every((b, i) => b === hash[i]));
  };
  const grow = () => {
    const cap = partitions.length * 2;
    const h = new Uint32Array(cap * WORDS);
    h.set(hashes);
    hashes = h;
    const p = new Int32Array(cap);
    p.set(partitions);
    partitions = p;
    const o = new Float64Array(cap);
    o.set(offsets);
    offsets = o;
  };
  return {
    find(id, hash) {
      const slot = slots.get(id);
      if (slot === undefined) return undefined;
      const partition = partitions[slot];
      const place: RecordPlace =
        partition >= 0 ? { partition, offset: offsets[slot] } : { source: sources[offsets[slot]] };
      return { same: holds(slot, hash), place };
    },
    add(id, hash, place) {
      const slot = slots.get(id);
      if (slot !== undefined) {
        if (!holds(slot, hash)) extra.set(slot, [...(extra.get(slot) ?? []), Uint8Array.from(hash)]);
        return;
      }
      const next = slots.size;
      if (next >= partitions.length) grow();
      for (let k = 0; k < WORDS; k++) hashes[next * WORDS + k] = word(hash, k);
      if ('source' in place) {
        partitions[next] = -1;
        offsets[next] = sources.push(place.source) - 1;
      } else {
        partitions[next] = place.partition;
        offsets[next] = place.offset;
      }
      slots.set(id, next);
    },
    get size() {
      return slots.size;
    },
  };
}
