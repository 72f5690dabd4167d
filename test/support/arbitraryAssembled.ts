import fc from 'fast-check';
import type { Assembled } from '../../pipelines/assemble/assembled.ts';

/**
 * Assembled rows of every kind (pairs, SFT rows, RM pairs) for property tests: texts from `text`, tree and row ids
 * from `treeId` / `rowId` (default `text`), trajectories of 1 to `maxTurns` utterances.
 */
export function arbitraryAssembled({
  text,
  treeId = text,
  rowId = text,
  maxTurns,
}: {
  text: fc.Arbitrary<string>;
  treeId?: fc.Arbitrary<string>;
  rowId?: fc.Arbitrary<string>;
  maxTurns?: number;
}): fc.Arbitrary<Assembled> {
  const head = { id: rowId, parentId: text, treeId, task: text, dataset: text };
  const trajectory = fc.array(fc.record({ from: fc.constantFrom('user', 'assistant'), value: text }), {
    minLength: 1,
    maxLength: maxTurns,
  });
  const pair = fc.record({
    ...head,
    turn: fc.integer({ min: 1, max: 9 }),
    trajectory,
    chosen: text,
    rejected: text,
    chosenNodeId: text,
    rejectedNodeId: text,
    chosenModel: text,
    rejectedModel: text,
  });
  const sft = fc.record({
    ...head,
    turn: fc.integer({ min: 1, max: 9 }),
    nodeId: text,
    model: text,
    instruction: text,
    response: text,
  });
  const rm = fc.record({
    ...head,
    instruction: text,
    chosen: text,
    rejected: text,
    chosenNodeId: text,
    rejectedNodeId: text,
    chosenTurn: fc.integer({ min: 1, max: 9 }),
    rejectedTurn: fc.integer({ min: 1, max: 9 }),
  });
  return fc.oneof(
    pair.map((row) => ({ kind: 'pair' as const, row })),
    sft.map((row) => ({ kind: 'sft' as const, row })),
    rm.map((row) => ({ kind: 'rm' as const, row })),
  );
}
