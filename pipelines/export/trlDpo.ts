import type { PreferencePair } from '../../schemas/types.ts';
import { ASSISTANT_OPEN } from './assistantOpen.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { messagesJson } from './messagesJson.ts';
import { promptOf } from './promptOf.ts';
import { NO_CONTEXT } from './rowContext.ts';
import { MESSAGES } from './structures.ts';

/** TRL DPOTrainer, conversational with explicit prompt: `prompt` (history), `chosen`, `rejected` (assistant turns). */
export const trlDpo: ExportFormat = {
  name: 'trl-dpo',
  kind: 'pair',
  description: 'TRL preference, conversational: prompt (messages), chosen / rejected (one assistant message)',
  columns: [
    ['prompt', 'messages: [system], then the trajectory so far (instruction, earlier actions and feedback)'],
    ['chosen', 'one assistant message: the correct action of the turn'],
    ['rejected', 'one assistant message: an incorrect action of the same turn'],
  ],
  accepts: { system: true, context: false },
  overLength: { measure: 'prompt', effect: "dropped by TRL's DPOTrainer (prompt alone over max_length)" },
  records: (row, ctx = NO_CONTEXT) => {
    const p = row as PreferencePair;
    return [
      {
        prompt: promptOf(row, ctx).prompt,
        chosen: [{ role: 'assistant', content: p.chosen }],
        rejected: [{ role: 'assistant', content: p.rejected }],
      },
    ];
  },
  lines: (row, ctx = NO_CONTEXT) => {
    if (ctx !== NO_CONTEXT) return trlDpo.records(row, ctx).map((r) => JSON.stringify(r));
    const r = jsonOfRow(row);
    return [
      `{"prompt":${messagesJson(r.trajectory)},"chosen":[{"role":"assistant","content":${r.chosen}}],"rejected":[{"role":"assistant","content":${r.rejected}}]}`,
    ];
  },
  layout: (r, out) => {
    out.parts('{"prompt":', r.messages, ',"chosen":', ASSISTANT_OPEN, r.chosen);
    out.parts('}],"rejected":', ASSISTANT_OPEN, r.rejected, '}]}');
  },
  structure: `{"prompt":${MESSAGES},"chosen":${MESSAGES},"rejected":${MESSAGES}}`,
};
