import type { TreeEvent } from '../../schemas/types.ts';
import { createOpenTrees } from './createOpenTrees.ts';

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
 * Remembers each sampled action's system message per open tree (createOpenTrees; texts interned: most trees share a
 * few).
 */
export function createActorSystemPrompts(): ActorSystemPrompts {
  const trees = createOpenTrees((): TreePrompts => ({ byNode: new Map(), fallback: null }));
  const interned = new Map<string, string>();
  return {
    observe(event) {
      trees.observe(event);
      const p = event.payload;
      if (p.kind !== 'StrategySampled') return;
      const message = p.prompt.find((m) => m.role === 'system');
      let system: string | null = null;
      if (message) {
        system = interned.get(message.content) ?? message.content;
        if (!interned.has(system)) interned.set(system, system);
      }
      const tree = trees.of(event.treeId);
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
