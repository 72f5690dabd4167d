import type { Tree } from './tree.ts';

/** The tree before any event: the seed of evolveTree. */
export function emptyTree(treeId: string): Tree {
  return {
    treeId,
    opened: null,
    openedAt: null,
    nodes: new Map(),
    closed: null,
    applied: 0,
    decisiveAt: 0,
    ignored: 0,
    generation: 0,
    since: -1,
    reopenable: false,
    validCorrect: 0,
    validIncorrect: 0,
  };
}
