import type { PreferencePair } from '../../schemas/types.ts';
import type { ExportFormat } from './exportFormat.ts';
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
  structure: `{"prompt":${MESSAGES},"chosen":${MESSAGES},"rejected":${MESSAGES}}`,
};
