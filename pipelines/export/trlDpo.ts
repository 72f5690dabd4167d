import type { PreferencePair } from '../../schemas/types.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { messagesJson } from './messagesJson.ts';
import { messagesOf } from './messagesOf.ts';
import { MESSAGES } from './structures.ts';

/** TRL DPOTrainer, conversational with explicit prompt: `prompt` (history), `chosen`, `rejected` (assistant turns). */
export const trlDpo: ExportFormat = {
  name: 'trl-dpo',
  kind: 'pair',
  description: 'TRL preference, conversational: prompt (messages), chosen / rejected (one assistant message)',
  records: (row) => {
    const p = row as PreferencePair;
    return [
      {
        prompt: messagesOf(p.trajectory),
        chosen: [{ role: 'assistant', content: p.chosen }],
        rejected: [{ role: 'assistant', content: p.rejected }],
      },
    ];
  },
  lines: (row) => {
    const r = jsonOfRow(row);
    return [
      `{"prompt":${messagesJson(r.trajectory)},"chosen":[{"role":"assistant","content":${r.chosen}}],"rejected":[{"role":"assistant","content":${r.rejected}}]}`,
    ];
  },
  structure: `{"prompt":${MESSAGES},"chosen":${MESSAGES},"rejected":${MESSAGES}}`,
};
