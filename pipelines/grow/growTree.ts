import type {
  AnswerReceived,
  CritiqueEmitted,
  CritiqueRejected,
  StrategySampled,
  TreeClosed,
  TreeEvent,
  TreeOpened,
  TurnExecuted,
  VerdictReached,
} from '../../schemas/types.ts';

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
}

/** A tree nothing is known of yet. */
export const emptyGrowTree = (treeId: string): GrowTree => ({
  treeId,
  opened: null,
  nodes: new Map(),
  closed: null,
  nextSeq: 0,
});

/**
 * Folds one event into the grower's view of a tree (pure). The first fact of each kind per node wins, repeats (a
 * re-delivered event, same deterministic id) change nothing — the same reading as assemble's evolveTree. A closed
 * tree drops its instruction and nodes: the grower never needs them again, and a long log stays cheap to hold.
 */
export function evolveGrowTree(tree: GrowTree, event: TreeEvent): GrowTree {
  if (event.treeId !== tree.treeId) return tree;
  const nextSeq = Math.max(tree.nextSeq, event.seq + 1);
  if (tree.closed !== null) return nextSeq === tree.nextSeq ? tree : { ...tree, nextSeq };
  const p = event.payload;
  switch (p.kind) {
    case 'TreeOpened': {
      const { kind: _k, ...opened } = p;
      return { ...tree, opened: tree.opened ?? opened, nextSeq };
    }
    case 'TreeClosed': {
      const { kind: _k, ...closed } = p;
      return { ...tree, opened: null, closed, nodes: new Map(), nextSeq };
    }
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
