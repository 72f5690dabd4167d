/**
 * The escaped fields of one row as UTF-8 bytes (each the JSON.stringify text of the field, quotes included), read
 * back from a spill: jsonOfRow's pieces as bytes, which formats copy into their lines after the sort instead of
 * building each line as a string, encoding it and spilling it once per format.
 */
export interface RowBytes {
  readonly id: Uint8Array;
  readonly parentId: Uint8Array;
  readonly task: Uint8Array;
  readonly dataset: Uint8Array;
  /** Pairs: the trajectory's `from` and `value`; SFT and RM pairs: the instruction as one user utterance. */
  readonly trajectory: readonly { readonly from: Uint8Array; readonly value: Uint8Array }[];
  /** The trajectory as chat messages, `[{"role":…,"content":…},…]` (messagesJson), built once when first read. */
  readonly messages: Uint8Array;
  /** Pairs and RM pairs: chosen / rejected; SFT rows: the response, twice. */
  readonly chosen: Uint8Array;
  readonly rejected: Uint8Array;
  /** RM pairs: the turns of the two actions (0 for other rows). */
  readonly chosenTurn: number;
  readonly rejectedTurn: number;
}
