import { Observable, type OperatorFunction } from 'rxjs';
import type { TreeEvent } from '../../schemas/types.ts';
import type { Assembled } from './assembled.ts';
import { type Decided, decideRows, nothingDecided } from './decideRows.ts';
import { emptyTree } from './emptyTree.ts';
import { evolveTree } from './evolveTree.ts';
import type { Tree } from './tree.ts';

export interface AssembleOptions {
  /** How many closed trees to remember, to drop their late repeats; default 100,000 (about 15 MB). */
  readonly closedTrees?: number;
  /** Make each row's tree histories available through rowHistories (exports with --context trajectory). */
  readonly histories?: boolean;
  /** The kinds of row wanted (default all): the others are never built (an export of pairs builds no SFT row). */
  readonly kinds?: readonly Assembled['kind'][];
}

/** An open tree: its fold so far and the rows it decided. */
interface Open {
  tree: Tree;
  decided: Decided;
}

/**
 * A tree closed `failed` that may be reopened, without its nodes: its rows are decided (it decided none), and a
 * TreeReopened starts the next growth without them (evolveTree), so they were only memory kept to the end of the
 * replay — and copied by every scavenge until promoted (bench/RESULTS.md 2026-12-01 18:50Z).
 */
function withoutNodes(tree: Tree): Tree {
  return {
    treeId: tree.treeId,
    opened: tree.opened,
    openedAt: tree.openedAt,
    nodes: new Map(),
    closed: tree.closed,
    applied: tree.applied,
    decisiveAt: tree.decisiveAt,
    ignored: tree.ignored,
    generation: tree.generation,
    since: tree.since,
    reopenable: tree.reopenable,
    validCorrect: tree.validCorrect,
    validIncorrect: tree.validIncorrect,
  };
}

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
 * of rows were the rest of the RxJS plumbing. State is per subscription (the operator stays cold).
 */
export function assemble(options: AssembleOptions = {}): OperatorFunction<TreeEvent, Assembled> {
  const { closedTrees = 100_000, histories = false } = options;
  const kinds = options.kinds ? new Set(options.kinds) : undefined;
  // Only the newest state of an open tree is kept, so its nodes map may be updated in place; rowHistories' closures
  // (histories) read a tree state later, so they get a map of their own each time.
  const evolve = { ownsNodes: !histories };
  return (source) =>
    new Observable<Assembled>((subscriber) => {
      const open = new Map<string, Open>();
      const closed = new Set<string>();
      return source.subscribe({
        next(event) {
          let rows: readonly Assembled[];
          try {
            const id = event.treeId;
            let t = open.get(id);
            if (t === undefined) {
              if (closed.has(id)) return;
              t = { tree: emptyTree(id), decided: nothingDecided };
              open.set(id, t);
            }
            const tree = evolveTree(t.tree, event, evolve);
            const moved = tree.decisiveAt !== t.tree.decisiveAt;
            t.tree = tree;
            if (!moved) return;
            t.decided = decideRows(t.decided, tree, histories, kinds);
            if (tree.closed !== null) {
              if (tree.reopenable) t.tree = withoutNodes(tree);
              else {
                open.delete(id);
                closed.add(id);
                if (closed.size > closedTrees) closed.delete(closed.values().next().value!);
              }
            }
            rows = t.decided.out;
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
