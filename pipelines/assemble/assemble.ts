import { mergeMap, type OperatorFunction, pipe } from 'rxjs';
import type { TreeEvent } from '../../schemas/types.ts';
import type { Assembled } from './assembled.ts';
import { assembleTree } from './assembleTree.ts';
import { type DropDuplicateEventsOptions, dropDuplicateEvents } from './dropDuplicateEvents.ts';
import { emitDecided } from './emitDecided.ts';
import { groupByTree } from './groupByTree.ts';

/**
 * Tree events in, decided rows out: drop repeats, split by tree, fold each tree, emit each pair / SFT row as soon as
 * it is decided and the RM pairs at close, evict closed trees. Any interleaving of trees and any repetition of events
 * give the same rows per tree, in the same order per tree.
 */
export function assemble(
  options: DropDuplicateEventsOptions & {
    /** Make each row's tree histories available through rowHistories (exports with --context trajectory). */
    readonly histories?: boolean;
  } = {},
): OperatorFunction<TreeEvent, Assembled> {
  return pipe(
    dropDuplicateEvents(options),
    groupByTree(),
    mergeMap((tree) => tree.pipe(assembleTree(tree.key), emitDecided({ histories: options.histories }))),
  );
}
