import type { PreferencePair } from '../../schemas/types.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { messagesJson } from './messagesJson.ts';
import { messagesOf } from './messagesOf.ts';
import { MESSAGES } from './structures.ts';

/** OpenAI preference fine-tuning (DPO): `input.messages`, `preferred_output`, `non_preferred_output`. */
export const openaiDpo: ExportFormat = {
  name: 'openai-dpo',
  kind: 'pair',
  description: 'OpenAI preference fine-tuning: input {messages}, preferred_output, non_preferred_output',
  records: (row) => {
    const p = row as PreferencePair;
    return [
      {
        input: { messages: messagesOf(p.trajectory) },
        preferred_output: [{ role: 'assistant', content: p.chosen }],
        non_preferred_output: [{ role: 'assistant', content: p.rejected }],
      },
    ];
  },
  lines: (row) => {
    const r = jsonOfRow(row);
    return [
      `{"input":{"messages":${messagesJson(r.trajectory)}},"preferred_output":[{"role":"assistant","content":${r.chosen}}],"non_preferred_output":[{"role":"assistant","content":${r.rejected}}]}`,
    ];
  },
  structure: `{"input":{"messages":${MESSAGES}},"preferred_output":${MESSAGES},"non_preferred_output":${MESSAGES}}`,
};
