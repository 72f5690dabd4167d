import { mergeMap, type OperatorFunction, scan } from 'rxjs';
import { ancestorsOf } from './ancestorsOf.ts';
import type { Assembled } from './assembled.ts';
import { historyOf } from './historyOf.ts';
import { pairDecisionsOf } from './pairDecisionsOf.ts';
import { pairOf } from './pairOf.ts';
import { rmPairsOf } from './rmPairsOf.ts';
import { type HistoryOf, rowHistories } from './rowHistories.ts';
import { sftDecisionsOf } from './sftDecisionsOf.ts';
import { sftRowOf } from './sftRowOf.ts';
import type { Tree } from './tree.ts';

interface Emitted {
  /** Tree.decisiveAt when rows were last computed. */
  readonly decisiveAt: number;
  /** Tree.generation then: a reopened tree's new growth decides its rows afresh (the failed one decided none). */
  readonly generation: number;
  readonly pairs: number;
  readonly sft: number;
  readonly rm: boolean;
  readonly out: readonly Assembled[];
}

/** The histories of a tree's actions, computed only when asked (exports with --context trajectory). */
const historiesOf =
  (tree: Tree): HistoryOf =>
  (nodeId) => {
    const sampled = tree.nodes.get(nodeId)?.sampled;
    const ancestors = sampled ? ancestorsOf(tree, sampled.parentId) : null;
    return ancestors && tree.opened ? historyOf(tree.opened.instruction.instruction, ancestors) : null;
  };

const none: Emitted = { decisiveAt: 0, generation: 0, pairs: 0, sft: 0, rm: false, out: [] };

/**
 * Turns one tree's successive states into rows the moment they are decided: each new pair and SFT row once (the
 * decision lists only grow, see pairDecisionsOf), and the RM pairs when the tree closes. Pairs before SFT rows
 * before RM pairs when one event decides several. A reopened tree (TreeReopened) starts over: its failed growth
 * decided no row, the new one decides its own, and its RM pairs at its own close.
 */
export function emitDecided({
  histories = false,
}: {
  /** Register each row's tree histories in rowHistories (for --context trajectory); off by default: it costs GC. */
  readonly histories?: boolean;
} = {}): OperatorFunction<Tree, Assembled> {
  return (trees) =>
    trees.pipe(
      scan((previous: Emitted, tree: Tree): Emitted => {
        // Only opening, closing, reopening, completing or expanding a node can decide rows (Tree.decisiveAt).
        if (tree.decisiveAt === previous.decisiveAt)
          return previous.out.length ? { ...previous, out: [] } : previous;
        const done = tree.generation === previous.generation ? previous : none;
        const out: Assembled[] = [];
        const history = histories ? historiesOf(tree) : null;
        const pairs = pairDecisionsOf(tree);
        for (let i = done.pairs; i < pairs.length; i++)
          out.push({ kind: 'pair', row: pairOf(tree, pairs[i]) });
        const sft = sftDecisionsOf(tree);
        for (let i = done.sft; i < sft.length; i++) out.push({ kind: 'sft', row: sftRowOf(tree, sft[i]) });
        if (history) for (const a of out) rowHistories.set(a.row, history);
        const closing = !done.rm && tree.closed !== null;
        if (closing) {
          for (const row of rmPairsOf(tree)) {
            if (history) rowHistories.set(row, history);
            out.push({ kind: 'rm', row });
          }
        }
        return {
          decisiveAt: tree.decisiveAt,
          generation: tree.generation,
          pairs: pairs.length,
          sft: sft.length,
          rm: done.rm || closing,
          out,
        };
      }, none),
      mergeMap((done) => done.out),
    );
}
