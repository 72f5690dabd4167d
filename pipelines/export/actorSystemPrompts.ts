import type { TreeEvent } from '../../schemas/types.ts';

/** The system prompts the actors grew under, as the log tells them (StrategySampled.prompt). */
export interface ActorSystemPrompts {
  /** Takes note of an event; call it for every tree event, in log order, before the rows it decides. */
  observe(event: TreeEvent): void;
  /**
   * The system prompt of a row whose action is `nodeId`: that action's own, unless it was given the reference
   * (role `ground-truth`: its system prompt holds the answer), then the first one of the tree that was not; null when
   * the log has none.
   */
  systemOf(treeId: string, nodeId: string): string | null;
}

interface TreePrompts {
  readonly byNode: Map<string, string | null>;
  fallback: string | null;
}

/**
 * Remembers each sampled action's system message per open tree (texts interned: most trees share a few), and forgets
 * a tree at the first event after its TreeClosed (the rows it decides are out by then, assemble being synchronous).
 */
export function createActorSystemPrompts(): ActorSystemPrompts {
  const trees = new Map<string, TreePrompts>();
  const interned = new Map<string, string>();
  let closing: string[] = [];
  return {
    observe(event) {
      if (closing.length) {
        for (const id of closing) trees.delete(id);
        closing = [];
      }
      const p = event.payload;
      if (p.kind === 'TreeClosed') {
        closing.push(event.treeId);
        return;
      }
      if (p.kind !== 'StrategySampled') return;
      const message = p.prompt.find((m) => m.role === 'system');
      let system: string | null = null;
      if (message) {
        system = interned.get(message.content) ?? message.content;
        if (!interned.has(system)) interned.set(system, system);
      }
      let tree = trees.get(event.treeId);
      if (!tree) {
        tree = { byNode: new Map(), fallback: null };
        trees.set(event.treeId, tree);
      }
      const withReference = p.role === 'ground-truth';
      tree.byNode.set(p.nodeId, withReference ? null : system);
      if (!withReference && tree.fallback === null) tree.fallback = system;
    },
    systemOf(treeId, nodeId) {
      const tree = trees.get(treeId);
      if (!tree) return null;
      return tree.byNode.get(nodeId) ?? tree.fallback;
    },
  };
}
