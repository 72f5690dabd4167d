import type { PreferencePair } from '../../schemas/types.ts';
import { ASSISTANT_OPEN } from './assistantOpen.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { messagesJson } from './messagesJson.ts';
import { promptOf } from './promptOf.ts';
import { NO_CONTEXT } from './rowContext.ts';
import { MESSAGES } from './structures.ts';

/**
 * TRL KTOTrainer, unpaired and labelled: each pair gives two rows with its history as `prompt`, the chosen action
 * labelled true and the rejected one false — balanced desirable/undesirable, the setting where KTO beat DPO on
 * reasoning in the Eurus paper. The file is spread (spreadLines) so rows sharing a prompt are far apart: TRL builds
 * each row's mismatched KL completion from its neighbour in a block of per_device_train_batch_size rows.
 */
export const trlKto: ExportFormat = {
  name: 'trl-kto',
  kind: 'pair',
  description:
    'TRL unpaired preference (KTO): prompt (messages), completion (assistant message), label (bool)',
  columns: [
    ['prompt', 'messages: [system], then the trajectory so far (instruction, earlier actions and feedback)'],
    ['completion', 'one assistant message: an action of the turn'],
    ['label', 'true for the correct (chosen) action, false for the incorrect (rejected) one'],
  ],
  accepts: { system: true, context: false },
  overLength: { measure: 'prompt', effect: "dropped by TRL's KTOTrainer (prompt alone over max_length)" },
  spread: true,
  records: (row, ctx = NO_CONTEXT) => {
    const p = row as PreferencePair;
    const { prompt } = promptOf(row, ctx);
    return [
      { prompt, completion: [{ role: 'assistant', content: p.chosen }], label: true },
      { prompt, completion: [{ role: 'assistant', content: p.rejected }], label: false },
    ];
  },
  lines: (row, ctx = NO_CONTEXT) => {
    if (ctx !== NO_CONTEXT) return trlKto.records(row, ctx).map((r) => JSON.stringify(r));
    const r = jsonOfRow(row);
    const prompt = messagesJson(r.trajectory);
    return [
      `{"prompt":${prompt},"completion":[{"role":"assistant","content":${r.chosen}}],"label":true}`,
      `{"prompt":${prompt},"completion":[{"role":"assistant","content":${r.rejected}}],"label":false}`,
    ];
  },
  layout: (r, out, sub) => {
    out.parts('{"prompt":', r.messages, ',"completion":', ASSISTANT_OPEN, sub === 0 ? r.chosen : r.rejected);
    out.ascii(sub === 0 ? '}],"label":true}' : '}],"label":false}');
  },
  structure: `{"prompt":${MESSAGES},"completion":${MESSAGES},"label":"BOOLEAN"}`,
};
