import type { Assembled } from '../assemble/assembled.ts';

/** The JSON text (JSON.stringify, quotes included) of every string field of a row, computed once per row. */
export interface RowJson {
  readonly id: string;
  readonly parentId: string;
  readonly task: string;
  readonly dataset: string;
  /** Pairs: the trajectory's `from` and `value`; SFT and RM pairs: the instruction as one user utterance. */
  readonly trajectory: readonly { readonly from: string; readonly value: string }[];
  /** Pairs and RM pairs: chosen / rejected; SFT rows: the response, twice. */
  readonly chosen: string;
  readonly rejected: string;
}

const j = JSON.stringify;
const USER = j('user');
/**
 * Escaped long texts by their text, the most recent ones (up to MEMO_CHARS characters of texts and escapes, i.e.
 * 16-32 MiB, so memory stays bounded whatever the texts' sizes): the same action is a pair's chosen, its SFT row's
 * response and an RM pair's, and a rejected action is the assistant turn of every later history of its tree, so
 * each is escaped once. V8 keeps a string's hash in the string, so looking up the same decoded string again costs
 * no pass over it. Texts under 256 characters are escaped directly (cheaper than the lookup).
 */
const texts = new Map<string, string>();
const MEMO_CHARS = 8 << 20;
let memoChars = 0;
const textJson = (s: string): string => {
  if (s.length < 256) return j(s);
  let e = texts.get(s);
  if (e === undefined) {
    e = j(s);
    memoChars += s.length + e.length;
    if (memoChars > MEMO_CHARS) {
      texts.clear();
      memoChars = s.length + e.length;
    }
    texts.set(s, e);
  }
  return e;
};
type Escaped = { readonly from: string; readonly value: string };
/**
 * Escaped utterances by utterance object: historyOf shares a node's utterances between every history of its tree,
 * so a tree's instruction and earlier turns are escaped once, not once per pair below them.
 */
const escaped = new WeakMap<object, Escaped>();
const escapedOf = (u: { readonly from: string; readonly value: string }): Escaped => {
  let e = escaped.get(u);
  if (e === undefined) {
    e = { from: u.from === 'user' ? USER : j(u.from), value: textJson(u.value) };
    escaped.set(u, e);
  }
  return e;
};
let lastRow: unknown = null;
let lastJson: RowJson | null = null;

/**
 * The escaped fields of an assembled row, memoised for the last row asked: every format of one row shares one
 * escaping of its (large) texts instead of one each. Formats concatenate these pieces into their lines.
 */
export function jsonOfRow(row: Assembled['row']): RowJson {
  if (row === lastRow && lastJson) return lastJson;
  let json: RowJson;
  if ('trajectory' in row) {
    json = {
      id: j(row.id),
      parentId: j(row.parentId),
      task: j(row.task),
      dataset: j(row.dataset),
      trajectory: row.trajectory.map(escapedOf),
      chosen: textJson(row.chosen),
      rejected: textJson(row.rejected),
    };
  } else if ('response' in row) {
    const response = textJson(row.response);
    json = {
      id: j(row.id),
      parentId: j(row.parentId),
      task: j(row.task),
      dataset: j(row.dataset),
      trajectory: [{ from: USER, value: textJson(row.instruction) }],
      chosen: response,
      rejected: response,
    };
  } else {
    json = {
      id: j(row.id),
      parentId: j(row.parentId),
      task: j(row.task),
      dataset: j(row.dataset),
      trajectory: [{ from: USER, value: textJson(row.instruction) }],
      chosen: textJson(row.chosen),
      rejected: textJson(row.rejected),
    };
  }
  lastRow = row;
  lastJson = json;
  return json;
}
