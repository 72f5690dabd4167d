/**
 * The records of a topic by id, in memory: one string per id, `<hashes>\t<where>` — the content hashes seen for the id
 * (22 chars each; more than one when the log already holds conflicting copies) and where the first copy is
 * (`L<partition>:<offset>` on the log, `F<file:line>` in the input being appended). About 100 bytes an id.
 */
export interface RecordIndex {
  /** Where the record `id` first is, whether `hash` is a content it has there, or undefined when it is new. */
  find(
    id: string,
    hash: string,
  ): { readonly same: boolean; readonly onLog: boolean; readonly where: string } | undefined;
  /** Notes a record (a hash already noted for the id is not repeated). */
  add(id: string, hash: string, where: string): void;
  readonly size: number;
}

const HASH = 22;

/** An empty index. */
export function createRecordIndex(): RecordIndex {
  const entries = new Map<string, string>();
  return {
    find(id, hash) {
      const entry = entries.get(id);
      if (entry === undefined) return undefined;
      const tab = entry.indexOf('\t');
      let same = false;
      for (let i = 0; i < tab && !same; i += HASH) same = entry.startsWith(hash, i);
      return { same, onLog: entry[tab + 1] === 'L', where: entry.slice(tab + 2) };
    },
    add(id, hash, where) {
      const entry = entries.get(id);
      if (entry === undefined) entries.set(id, `${hash}\t${where}`);
      else if (!this.find(id, hash)!.same) entries.set(id, hash + entry);
    },
    get size() {
      return entries.size;
    },
  };
}
