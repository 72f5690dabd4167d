import { filter, mergeMap, type OperatorFunction, scan } from 'rxjs';
import type { Assembled } from './assembled.ts';
import { decideRows, nothingDecided } from './decideRows.ts';
import type { Tree } from './tree.ts';

/**
 * Turns one tree's successive states into rows the moment they are decided: `scan` over the pure decideRows (each
 * new pair and SFT row once, the RM pairs at close; a reopened tree starts over).
 */
export function emitDecided({
  histories = false,
}: {
  /** Register each row's tree histories in rowHistories (for --context trajectory); off by default: it costs GC. */
  readonly histories?: boolean;
} = {}): OperatorFunction<Tree, Assembled> {
  return (trees) =>
    trees.pipe(
      scan((previous, tree: Tree) => decideRows(previous, tree, histories), nothingDecided),
      // Most states decide nothing: no inner subscription for them.
      filter((d) => d.out.length > 0),
      mergeMap((d) => d.out),
    );
}
