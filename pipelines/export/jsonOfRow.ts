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
      trajectory: row.trajectory.map((u) => ({ from: j(u.from), value: j(u.value) })),
      chosen: j(row.chosen),
      rejected: j(row.rejected),
    };
  } else if ('response' in row) {
    const response = j(row.response);
    json = {
      id: j(row.id),
      parentId: j(row.parentId),
      task: j(row.task),
      dataset: j(row.dataset),
      trajectory: [{ from: USER, value: j(row.instruction) }],
      chosen: response,
      rejected: response,
    };
  } else {
    json = {
      id: j(row.id),
      parentId: j(row.parentId),
      task: j(row.task),
      dataset: j(row.dataset),
      trajectory: [{ from: USER, value: j(row.instruction) }],
      chosen: j(row.chosen),
      rejected: j(row.rejected),
    };
  }
  lastRow = row;
  lastJson = json;
  return json;
}
