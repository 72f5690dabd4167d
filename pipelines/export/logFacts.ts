import type { TreeEvent } from '../../schemas/types.ts';

/** What a replayed log says about how its data was made, for the dataset card. */
export interface LogFacts {
  readonly trees: number;
  /** Actor models by actions sampled, most first. */
  readonly actorModels: readonly (readonly [string, number])[];
  /** Critic models by critiques, most first. */
  readonly criticModels: readonly (readonly [string, number])[];
  /** Graders (with their version, as VerdictReached names them) by verdicts, most first. */
  readonly graders: readonly (readonly [string, number])[];
}

export interface LogFactsCollector {
  observe(event: TreeEvent): void;
  facts(): LogFacts;
}

const ranked = (m: Map<string, number>) =>
  [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

/** Counts models and graders over every event (a few small maps; no dates, so the card stays reproducible). */
export function createLogFacts(): LogFactsCollector {
  const trees = new Set<string>();
  const actors = new Map<string, number>();
  const critics = new Map<string, number>();
  const graders = new Map<string, number>();
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  return {
    observe(event) {
      const p = event.payload;
      switch (p.kind) {
        case 'TreeOpened':
          trees.add(event.treeId);
          break;
        case 'StrategySampled':
          add(actors, p.model);
          break;
        case 'CritiqueEmitted':
          add(critics, p.model);
          break;
        case 'VerdictReached':
          add(graders, p.grader);
          break;
      }
    },
    facts: () => ({
      trees: trees.size,
      actorModels: ranked(actors),
      criticModels: ranked(critics),
      graders: ranked(graders),
    }),
  };
}
