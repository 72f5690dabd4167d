import type { Utterance } from '../../schemas/types.ts';

/**
 * The history an action of a row's tree was written in (instruction, then each expanded ancestor's action and
 * feedback), by node id; null when not known.
 */
export type HistoryOf = (nodeId: string) => readonly Utterance[] | null;

/**
 * For each row emitted by assemble (the row object), how to get the histories of its tree's actions, computed only
 * when asked (exports with --context trajectory). A WeakMap, so rows stay plain data and are collected as usual.
 */
export const rowHistories = new WeakMap<object, HistoryOf>();
