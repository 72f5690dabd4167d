import type { PreferencePair } from '../../schemas/types.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { UTTERANCES } from './structures.ts';

/** UltraInteract_pair rows: `id, parent_id, task, dataset, trajectory[{from, value}], chosen, rejected`. */
export const ultrainteractPair: ExportFormat = {
  name: 'ultrainteract-pair',
  kind: 'pair',
  description:
    'UltraInteract_pair rows: id, parent_id, task, dataset, trajectory[{from, value}], chosen, rejected',
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
  structure: `{"id":"VARCHAR","parent_id":"VARCHAR","task":"VARCHAR","dataset":"VARCHAR","trajectory":${UTTERANCES},"chosen":"VARCHAR","rejected":"VARCHAR"}`,
};
