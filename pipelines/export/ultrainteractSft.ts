import type { SftExample } from '../../schemas/types.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { rowHeadBytes } from './rowHeadBytes.ts';

/** UltraInteract_sft rows: `id, parent_id, task, dataset, instruction, response`. */
export const ultrainteractSft: ExportFormat = {
  name: 'ultrainteract-sft',
  kind: 'sft',
  description: 'UltraInteract_sft rows: id, parent_id, task, dataset, instruction, response',
  columns: [
    ['id', '`<hash>_<depth>_<n>`: tree id, turn of the action, rank among correct actions of that turn'],
    ['parent_id', 'the instruction id'],
    ['task', 'Coding, Math_CoT, Math_PoT or Logic'],
    ['dataset', 'the source dataset'],
    ['instruction', 'the instruction (history dropped, as UltraInteract)'],
    ['response', 'a correct action (text)'],
  ],
  accepts: { system: false, context: false },
  overLength: { measure: 'total', effect: 'truncated by SFT trainers' },
  records: (row) => {
    const r = row as SftExample;
    return [
      {
        id: r.id,
        parent_id: r.parentId,
        task: r.task,
        dataset: r.dataset,
        instruction: r.instruction,
        response: r.response,
      },
    ];
  },
  lines: (row) => {
    const r = jsonOfRow(row);
    const instruction = r.trajectory[0].value;
    return [
      `{"id":${r.id},"parent_id":${r.parentId},"task":${r.task},"dataset":${r.dataset},"instruction":${instruction},"response":${r.chosen}}`,
    ];
  },
  layout: (r, out) => {
    rowHeadBytes(r, out);
    out.parts(',"instruction":', r.trajectory[0].value, ',"response":', r.chosen, '}');
  },
  structure:
    '{"id":"VARCHAR","parent_id":"VARCHAR","task":"VARCHAR","dataset":"VARCHAR","instruction":"VARCHAR","response":"VARCHAR"}',
};
