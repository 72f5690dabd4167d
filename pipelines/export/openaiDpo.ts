import type { PreferencePair } from '../../schemas/types.ts';
import { ASSISTANT_OPEN } from './assistantOpen.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { messagesJson } from './messagesJson.ts';
import { promptOf } from './promptOf.ts';
import { NO_CONTEXT } from './rowContext.ts';
import { MESSAGES } from './structures.ts';

/** OpenAI preference fine-tuning (DPO): `input.messages`, `preferred_output`, `non_preferred_output`. */
export const openaiDpo: ExportFormat = {
  name: 'openai-dpo',
  kind: 'pair',
  description: 'OpenAI preference fine-tuning: input {messages}, preferred_output, non_preferred_output',
  columns: [
    ['input', '{messages}: [system], then the trajectory so far (instruction, earlier actions and feedback)'],
    ['preferred_output', 'one assistant message: the correct action of the turn'],
    ['non_preferred_output', 'one assistant message: an incorrect action of the same turn'],
  ],
  accepts: { system: true, context: false },
  overLength: { measure: 'total', effect: "rejected by OpenAI fine-tuning when over the model's context" },
  records: (row, ctx = NO_CONTEXT) => {
    const p = row as PreferencePair;
    return [
      {
        input: { messages: promptOf(row, ctx).prompt },
        preferred_output: [{ role: 'assistant', content: p.chosen }],
        non_preferred_output: [{ role: 'assistant', content: p.rejected }],
      },
    ];
  },
  lines: (row, ctx = NO_CONTEXT) => {
    if (ctx !== NO_CONTEXT) return openaiDpo.records(row, ctx).map((r) => JSON.stringify(r));
    const r = jsonOfRow(row);
    return [
      `{"input":{"messages":${messagesJson(r.trajectory)}},"preferred_output":[{"role":"assistant","content":${r.chosen}}],"non_preferred_output":[{"role":"assistant","content":${r.rejected}}]}`,
    ];
  },
  layout: (r, out) => {
    out.parts('{"input":{"messages":', r.messages, '},"preferred_output":', ASSISTANT_OPEN, r.chosen);
    out.parts('}],"non_preferred_output":', ASSISTANT_OPEN, r.rejected, '}]}');
  },
  structure: `{"input":{"messages":${MESSAGES}},"preferred_output":${MESSAGES},"non_preferred_output":${MESSAGES}}`,
};
