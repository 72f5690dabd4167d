import { createHash, hash } from 'node:crypto';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Assembled } from '../assemble/assembled.ts';
import { bucketOf } from './bucketOf.ts';
import { createByteSink } from './byteSink.ts';
import { createLineTally, type LineTally } from './createLineTally.ts';
import { createDirectFile, DIRECT_ALIGN, type DirectFile } from './directFile.ts';
import type { ExportFormat } from './exportFormat.ts';
import { IntList } from './intList.ts';
import type { RowBytes } from './rowBytes.ts';
import type { RowLengths } from './rowLengthsOf.ts';
import { createRowSpill, type RowSpill } from './rowSpill.ts';
import { spillField } from './spillField.ts';
import { type Spread, spreadOf } from './spreadOf.ts';
import { turnOf } from './turnOf.ts';
import { utterancesBytes } from './utterancesBytes.ts';

/** Rows spilled once for any number of outputs, each laid out in its format after one sort. */
export interface SharedRows {
  /** Spills one decided row with its token lengths (rowLengthsOf, default context). */
  add(a: Assembled, lengths: RowLengths): void;
  /**
   * Writes every output (each through a temporary file renamed into place): the lines of its kind's rows in
   * canonical order (tree id, row id; repeats once), spread formats in their seeded spread order. Per output, in
   * the order given: the tally of what it wrote, and its spread (null unless spread).
   */
  finish(): Promise<{ readonly tally: LineTally; readonly spread: Spread | null }[]>;
  /** Removes the spill files (and any temporary output left by a failed finish). */
  dispose(): Promise<void>;
}

export interface SharedRowsOptions {
  /** Folder for the spill files (created inside it, removed by dispose). */
  readonly tempDir: string;
  /** The files to write and their formats (each laid out with the default context: see ExportFormat.layout). */
  readonly outputs: readonly { readonly format: ExportFormat; readonly path: string }[];
  /** Seed of the spread order (trl-kto); default 0. */
  readonly seed?: number;
  /** Spill buckets, a power of two ≤ 256; each must fit in memory when sorted. Default 64. */
  readonly buckets?: number;
  /** Bytes buffered per bucket file before a write; default 256 KiB. */
  readonly bufferBytes?: number;
  /** Bytes of spilled rows held in memory before buckets go to files (rowSpill); default 192 MiB. */
  readonly memoryBytes?: number;
  /** Bytes of a bucket's block in memory (rowSpill); default 256 KiB. */
  readonly blockBytes?: number;
  /** Bytes of each output's write buffer, a multiple of 8 KiB; default 4 MiB. */
  readonly outputBufferBytes?: number;
}

const TAB = 0x09;
const KIND = { pair: 'p', sft: 's', rm: 'r' } as const;
/** The fields before an utterance's value: a tab, its escaped `from`, a tab. */
const USER_UTTERANCE = Buffer.from(`\t${JSON.stringify('user')}\t`, 'latin1');
const ASSISTANT_UTTERANCE = Buffer.from(`\t${JSON.stringify('assistant')}\t`, 'latin1');
/** A tab as bytes: each `put` of a string goes through Buffer#write (~150 ns), ~9 a pair row. */
const TAB_BYTE = Buffer.from('\t', 'latin1');
const KIND_OF: Record<string, Assembled['kind']> = { p: 'pair', s: 'sft', r: 'rm' };
/** Header fields of a record before its escaped pieces (see add). */
const HEAD = 11;

/** A decimal integer written in `data` from `start` to `end` (a header field). */
const intAt = (data: Buffer, start: number, end: number) => {
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + data[i] - 48;
  return n;
};

/**
 * The shared spill of a multi-format export: each decided row is spilled once — its texts as JSON.stringify's UTF-8
 * (jsonOfRow's pieces, escapeJsonInto), tagged with its sort key, counts and token lengths — to one of `buckets`
 * buckets by tree (bucketOf), whatever number of outputs it feeds: in memory up to `memoryBytes`, then in each
 * bucket's file (rowSpill). At the end each bucket is sorted by (tree id, row id, kind) and stripped of repeats
 * once, and every output's line is laid out from the row's bytes (ExportFormat.layout: copies of the escaped
 * pieces between the format's punctuation) straight into that output's 4 MiB write buffer, written in whole pages
 * through O_DIRECT where the file system allows it (directFile). Before, each format built its line as a string,
 * encoded and spilled it, read it back and wrote it: 9 formats of 10K trees moved 586 MiB each way through 576
 * bucket files; now the spill holds each row's text once (~145 MiB, in memory).
 *
 * Spread formats (trl-kto) need another order: in the canonical pass each pair row gets its group (sha256 of seed
 * and prompt JSON) and each of its lines a seeded rank, with where the row lies in the spill; those small entries
 * are sorted and spread (spreadOf), and each line's row is read where it lies. Memory holds the spill's budget,
 * the write buffers, one bucket file at a time past the budget and the spread entries (~200 bytes a pair row).
 */
