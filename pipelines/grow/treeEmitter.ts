import { eventIdOf } from '../../schemas/ids.ts';
import type { TreeEvent, TreeEventPayload } from '../../schemas/types.ts';
import { emptyGrowTree, evolveGrowTree, type GrowTree } from './growTree.ts';

/** Thrown by emit when the tree's partition went to another worker; ends that tree's loop quietly. */
export const REVOKED = new Error('partition revoked');

/** Payloads that are the result of an LLM call already asked (paid for): appended even after a revoke. */
const ANSWERS: ReadonlySet<string> = new Set(['AnswerReceived', 'CritiqueEmitted', 'CritiqueRejected']);

export interface TreeEmitterOptions {
  /** Appends events durably, in order (the batched log append). */
  readonly append: (events: readonly TreeEvent[]) => Promise<void>;
  /** The grower's trees, folded from the log; emit folds its events in once durable. */
  readonly trees: Map<string, GrowTree>;
  readonly owns: (treeId: string) => boolean;
  readonly writer: string;
  readonly now: () => number;
  /** Called after each durable append of a tree (acks of opened trees). */
  readonly appended?: (tree: GrowTree) => void;
}

/**
 * The deterministic id of a payload: a rejected critique's id names its attempt (there may be several a node); a
 * reopen and a reopened growth's close name their generation (`g<n>`), so each reopen and each close is a fact of its
 * own while a repeat of one keeps its id.
 */
const idOf = (treeId: string, generation: number, p: TreeEventPayload) =>
  eventIdOf(
    treeId,
    p.kind === 'CritiqueRejected'
      ? `${p.nodeId}#${p.attempt}`
      : p.kind === 'TreeReopened'
        ? `g${p.generation}`
        : p.kind === 'TreeClosed' && generation > 0
          ? `g${generation}`
          : 'nodeId' in p
            ? p.nodeId
            : null,
    p.kind,
  );

/**
 * Appends payloads as a tree's next events and folds them in once durable. One append of a tree is under way at a
 * time (seq is taken when the previous one is durable, so a tree's events keep a contiguous seq in log order); emits
 * asked meanwhile — a sibling's answer, the judgement of an earlier one — wait and go together in the tree's next
 * append, in the order they were asked. Emits of different trees run side by side and the batcher coalesces them.
 */
export function createTreeEmitter({ append, trees, owns, writer, now, appended }: TreeEmitterOptions) {
  interface Waiting {
    readonly payloads: readonly TreeEventPayload[];
    readonly resolve: (tree: GrowTree) => void;
    readonly reject: (e: unknown) => void;
  }
  const queues = new Map<string, Waiting[]>();
  const write = async (treeId: string, payloads: readonly TreeEventPayload[]): Promise<GrowTree> => {
    // Another worker owns the tree since the last rebalance: write nothing more to it, except the answers of calls
    // that were in flight (their intents are on the log): the new owner finds them there instead of asking again.
    if (!owns(treeId) && !payloads.every((p) => ANSWERS.has(p.kind))) throw REVOKED;
    let tree = trees.get(treeId) ?? emptyGrowTree(treeId);
    // A reopen starts its generation for the payloads after it (decide appends it alone; this keeps ids right anyway).
    let generation = tree.generation;
    const events: TreeEvent[] = [];
    for (const payload of payloads) {
      if (payload.kind === 'TreeReopened') generation = payload.generation;
      events.push({
        eventId: idOf(treeId, generation, payload),
        treeId,
        seq: tree.nextSeq + events.length,
        time: now(),
        writer,
        payload,
      });
    }
    await append(events);
    tree = trees.get(treeId) ?? tree;
    for (const e of events) tree = evolveGrowTree(tree, e);
    trees.set(treeId, tree);
    appended?.(tree);
    return tree;
  };
  const drain = async (treeId: string, queue: Waiting[]) => {
    while (queue.length) {
      const batch = queue.splice(0);
      try {
        const tree = await write(
          treeId,
          batch.flatMap((w) => w.payloads),
        );
        for (const w of batch) w.resolve(tree);
      } catch (e) {
        for (const w of batch) w.reject(e);
      }
    }
    queues.delete(treeId);
  };
  return (treeId: string, payloads: readonly TreeEventPayload[]): Promise<GrowTree> =>
    new Promise((resolve, reject) => {
      const queue = queues.get(treeId);
      if (queue) {
        queue.push({ payloads, resolve, reject });
        return;
      }
      const fresh: Waiting[] = [{ payloads, resolve, reject }];
      queues.set(treeId, fresh);
      void drain(treeId, fresh);
    });
}

export type TreeEmitter = ReturnType<typeof createTreeEmitter>;
