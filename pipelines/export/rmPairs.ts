import type { RmPair } from '../assemble/rmPairsOf.ts';
import { ASSISTANT_OPEN } from './assistantOpen.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { promptOf } from './promptOf.ts';
import { NO_CONTEXT } from './rowContext.ts';
import { rowHeadBytes } from './rowHeadBytes.ts';
import { MESSAGES } from './structures.ts';

/**
 * The paper's extra single-turn reward-model pairs, TRL RewardTrainer style: `prompt` (the context: the instruction
 * as a user message), `chosen` / `rejected` (one assistant message), with the ids, task, dataset and turns. With
 * --context trajectory, each action's own history after the instruction comes before it in `chosen` / `rejected`
 * (the two actions are from different turns, so only the instruction is shared).
 */
export const rmPairs: ExportFormat = {
  name: 'rm-pairs',
  kind: 'rm',
  description:
    'single-turn reward-model pairs: id, parent_id, task, dataset, prompt (context), chosen, rejected',
  columns: [
    ['id', '`<hash>_rm_<n>`'],
    ['parent_id', 'the instruction id'],
    ['task', 'Coding, Math_CoT, Math_PoT or Logic'],
    ['dataset', 'the source dataset'],
    ['prompt', 'messages: [system], the instruction (user)'],
    ['chosen', 'messages: [its history after the instruction, with --context trajectory], a correct action'],
    ['rejected', 'messages: [its history after the instruction], an incorrect action of another turn'],
    ['chosen_turn', 'turn of the chosen action (1-based)'],
    ['rejected_turn', 'turn of the rejected action'],
  ],
  accepts: { system: true, context: true },
  overLength: {
    measure: 'total',
    effect: "dropped by TRL's RewardTrainer (prompt + chosen or prompt + rejected over max_length)",
  },
  records: (row, ctx = NO_CONTEXT) => {
    const r = row as RmPair;
    const { prompt, chosenBefore, rejectedBefore } = promptOf(row, ctx);
    return [
      {
        id: r.id,
        parent_id: r.parentId,
        task: r.task,
        dataset: r.dataset,
        prompt,
        chosen: [...chosenBefore, { role: 'assistant', content: r.chosen }],
        rejected: [...rejectedBefore, { role: 'assistant', content: r.rejected }],
        chosen_turn: r.chosenTurn,
        rejected_turn: r.rejectedTurn,
      },
    ];
  },
  lines: (row, ctx = NO_CONTEXT) => {
    if (ctx !== NO_CONTEXT) return rmPairs.records(row, ctx).map((r) => JSON.stringify(r));
    const r = jsonOfRow(row);
    const rm = row as RmPair;
    return [
      `{"id":${r.id},"parent_id":${r.parentId},"task":${r.task},"dataset":${r.dataset},"prompt":[{"role":"user","content":${r.trajectory[0].value}}],"chosen":[{"role":"assistant","content":${r.chosen}}],"rejected":[{"role":"assistant","content":${r.rejected}}],"chosen_turn":${rm.chosenTurn},"rejected_turn":${rm.rejectedTurn}}`,
    ];
  },
  layout: (r, out) => {
    rowHeadBytes(r, out);
    out.parts(',"prompt":[{"role":"user","content":', r.trajectory[0].value, '}],"chosen":');
    out.parts(ASSISTANT_OPEN, r.chosen, '}],"rejected":', ASSISTANT_OPEN, r.rejected);
    out.ascii(`}],"chosen_turn":${r.chosenTurn},"rejected_turn":${r.rejectedTurn}}`);
  },
  structure: `{"id":"VARCHAR","parent_id":"VARCHAR","task":"VARCHAR","dataset":"VARCHAR","prompt":${MESSAGES},"chosen":${MESSAGES},"rejected":${MESSAGES},"chosen_turn":"INTEGER","rejected_turn":"INTEGER"}`,
};
