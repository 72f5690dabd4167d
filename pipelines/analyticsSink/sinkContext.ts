/** What the sink knows of an event besides the event itself, for the columns of SINK_COLUMNS (genSinkTables). */
export interface SinkContext {
  /** The tree's task and dataset (null while its TreeOpened is not known). */
  readonly task: string | null;
  readonly dataset: string | null;
  /** The growth the event belongs to (Tree.generation once it is folded in). */
  readonly generation: number;
  /** VerdictReached: the grower's label when the record carries a re-verdict's fields instead; default its own. */
  readonly originalCorrect?: boolean;
}