export async function createSharedRows(options: SharedRowsOptions): Promise<SharedRows> {
  const {
    outputs,
    seed = 0,
    buckets = 64,
    bufferBytes = 256 << 10,
    memoryBytes,
    blockBytes,
    outputBufferBytes = 4 << 20,
  } = options;
  const dir = await mkdtemp(join(options.tempDir, 'arboretum-rows-'));
  let spill: RowSpill | null = createRowSpill({ dir, buckets, memoryBytes, bufferBytes, blockBytes });
  const tmps = outputs.map((o) => `${o.path}.tmp-${process.pid}`);
  const spreadPairs = outputs.some((o) => o.format.spread && o.format.kind === 'pair');
  if (outputs.some((o) => o.format.spread && o.format.kind !== 'pair')) {
    throw new Error(
      'createSharedRows: only pair formats can be spread (their group is the prompt of a pair)',
    );
  }
  return {
    add(a, lengths) {
      const row = a.row;
      const b = bucketOf(row.treeId, buckets);
      if (spill === null) throw new Error('createSharedRows: add after finish');
      const turns = a.kind === 'rm' ? `${a.row.chosenTurn}\t${a.row.rejectedTurn}` : '0\t0';
      // Record: tree, id, kind, task, dataset, turn, prompt / chosen / rejected tokens, chosen / rejected turn,
      // then the escaped pieces (JSON.stringify's bytes, escaped straight into the spill buffer: no JS string of
      // the escaped text) id, parent id, task, dataset, chosen, [rejected: not for SFT, whose is its chosen], and
      // each utterance's from and value (SFT and RM rows: the instruction as one user utterance). Escaped JSON
      // holds no raw tab or newline.
      spill.put(
        `${spillField(row.treeId)}\t${spillField(row.id)}\t${KIND[a.kind]}\t${spillField(row.task)}\t${spillField(row.dataset)}\t${turnOf(a)}\t${lengths.prompt}\t${lengths.chosen}\t${lengths.rejected}\t${turns}\t`,
      );
      spill.putJson(row.id);
      spill.putBytes(TAB_BYTE);
      spill.putJson(row.parentId);
      spill.putBytes(TAB_BYTE);
      spill.putJson(row.task);
      spill.putBytes(TAB_BYTE);
      spill.putJson(row.dataset);
      spill.putBytes(TAB_BYTE);
      if (a.kind === 'sft') {
        spill.putJson(a.row.response);
        spill.putBytes(USER_UTTERANCE);
        spill.putJson(a.row.instruction);
      } else {
        spill.putJson(a.row.chosen);
        spill.putBytes(TAB_BYTE);
        spill.putJson(a.row.rejected);
        if (a.kind === 'rm') {
          spill.putBytes(USER_UTTERANCE);
          spill.putJson(a.row.instruction);
        } else {
          for (const u of a.row.trajectory) {
            spill.putBytes(
              u.from === 'user' ? USER_UTTERANCE : u.from === 'assistant' ? ASSISTANT_UTTERANCE : TAB_BYTE,
            );
            if (u.from !== 'user' && u.from !== 'assistant') {
              spill.putJson(u.from);
              spill.putBytes(TAB_BYTE);
            }
            spill.putJson(u.value);
          }
        }
      }
      spill.end(b);
    },
    async finish() {
      if (spill === null) throw new Error('createSharedRows: finish twice');
      const rows = spill;
      const files: DirectFile[] = [];
      try {
        const targets = outputs.map((o, i) => {
          // Page-aligned whole pages through O_DIRECT (directFile): the kernel's copy into fresh page-cache pages
          // was most of the output's cost.
          const file = createDirectFile(tmps[i]);
          files.push(file);
          const sink = createByteSink({
            write: (bytes, length) => file.write(bytes, length),
            bufferBytes: outputBufferBytes,
            align: DIRECT_ALIGN,
          });
          return { format: o.format, sink, tally: createLineTally() };
        });
        const byKind = (kind: Assembled['kind']) =>
          targets.filter((t) => t.format.kind === kind && !t.format.spread);
        const canonical = { pair: byKind('pair'), sft: byKind('sft'), rm: byKind('rm') };
        const spread = targets.filter((t) => t.format.spread);

        // Field boundaries of the record being read: tabs[i] is where field i ends.
        let tabs = new Int32Array(64);
        let fields = 0;
        const split = (data: Buffer, start: number, end: number) => {
          fields = 0;
          // Searched in a view ending with the record: after a record's last tab, a search of the whole spill
          // ran on into what follows it (up to the rest of a 192 MiB arena, most of it never written).
          const record = data.subarray(0, end);
          for (let at = record.indexOf(TAB, start); at !== -1; at = record.indexOf(TAB, at + 1)) {
            if (fields === tabs.length - 1) {
              const more = new Int32Array(tabs.length * 2);
              more.set(tabs);
              tabs = more;
            }
            tabs[fields++] = at;
          }
          tabs[fields++] = end;
        };
        const field = (data: Buffer, start: number, i: number) =>
          data.subarray(i ? tabs[i - 1] + 1 : start, tabs[i]);
        const num = (data: Buffer, i: number) => intAt(data, tabs[i - 1] + 1, tabs[i]);
        // A row's prompt as messages, laid out once for every format (and the spread group) that writes it.
        // Messages that fit the sink's buffer are used from it (no copy): each row's are laid out after the last
        // row's were used. Larger ones are flushed in parts, each copied.
        const MESSAGES_BYTES = 1 << 20;
        const laid: Buffer[] = [];
        let fits = false;
        const messagesSink = createByteSink({
          write: (bytes, length) =>
            laid.push(fits ? (bytes as Buffer).subarray(0, length) : Buffer.from(bytes.subarray(0, length))),
          bufferBytes: MESSAGES_BYTES,
        });
        const messagesOf = (trajectory: RowBytes['trajectory']): Buffer => {
          laid.length = 0;
          // Bytes the messages take: each utterance's pieces and at most 24 of punctuation, and the brackets.
          let room = 2;
          for (const u of trajectory) room += u.from.length + u.value.length + 24;
          fits = room <= MESSAGES_BYTES;
          messagesSink.ascii('[');
          utterancesBytes(trajectory, messagesSink, '{"role":', ',"content":');
          messagesSink.ascii(']');
          messagesSink.flush();
          return laid.length === 1 ? laid[0] : Buffer.concat(laid);
        };
        const rowOf = (data: Buffer, start: number, kind: Assembled['kind']): RowBytes => {
          const chosen = field(data, start, HEAD + 4);
          const rejected = kind === 'sft' ? chosen : field(data, start, HEAD + 5);
          const trajectory: { from: Uint8Array; value: Uint8Array }[] = [];
          for (let i = kind === 'sft' ? HEAD + 5 : HEAD + 6; i + 1 < fields; i += 2) {
            trajectory.push({ from: field(data, start, i), value: field(data, start, i + 1) });
          }
          let messages: Buffer | null = null;
          return {
            get messages() {
              messages ??= messagesOf(trajectory);
              return messages;
            },
            id: field(data, start, HEAD),
            parentId: field(data, start, HEAD + 1),
            task: field(data, start, HEAD + 2),
            dataset: field(data, start, HEAD + 3),
            chosen,
            rejected,
            trajectory,
            chosenTurn: num(data, 9),
            rejectedTurn: num(data, 10),
          };
        };

        // Spread entries, one a line: sort key (group digest then rank digest, one char a byte: byte order = hex order),
        // where its row lies, which completion, and what its tally adds.
        const keys: string[] = [];
        const tasks: string[] = [];
        const datasets: string[] = [];
        const at = { ref: new IntList(), sub: new IntList() };
        const counted = { turn: new IntList(), prompt: new IntList(), total: new IntList() };
        // One-shot hashes (crypto.hash): ~0.6 µs against ~2.5 µs for createHash().update().digest() on these small
        // inputs, three a pair row (createHash where Node lacks it: before 20.12).
        const digest: (data: string | Buffer) => string =
          typeof hash === 'function'
            ? (data) => hash('sha256', data, 'binary')
            : (data) => createHash('sha256').update(data).digest('binary');
        const seedLine = Buffer.from(`${seed}\n`);

        for (let b = 0; b < buckets; b++) {
          const keyed = rows.records(b).map((r) => {
            const i3 = r.data.indexOf(TAB, r.data.indexOf(TAB, r.data.indexOf(TAB, r.start) + 1) + 1);
            return {
              key: r.data.toString('utf8', r.start, i3),
              data: r.data,
              start: r.start,
              end: r.end,
              ref: r.ref,
            };
          });
          // The key ends with the kind: rows of one kind keep the order of (tree id, row id) alone.
          keyed.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
          let previous = '';
          for (const { key, data, start, end, ref } of keyed) {
            if (key === previous) continue;
            previous = key;
            const kind = KIND_OF[key[key.length - 1]];
            const outs = canonical[kind];
            if (!outs.length && !(spreadPairs && kind === 'pair')) continue;
            split(data, start, end);
            const task = data.toString('utf8', tabs[2] + 1, tabs[3]);
            const dataset = data.toString('utf8', tabs[3] + 1, tabs[4]);
            const turn = num(data, 5);
            const prompt = num(data, 6);
            const chosen = num(data, 7);
            const rejected = num(data, 8);
            const row = rowOf(data, start, kind);
            for (const t of outs) {
              t.format.layout(row, t.sink, 0);
              t.sink.ascii('\n');
              t.tally.add(task, dataset, turn, prompt, prompt + Math.max(chosen, rejected));
            }
            if (spreadPairs && kind === 'pair') {
              // The group of rows sharing a prompt: sha256 of the seed and the prompt's JSON (the trajectory as
              // messages), hashed from the escaped bytes; each line's rank: sha256 of the seed, row id and line.
              const group = digest(Buffer.concat([seedLine, row.messages]));
              const id = JSON.parse(data.toString('utf8', tabs[HEAD - 1] + 1, tabs[HEAD]));
              for (let sub = 0; sub < 2; sub++) {
                keys.push(group + digest(`${seed}\n${id}\n${sub}`));
                tasks.push(task);
                datasets.push(dataset);
                at.ref.push(ref);
                at.sub.push(sub);
                counted.turn.push(turn);
                counted.prompt.push(prompt);
                counted.total.push(prompt + (sub === 0 ? chosen : rejected));
              }
            }
          }
          if (!spreadPairs) rows.drop(b);
        }

        let spreadResult: Spread | null = null;
        if (spread.length) {
          const order = Array.from(keys.keys()).sort((x, y) =>
            keys[x] < keys[y] ? -1 : keys[x] > keys[y] ? 1 : 0,
          );
          const refs = at.ref.toArray();
          const subs = at.sub.toArray();
          const turns = counted.turn.toArray();
          const prompts = counted.prompt.toArray();
          const totals = counted.total.toArray();
          const lines: number[] = [];
          const groups = new IntList();
          let size = 0;
          for (let k = 0; k < order.length; k++) {
            const e = order[k];
            if (k && keys[e] === keys[order[k - 1]]) continue; // a repeated line
            if (size && keys[e].slice(0, 32) !== keys[lines[lines.length - 1]].slice(0, 32)) {
              groups.push(size);
              size = 0;
            }
            size++;
            lines.push(e);
            for (const t of spread) t.tally.add(tasks[e], datasets[e], turns[e], prompts[e], totals[e]);
          }
          if (size) groups.push(size);
          spreadResult = spreadOf(groups.toArray());
          const { width } = spreadResult;
          for (let c = 0; c < width; c++) {
            for (let k = c; k < lines.length; k += width) {
              const e = lines[k];
              const r = rows.recordAt(refs[e]);
              split(r.data, r.start, r.end);
              const row = rowOf(r.data, r.start, 'pair');
              for (const t of spread) {
                t.format.layout(row, t.sink, subs[e]);
                t.sink.ascii('\n');
              }
            }
          }
        }
        for (const t of targets) t.sink.flush();
        for (const file of files.splice(0)) file.close();
        for (let i = 0; i < outputs.length; i++) await rename(tmps[i], outputs[i].path);
        return targets.map((t) => ({
          tally: t.tally.result(),
          spread: t.format.spread ? spreadResult : null,
        }));
      } catch (e) {
        for (const file of files) file.close();
        for (const tmp of tmps) await rm(tmp, { force: true });
        throw e;
      } finally {
        rows.dispose();
        spill = null;
      }
    },
    async dispose() {
      spill?.dispose();
      spill = null;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
