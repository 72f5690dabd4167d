import type { PreferencePair } from '../../schemas/types.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { UTTERANCES } from './structures.ts';

const ASSISTANT = JSON.stringify('assistant');
const speaker = (from: string) => (from === 'assistant' ? 'gpt' : 'human');

/** LLaMA-Factory's ShareGPT ranking format: `conversations` (human/gpt), `chosen`, `rejected` ({from: gpt, value}). */
export const sharegpt: ExportFormat = {
  name: 'sharegpt',
  kind: 'pair',
  description: 'LLaMA-Factory ShareGPT ranking: conversations [{from human|gpt, value}], chosen, rejected',
  records: (row) => {
    const p = row as PreferencePair;
    return [
      {
        conversations: p.trajectory.map((u) => ({ from: speaker(u.from), value: u.value })),
        chosen: { from: 'gpt', value: p.chosen },
        rejected: { from: 'gpt', value: p.rejected },
      },
    ];
  },
  lines: (row) => {
    const r = jsonOfRow(row);
    const conversations = r.trajectory
      .map((u) => `{"from":${u.from === ASSISTANT ? '"gpt"' : '"human"'},"value":${u.value}}`)
      .join(',');
    return [
      `{"conversations":[${conversations}],"chosen":{"from":"gpt","value":${r.chosen}},"rejected":{"from":"gpt","value":${r.rejected}}}`,
    ];
  },
  structure: `{"conversations":${UTTERANCES},"chosen":{"from":"VARCHAR","value":"VARCHAR"},"rejected":{"from":"VARCHAR","value":"VARCHAR"}}`,
};
