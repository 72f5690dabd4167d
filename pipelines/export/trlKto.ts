import type { PreferencePair } from '../../schemas/types.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { messagesJson } from './messagesJson.ts';
import { messagesOf } from './messagesOf.ts';
import { MESSAGES } from './structures.ts';

/**
 * TRL KTOTrainer, unpaired and labelled: each pair gives two rows with its history as `prompt`, the chosen action
 * labelled true and the rejected one false — balanced desirable/undesirable, the setting where KTO beat DPO on
 * reasoning in the Eurus paper.
 */
export const trlKto: ExportFormat = {
  name: 'trl-kto',
  kind: 'pair',
  description:
    'TRL unpaired preference (KTO): prompt (messages), completion (assistant message), label (bool)',
  records: (row) => {
    const p = row as PreferencePair;
    const prompt = messagesOf(p.trajectory);
    return [
      { prompt, completion: [{ role: 'assistant', content: p.chosen }], label: true },
      { prompt, completion: [{ role: 'assistant', content: p.rejected }], label: false },
    ];
  },
  lines: (row) => {
    const r = jsonOfRow(row);
    const prompt = messagesJson(r.trajectory);
    return [
      `{"prompt":${prompt},"completion":[{"role":"assistant","content":${r.chosen}}],"label":true}`,
      `{"prompt":${prompt},"completion":[{"role":"assistant","content":${r.rejected}}],"label":false}`,
    ];
  },
  structure: `{"prompt":${MESSAGES},"completion":${MESSAGES},"label":"BOOLEAN"}`,
};
