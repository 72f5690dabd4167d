import type { PreferencePair } from '../../schemas/types.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { rowHeadBytes } from './rowHeadBytes.ts';
import { UTTERANCES } from './structures.ts';
import { utterancesBytes } from './utterancesBytes.ts';

/** UltraInteract_pair rows: `id, parent_id, task, dataset, trajectory[{from, value}], chosen, rejected`. */
export const ultrainteractPair: ExportFormat = {
  name: 'ultrainteract-pair',
  kind: 'pair',
  description:
    'UltraInteract_pair rows: id, parent_id, task, dataset, trajectory[{from, value}], chosen, rejected',
  columns: [
    ['id', '`<hash>_<depth>_<n>`: tree id, turn of the pair, rank among the pairs of that turn'],
    ['parent_id', 'the instruction id'],
    ['task', 'Coding, Math_CoT, Math_PoT or Logic'],
    ['dataset', 'the source dataset'],
    ['trajectory', '[{from: user|assistant, value}]: instruction, then each earlier action and its feedback'],
    ['chosen', 'the correct action of the turn (text)'],
    ['rejected', 'an incorrect action of the same turn (text)'],
  ],
  accepts: { system: false, context: false },
  overLength: { measure: 'total', effect: 'truncated or dropped, depending on the trainer' },
  records: (row) => {
    const p = row as PreferencePair;
    return [
      {
        id: p.id,
        parent_id: p.parentId,
        task: p.task,
        dataset: p.dataset,
        trajectory: p.trajectory.map((u) => ({ from: u.from, value: u.value })),
        chosen: p.chosen,
        rejected: p.rejected,
      },
    ];
  },
  lines: (row) => {
    const r = jsonOfRow(row);
    const trajectory = r.trajectory.map((u) => `{"from":${u.from},"value":${u.value}}`).join(',');
    return [
      `{"id":${r.id},"parent_id":${r.parentId},"task":${r.task},"dataset":${r.dataset},"trajectory":[${trajectory}],"chosen":${r.chosen},"rejected":${r.rejected}}`,
    ];
  },
  layout: (r, out) => {
    rowHeadBytes(r, out);
    out.ascii(',"trajectory":[');
    utterancesBytes(r.trajectory, out, '{"from":', ',"value":');
    out.parts('],"chosen":', r.chosen, ',"rejected":', r.rejected, '}');
  },
  structure: `{"id":"VARCHAR","parent_id":"VARCHAR","task":"VARCHAR","dataset":"VARCHAR","trajectory":${UTTERANCES},"chosen":"VARCHAR","rejected":"VARCHAR"}`,
};
