import type { Utterance } from '../../schemas/types.ts';

/** A row of the public UltraInteract_pair data. */
export interface UiPairRow {
  readonly id: string;
  readonly parent_id: string;
  readonly task: string;
  readonly dataset: string;
  readonly trajectory: readonly Utterance[];
  readonly chosen: string;
  readonly rejected: string;
}

/** A row of the public UltraInteract_sft data. */
export interface UiSftRow {
  readonly id: string;
  readonly parent_id: string;
  readonly task: string;
  readonly dataset: string;
  readonly instruction: string;
  readonly response: string;
}

/** A row with where it came from (`file:line` or `file:row N`), for errors. */
export interface Located<T> {
  readonly row: T;
  readonly source: string;
  /** The row as read (JSON text), for dead letters. */
  readonly raw: string;
}

/** Rows of one instruction (one parent_id): they become one tree. */
export interface UiGroup {
  readonly parentId: string;
  readonly pairs: readonly Located<UiPairRow>[];
  readonly sft: readonly Located<UiSftRow>[];
}

/** A row that could not be imported, and why. */
export interface ImportProblem {
  readonly source: string;
  readonly reason: string;
  /** The row as read, when there is one (its bytes when they are not valid UTF-8). */
  readonly raw?: string | Uint8Array;
}
