import type { Tree } from '../assemble/tree.ts';

/** What the sink knows of a tree still open: its fold, the event ids it applied, the rows it already stored. */
export interface OpenTree {
  tree: Tree;
  readonly seen: Set<string>;
  pairs: number;
  sft: number;
  task: string | null;
  dataset: string | null;
  /** Changed since its rows were last decided. */
  dirty: boolean;
}

/** The sink's memory between batches: rebuilt from the DuckDB tables when a sync starts (see loadSinkState). */
export interface SinkState {
  /** Next offset to read per partition. */
  readonly positions: Map<number, number>;
  /**
   * Trees whose TreeClosed (solved or exhausted) is stored: every later event of theirs is dropped (nothing follows
   * TreeClosed). A tree closed `failed` stays in `open`: a TreeReopened may grow it again.
   */
  readonly closed: Set<string>;
  readonly open: Map<string, OpenTree>;
}
