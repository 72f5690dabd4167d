import type {
  AnswerReceived,
  CritiqueEmitted,
  CritiqueRejected,
  StrategySampled,
  TreeClosed,
  TreeOpened,
  TurnExecuted,
  VerdictReached,
} from '../../schemas/types.ts';

/**
 * One action of the actor at one turn, as far as the log has told so far: the one model of a node that assemble, grow
 * and the analytics sink read. Fields arrive with their events (StrategySampled → AnswerReceived → TurnExecuted →
 * VerdictReached, and CritiqueRejected / CritiqueEmitted when the node is expanded); each stays null (or empty) until
 * then. `…At` fields are the tree's clock (`Tree.applied`) when that fact became known: they order decisions within
 * a tree the same way on every replay, whatever the wall clock or the interleaving with other trees.
 */
export interface ActionNode {
  readonly nodeId: string;
  /**
   * StrategySampled with its prompt while the intent is unanswered (grow re-asks it with exactly that prompt); the
   * prompt is emptied once AnswerReceived or TurnExecuted is known (it is rebuilt from the ancestors; keeping it
   * would cost memory).
   */
  readonly sampled: StrategySampled | null;
  /** The raw answer, logged before judging (grow's answer-first record); its text is '' once TurnExecuted has it. */
  readonly answered: AnswerReceived | null;
  readonly executed: TurnExecuted | null;
  readonly verdict: VerdictReached | null;
  readonly critique: CritiqueEmitted | null;
  /** Critiques of this node the gate rejected, in attempt order (one per attempt); decide no row. */
  readonly rejected: readonly CritiqueRejected[];
  /** Clock when sampled, executed and verdict were all known; null until then. */
  readonly completeAt: number | null;
  /** Clock when the critique was known; null while the node is not expanded. */
  readonly critiquedAt: number | null;
}

/** A preference tree folded from its events by evolveTree. Immutable: every event gives a new Tree. */
export interface Tree {
  readonly treeId: string;
  readonly opened: TreeOpened | null;
  /** Clock when TreeOpened was applied. */
  readonly openedAt: number | null;
  /** Every node by id, in the order the log first named it. */
  readonly nodes: ReadonlyMap<string, ActionNode>;
  readonly closed: TreeClosed | null;
  /**
   * Number of events that changed the tree's rows' facts: the tree's clock. Repeats of a known fact do not count, nor
   * the grower's bookkeeping (AnswerReceived, CritiqueRejected: stored on the node, they decide no row).
   */
  readonly applied: number;
  /**
   * Clock of the last event that can decide rows: it opened or closed the tree, completed a node or expanded one.
   * Rows (pairs, SFT, RM pairs) depend on nothing else, so after any other event they are as before.
   */
  readonly decisiveAt: number;
  /** Events that were ignored: repeats of a known fact, or anything after TreeClosed. */
  readonly ignored: number;
  /**
   * The growth the nodes belong to: 0, then the generation of each TreeReopened honoured (a tree closed `failed` that
   * decided no row, grown again from turn 1; see evolveTree). Its nodes are the current growth's only.
   */
  readonly generation: number;
  /** seq of the TreeReopened that started this growth (-1 for the first): events before it are an older growth's. */
  readonly since: number;
  /**
   * Closed `failed` with no valid correct action in this growth, so it decided no row and a TreeReopened of the next
   * generation may grow it again (grow --retry-failed). Decided at TreeClosed, so a reader may drop the nodes then.
   */
  readonly reopenable: boolean;
  /** Valid actions (isValidAction) of this growth judged correct / incorrect: rows need one of each (pairs) or one. */
  readonly validCorrect: number;
  readonly validIncorrect: number;
}
