import { codecs, type RecordCodec } from '../../schemas/codec.ts';
import { treeIdOf } from '../../schemas/ids.ts';
import type { DeadLetter, Instruction, PreferencePair, SftExample, TreeEvent } from '../../schemas/types.ts';

/** A topic of the log: its name, the record it carries and how a record is keyed. */
export interface Topic<T> {
  readonly name: TopicName;
  readonly codec: RecordCodec<T>;
  /** Partitioning key: tree id for tree events, so a tree's events keep their order. */
  keyOf(value: T): string;
}

export type TopicName = 'instructions' | 'tree-events' | 'pairs' | 'sft' | 'dead-letters';

export const topics = {
  // Instructions are keyed by the tree id derived from them, so `instructions` and `tree-events` are co-partitioned.
  instructions: {
    name: 'instructions',
    codec: codecs.Instruction,
    keyOf: (i: Instruction) => treeIdOf(i.id),
  },
  treeEvents: { name: 'tree-events', codec: codecs.TreeEvent, keyOf: (e: TreeEvent) => e.treeId },
  pairs: { name: 'pairs', codec: codecs.PreferencePair, keyOf: (p: PreferencePair) => p.id },
  sft: { name: 'sft', codec: codecs.SftExample, keyOf: (s: SftExample) => s.id },
  deadLetters: {
    name: 'dead-letters',
    codec: codecs.DeadLetter,
    keyOf: (d: DeadLetter) => d.key ?? `${d.topic}:${d.partition}:${d.offset ?? d.source}`,
  },
} as const satisfies Record<string, Topic<any>>;

const byName = new Map<string, Topic<any>>(Object.values(topics).map((t) => [t.name, t]));

/** The topic of a name, or undefined. */
export function topicNamed(name: string): Topic<any> | undefined {
  return byName.get(name);
}

export const topicNames: readonly TopicName[] = Object.values(topics).map((t) => t.name);
