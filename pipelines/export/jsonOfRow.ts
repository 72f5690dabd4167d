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
type Escaped = { readonly from: string; readonly value: string };
/**
 * Escaped utterances by utterance object: historyOf shares a node's utterances between every history of its tree,
 * so a tree's instruction and earlier turns are escaped once, not once per pair below them.
 */
const escaped = new WeakMap<object, Escaped>();
const escapedOf = (u: { readonly from: string; readonly value: string }): Escaped => {
  let e = escaped.get(u);
  if (e === undefined) {
    e = { from: u.from === 'user' ? USER : j(u.from), value: j(u.value) };
    escaped.set(u, e);
  }
  return e;
};
/** The instruction's escaped text, for the SFT / RM rows of one tree (a one-entry memo: rows of a tree come together). */
let lastInstruction: string | null = null;
let lastInstructionJson = '';
const instructionJson = (s: string): string => {
  if (s !== lastInstruction) {
    lastInstruction = s;
    lastInstructionJson = j(s);
  }
  return lastInstructionJson;
};
let lastRow: unknown = null;
let lastJson: RowJson | null = null;

/**
 * The escaped fields of an assembled row, memoised for the last row asked: every format of one row shares one
 * escaping of its (large) texts instead of one each. Formats concatenate these pieces into their lines.
 */
export function jsonOfRow(row: Assembled['row']): RowJson {
  if (row === lastRow && lastJson) return lastJson;
  // Every row kind shares the header; a pair carries its trajectory and both actions, an SFT row its response as
  // both, an RM pair (instruction only) its two actions. Literals, not `{ ...head, … }`: a spread into a literal
  // cost ~13 µs a call in V8 (bench/RESULTS.md, 18:50Z), a literal well under 0.1 µs. Same keys, same order.
  const id = j(row.id);
  const parentId = j(row.parentId);
  const task = j(row.task);
  const dataset = j(row.dataset);
  let json: RowJson;
  if ('trajectory' in row) {
    const trajectory = row.trajectory.map(escapedOf);
    json = { id, parentId, task, dataset, trajectory, chosen: j(row.chosen), rejected: j(row.rejected) };
  } else {
    const trajectory = [{ from: USER, value: instructionJson(row.instruction) }];
    if ('response' in row) {
      const response = j(row.response);
      json = { id, parentId, task, dataset, trajectory, chosen: response, rejected: response };
    } else {
      const chosen = j(row.chosen);
      json = { id, parentId, task, dataset, trajectory, chosen, rejected: j(row.rejected) };
    }
  }
  lastRow = row;
  lastJson = json;
  return json;
}
