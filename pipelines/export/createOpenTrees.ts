import type { TreeEvent } from '../../schemas/types.ts';

/** Per-tree state kept while a replay is inside a tree (see createOpenTrees). */
export interface OpenTrees<T> {
  /** Call for every tree event, in log order, before using the state it may change. */
  observe(event: TreeEvent): void;
  /** The state of a tree, made on first use. */
  of(treeId: string): T;
  get(treeId: string): T | undefined;
}

/**
 * Remembers a state per open tree and forgets a tree at the first event after its TreeClosed: assemble decides a
 * tree's rows synchronously, so they are out by then, and a replay of millions of trees keeps only the open ones.
 */
export function createOpenTrees<T>(fresh: () => T): OpenTrees<T> {
  const trees = new Map<string, T>();
  let closing: string[] = [];
  return {
    observe(event) {
      if (closing.length) {
        for (const id of closing) trees.delete(id);
        closing = [];
      }
      if (event.payload.kind === 'TreeClosed') closing.push(event.treeId);
    },
    of(treeId) {
      let tree = trees.get(treeId);
      if (tree === undefined) {
        tree = fresh();
        trees.set(treeId, tree);
      }
      return tree;
    },
    get: (treeId) => trees.get(treeId),
  };
}
