import { IntList } from './intList.ts';
import type { RowCounts } from './rowCounts.ts';

/** What an export's lines add up to: the card's counts and each line's prompt and total token lengths. */
export interface LineTally {
  readonly counts: RowCounts;
  readonly promptTokens: Int32Array;
  readonly totalTokens: Int32Array;
}

const byValue = <K extends string | number>(m: Map<K, number>): [K, number][] =>
  [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

/**
 * Counts lines as they are written (per task, dataset and turn, each sorted by its value) with their token lengths:
 * the one tally of the direct and the sorted line writers.
 */
export function createLineTally() {
  const byTask = new Map<string, number>();
  const byDataset = new Map<string, number>();
  const byTurn = new Map<number, number>();
  let total = 0;
  const promptTokens = new IntList();
  const totalTokens = new IntList();
  return {
    add(task: string, dataset: string, turn: number, prompt: number, all: number): void {
      byTask.set(task, (byTask.get(task) ?? 0) + 1);
      byDataset.set(dataset, (byDataset.get(dataset) ?? 0) + 1);
      byTurn.set(turn, (byTurn.get(turn) ?? 0) + 1);
      total++;
      promptTokens.push(prompt);
      totalTokens.push(all);
    },
    result(): LineTally {
      return {
        counts: { total, byTask: byValue(byTask), byDataset: byValue(byDataset), byTurn: byValue(byTurn) },
        promptTokens: promptTokens.toArray(),
        totalTokens: totalTokens.toArray(),
      };
    },
  };
}
