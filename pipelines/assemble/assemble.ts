import { Observable, type OperatorFunction } from 'rxjs';
import type { TreeEvent } from '../../schemas/types.ts';
import type { Assembled } from './assembled.ts';
import { type AssembleOptions, createAssembler } from './createAssembler.ts';

export type { AssembleOptions } from './createAssembler.ts';

/**
 * Tree events in, decided rows out: fold each tree (evolveTree), emit each pair / SFT row as soon as it is decided
 * and the RM pairs at close (decideRows), evict closed trees. Any interleaving of trees and any repetition of events
 * give the same rows per tree, in the same order per tree.
 *
 * Repeats need no event-id memory while a tree is open: evolveTree counts each fact once (the same rule as its
 * deterministic event id). A closed tree is evicted at its TreeClosed (memory follows the open trees) and its id kept
 * in a first-in-first-out memory of `closedTrees`, so its late repeats are dropped rather than starting a tree again;
 * a repeat of a tree closed longer ago than that memory starts a new tree (export sinks drop repeated row ids). A tree
 * closed `failed` with no valid correct action (Tree.reopenable) stays, without its nodes, until the source
 * completes: a TreeReopened may grow it again (grow --retry-failed). Any other closed tree is evicted at its close
 * (evolveTree ignores everything after it).
 *
 * One map of open trees rather than groupBy → scan(evolveTree) → scan(decideRows) per tree (emitDecided): the same
 * two pure reducers, without a Subject, three subscribers and a duration stream per tree and an inner subscription
 * per event, which cost more than the folding itself (profile of bench/assemble.ts, pipelines/assemble/README.md).
 * One subscriber, not map → filter → mergeMap: three operator hops per event and an inner subscription per batch
 * of rows were the rest of the RxJS plumbing. The fold is createAssembler's; state is per subscription (the operator
 * stays cold).
 */
export function assemble(options: AssembleOptions = {}): OperatorFunction<TreeEvent, Assembled> {
  return (source) =>
    new Observable<Assembled>((subscriber) => {
      const assembler = createAssembler(options);
      return source.subscribe({
        next(event) {
          let rows: readonly Assembled[];
          try {
            rows = assembler.add(event);
          } catch (e) {
            subscriber.error(e);
            return;
          }
          // Downstream operators catch their own errors (they become error notifications), so no try here.
          for (let i = 0; i < rows.length; i++) subscriber.next(rows[i]);
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}
