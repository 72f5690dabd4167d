import type { RmPair } from '../assemble/rmPairsOf.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { MESSAGES } from './structures.ts';

/**
 * The paper's extra single-turn reward-model pairs, TRL RewardTrainer style: `prompt` (the context: the instruction
 * as a user message), `chosen` / `rejected` (one assistant message), with the ids, task, dataset and turns.
 */
export const rmPairs: ExportFormat = {
  name: 'rm-pairs',
  kind: 'rm',
  description:
    'single-turn reward-model pairs: id, parent_id, task, dataset, prompt (context), chosen, rejected',
  records: (row) => {
    const r = row as RmPair;
    return [
      {
        id: r.id,
        parent_id: r.parentId,
        task: r.task,
        dataset: r.dataset,
        prompt: [{ role: 'user', content: r.instruction }],
        chosen: [{ role: 'assistant', content: r.chosen }],
        rejected: [{ role: 'assistant', content: r.rejected }],
        chosen_turn: r.chosenTurn,
        rejected_turn: r.rejectedTurn,
      },
    ];
  },
  lines: (row) => {
    const r = jsonOfRow(row);
    const rm = row as RmPair;
    return [
      `{"id":${r.id},"parent_id":${r.parentId},"task":${r.task},"dataset":${r.dataset},"prompt":[{"role":"user","content":${r.trajectory[0].value}}],"chosen":[{"role":"assistant","content":${r.chosen}}],"rejected":[{"role":"assistant","content":${r.rejected}}],"chosen_turn":${rm.chosenTurn},"rejected_turn":${rm.rejectedTurn}}`,
    ];
  },
  structure: `{"id":"VARCHAR","parent_id":"VARCHAR","task":"VARCHAR","dataset":"VARCHAR","prompt":${MESSAGES},"chosen":${MESSAGES},"rejected":${MESSAGES},"chosen_turn":"INTEGER","rejected_turn":"INTEGER"}`,
};
