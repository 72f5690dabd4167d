import type { SftExample } from '../../schemas/types.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { MESSAGES } from './structures.ts';

/** OpenAI supervised fine-tuning (chat): `messages` = the instruction (user) and the correct action (assistant). */
export const openaiSft: ExportFormat = {
  name: 'openai-sft',
  kind: 'sft',
  description: 'OpenAI chat fine-tuning: messages [user instruction, assistant response]',
  records: (row) => {
    const r = row as SftExample;
    return [
      {
        messages: [
          { role: 'user', content: r.instruction },
          { role: 'assistant', content: r.response },
        ],
      },
    ];
  },
  lines: (row) => {
    const r = jsonOfRow(row);
    return [
      `{"messages":[{"role":"user","content":${r.trajectory[0].value}},{"role":"assistant","content":${r.chosen}}]}`,
    ];
  },
  structure: `{"messages":${MESSAGES}}`,
};
