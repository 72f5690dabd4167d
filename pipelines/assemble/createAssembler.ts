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

/** Folds tree events one at a time (createAssembler); `add` returns the rows the event decided. */
export interface Assembler {
  /**
   * Folds one event and returns the rows it decided, in emission order (a shared empty array when none). Throws
   * what evolveTree or the row layouts throw; the assembler is then not to be used again.
   */
  add(event: TreeEvent): readonly Assembled[];
}

/** An open tree: its fold so far and the rows it decided. */
interface Open {
  tree: Tree;
  decided: Decided;
}

const NO_ROWS: readonly Assembled[] = Object.freeze([]);

/** What an evicted tree's record points at instead of its last state (see `evict`). */
const EVICTED: Tree = emptyTree('');

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
 * The fold behind assemble(), without RxJS: one map of open trees, each event folded by evolveTree and, when its
 * decisiveAt moved, its rows decided by decideRows; a closed tree evicted at its close. A caller that does other
 * work per event (exportLog) calls `add` from its own subscriber instead of adding an operator hop per event.
 * State is per assembler: make one per pass over a log.
 *
 * An evicted tree's state is cut loose from what stays: its node map emptied (when the assembler owns it) and its
 * record pointed at nothing. A record or map that lived long enough to be promoted stays in the old generation until
 * the next full GC, and everything it points at survives every scavenge until then — an evicted tree's nodes,
 * payloads and last rows were copied and promoted that way (`--trace-gc-nvp`, bench/RESULTS.md 2026-12-01 21:00Z).
 */
export function createAssembler(options: AssembleOptions = {}): Assembler {
  const { closedTrees = 100_000, histories = false } = options;
  const kinds = options.kinds ? new Set(options.kinds) : undefined;
  // Only the newest state of an open tree is kept, so its nodes map may be updated in place; rowHistories' closures
  // (histories) read a tree state later, so they get a map of their own each time.
  const evolve = { ownsNodes: !histories };
  const open = new Map<string, Open>();
  const closed = new Set<string>();
  return {
    add(event) {
      const id = event.treeId;
      let t = open.get(id);
      if (t === undefined) {
        if (closed.has(id)) return NO_ROWS;
        t = { tree: emptyTree(id), decided: nothingDecided };
        open.set(id, t);
      }
      const tree = evolveTree(t.tree, event, evolve);
      const moved = tree.decisiveAt !== t.tree.decisiveAt;
      t.tree = tree;
      if (!moved) return NO_ROWS;
      const decided = decideRows(t.decided, tree, histories, kinds);
      t.decided = decided;
      if (tree.closed !== null) {
        if (evolve.ownsNodes) (tree.nodes as Map<string, unknown>).clear();
        if (tree.reopenable) t.tree = withoutNodes(tree);
        else {
          open.delete(id);
          t.tree = EVICTED;
          t.decided = nothingDecided;
          closed.add(id);
          if (closed.size > closedTrees) closed.delete(closed.values().next().value!);
        }
      }
      return decided.out.length ? decided.out : NO_ROWS;
    },
  };
}
