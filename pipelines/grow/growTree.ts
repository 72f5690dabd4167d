import type {
  AnswerReceived,
  CritiqueEmitted,
  CritiqueRejected,
  StrategySampled,
  TreeClosed,
  TreeEvent,
  TreeOpened,
  TreeReopened,
  TurnExecuted,
  VerdictReached,
} from '../../schemas/types.ts';
import { isValid } from './nextStep.ts';

/** What the log says about one action node, in the order the log first named it. */
export interface GrowNode {
  readonly nodeId: string;
  /** Kept with its prompt until answered: an intent without an answer is re-asked with exactly this prompt. */
  readonly sampled: StrategySampled | null;
  /** The raw answer, logged before judging; its text is dropped from memory once TurnExecuted carries it. */
  readonly answered: AnswerReceived | null;
  readonly executed: TurnExecuted | null;
  readonly verdict: VerdictReached | null;
  readonly critique: CritiqueEmitted | null;
  /** Critiques of this node the gate rejected, in attempt order. */
  readonly rejected: readonly CritiqueRejected[];
}

/** The grower's view of one tree, folded from its events (see evolveGrowTree). */
export interface GrowTree {
  readonly treeId: string;
  readonly opened: TreeOpened | null;
  readonly nodes: ReadonlyMap<string, GrowNode>;
  readonly closed: TreeClosed | null;
  /** seq of the next event this tree gets: one past the highest seen. */
  readonly nextSeq: number;
  /** The growth the nodes belong to: 0, then one more at each TreeReopened (see reopenable). */
  readonly generation: number;
  /** seq of the TreeReopened that started this growth (-1 for the first): earlier events belong to an older one. */
  readonly since: number;
  /**
   * Closed `failed` with no valid correct action in this growth, so it decided no row and may be reopened (grow
   * --retry-failed): the same rule as assemble's evolveTree. Such a tree keeps its TreeOpened to grow again.
   */
  readonly reopenable: boolean;
}

/** A tree nothing is known of yet. */
export const emptyGrowTree = (treeId: string): GrowTree => ({
  treeId,
  opened: null,
  nodes: new Map(),
  closed: null,
  nextSeq: 0,
  generation: 0,
  since: -1,
  reopenable: false,
});

/**
 * Folds one event into the grower's view of a tree (pure). The first fact of each kind per node wins, repeats (a
 * re-delivered event, same deterministic id) change nothing — the same reading as assemble's evolveTree. A closed
 * tree drops its nodes, and its instruction unless it is reopenable: the grower never needs them again, and a long
 * log stays cheap to hold. A TreeReopened of a reopenable tree, for the next generation, starts a new growth with no
 * node; events older than it (a re-delivery, by seq) are ignored.
 */
export function evolveGrowTree(tree: GrowTree, event: TreeEvent): GrowTree {
  if (event.treeId !== tree.treeId) return tree;
  const nextSeq = Math.max(tree.nextSeq, event.seq + 1);
  const p = event.payload;
  if (tree.closed !== null || event.seq < tree.since) {
    if (p.kind === 'TreeReopened' && startsGrowth(tree, p, event.seq)) {
      return {
        ...tree,
        closed: null,
        nodes: new Map(),
        nextSeq,
        generation: p.generation,
        since: event.seq,
        reopenable: false,
      };
    }
    return nextSeq === tree.nextSeq ? tree : { ...tree, nextSeq };
  }
  switch (p.kind) {
    case 'TreeOpened': {
      const { kind: _k, ...opened } = p;
      return { ...tree, opened: tree.opened ?? opened, nextSeq };
    }
    case 'TreeClosed': {
      const { kind: _k, ...closed } = p;
      const reopenable =
        closed.outcome === 'failed' &&
        ![...tree.nodes.values()].some((n) => isValid(n) && n.verdict!.correct);
      return {
        ...tree,
        opened: reopenable ? tree.opened : null,
        closed,
        nodes: new Map(),
        nextSeq,
        reopenable,
      };
    }
    // Open: nothing to reopen.
    case 'TreeReopened':
      return nextSeq === tree.nextSeq ? tree : { ...tree, nextSeq };
    default: {
      const node: GrowNode = tree.nodes.get(p.nodeId) ?? {
        nodeId: p.nodeId,
        sampled: null,
        answered: null,
        executed: null,
        verdict: null,
        critique: null,
        rejected: [],
      };
      const unchanged = nextSeq === tree.nextSeq ? tree : { ...tree, nextSeq };
      const nodes = new Map(tree.nodes);
      if (p.kind === 'CritiqueRejected') {
        const { kind: _k, ...fact } = p;
        if (node.critique !== null || node.rejected.some((r) => r.attempt === fact.attempt)) return unchanged;
        nodes.set(p.nodeId, { ...node, rejected: [...node.rejected, fact] });
        return { ...tree, nodes, nextSeq };
      }
      const { kind: _k, ...fact } = p;
      const field = (
        {
          StrategySampled: 'sampled',
          AnswerReceived: 'answered',
          TurnExecuted: 'executed',
          VerdictReached: 'verdict',
          CritiqueEmitted: 'critique',
        } as const
      )[p.kind];
      if (node[field] !== null) return unchanged;
      let next: GrowNode = { ...node, [field]: fact };
      // Once answered, a prompt is never needed again (only an unanswered intent is re-asked), and once judged the
      // raw text is in TurnExecuted: drop both from memory.
      if ((field === 'answered' || field === 'executed') && next.sampled && next.sampled.prompt.length)
        next = { ...next, sampled: { ...next.sampled, prompt: [] } };
      if (field === 'executed' && next.answered && next.answered.text)
        next = { ...next, answered: { ...next.answered, text: '' } };
      nodes.set(p.nodeId, next);
      return { ...tree, nodes, nextSeq };
    }
  }
}

/** A TreeReopened starts the next growth of a closed reopenable tree, once (a repeat or a stale one is ignored). */
const startsGrowth = (tree: GrowTree, p: TreeReopened, seq: number) =>
  tree.closed !== null && tree.reopenable && p.generation === tree.generation + 1 && seq > tree.since;
