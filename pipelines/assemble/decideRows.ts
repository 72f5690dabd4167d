import { ancestorsOf } from './ancestorsOf.ts';
import type { Assembled } from './assembled.ts';
import { historyOf } from './historyOf.ts';
import { pairCountOf } from './pairCountOf.ts';
import { pairDecisionsOf } from './pairDecisionsOf.ts';
import { pairOf } from './pairOf.ts';
import { rmPairsOf } from './rmPairsOf.ts';
import { type HistoryOf, rowHistories } from './rowHistories.ts';
import { sftDecisionsOf } from './sftDecisionsOf.ts';
import { sftRowOf } from './sftRowOf.ts';
import type { Tree } from './tree.ts';

/** What a tree's rows were when last decided, and the rows its newest state added. */
export interface Decided {
  /** Tree.decisiveAt when rows were last computed. */
  readonly decisiveAt: number;
  /** Tree.generation then: a reopened tree's new growth decides its rows afresh (the failed one decided none). */
  readonly generation: number;
  readonly pairs: number;
  readonly sft: number;
  readonly rm: boolean;
  /** Rows the last state decided, in emission order. */
  readonly out: readonly Assembled[];
}

/** Before a tree's first event: nothing decided. */
export const nothingDecided: Decided = { decisiveAt: 0, generation: 0, pairs: 0, sft: 0, rm: false, out: [] };

/** The histories of a tree's actions, computed only when asked (exports with --context trajectory). */
const historiesOf =
  (tree: Tree): HistoryOf =>
  (nodeId) => {
    const sampled = tree.nodes.get(nodeId)?.sampled;
    const ancestors = sampled ? ancestorsOf(tree, sampled.parentId) : null;
    return ancestors && tree.opened ? historyOf(tree.opened.instruction.instruction, ancestors) : null;
  };

/**
 * The rows a tree's newest state decides (pure reducer over a tree's successive states): each new pair and SFT row
 * once (the decision lists only grow, see pairDecisionsOf), and the RM pairs when the tree closes. Pairs before SFT
 * rows before RM pairs when one event decides several. A reopened tree (TreeReopened) starts over: its failed growth
 * decided no row, the new one decides its own, and its RM pairs at its own close. `histories` registers each row's
 * tree histories in rowHistories (for --context trajectory; it costs GC). `kinds` (default all) are the kinds of row
 * laid out: the others are neither built nor emitted (an export of pairs builds no SFT row).
 */
export function decideRows(
  previous: Decided,
  tree: Tree,
  histories: boolean,
  kinds?: ReadonlySet<Assembled['kind']>,
): Decided {
  // Only opening, closing, reopening, completing or expanding a node can decide rows (Tree.decisiveAt).
  if (tree.decisiveAt === previous.decisiveAt)
    return previous.out.length ? { ...previous, out: [] } : previous;
  const done = tree.generation === previous.generation ? previous : nothingDecided;
  const out: Assembled[] = [];
  const history = histories ? historiesOf(tree) : null;
  // A new pair needs a valid correct and a valid incorrect action not in a pair yet: the pairs of all sibling groups
  // number at most min(valid correct, valid incorrect) (Tree counts them), so only above the pairs decided can there
  // be a new one. A new SFT row needs a valid correct action not yet emitted. Most decisive events decide neither,
  // and pairCountOf walks every node (~1 µs a call inside a replay; on the 10K-tree bench log 43,893 decisive events
  // had a valid action of each kind, 15,891 pass this bound, 12,888 decided a pair); the decision lists cost more.
  let pairs = done.pairs;
  if (
    tree.validCorrect > done.pairs &&
    tree.validIncorrect > done.pairs &&
    (kinds === undefined || kinds.has('pair')) &&
    pairCountOf(tree) > done.pairs
  ) {
    const decided = pairDecisionsOf(tree);
    for (let i = done.pairs; i < decided.length; i++)
      out.push({ kind: 'pair', row: pairOf(tree, decided[i]) });
    pairs = decided.length;
  }
  let sft = done.sft;
  if (tree.validCorrect > done.sft && (kinds === undefined || kinds.has('sft'))) {
    const decided = sftDecisionsOf(tree);
    for (let i = done.sft; i < decided.length; i++)
      out.push({ kind: 'sft', row: sftRowOf(tree, decided[i]) });
    sft = decided.length;
  }
  if (history) for (const a of out) rowHistories.set(a.row, history);
  const closing = !done.rm && tree.closed !== null;
  if (closing && (kinds === undefined || kinds.has('rm'))) {
    for (const row of rmPairsOf(tree)) {
      if (history) rowHistories.set(row, history);
      out.push({ kind: 'rm', row });
    }
  }
  return {
    decisiveAt: tree.decisiveAt,
    generation: tree.generation,
    pairs,
    sft,
    rm: done.rm || closing,
    out,
  };
}
