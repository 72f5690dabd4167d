import type { SftExample } from '../../schemas/types.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { promptOf } from './promptOf.ts';
import { NO_CONTEXT } from './rowContext.ts';
import { MESSAGES } from './structures.ts';

/** OpenAI supervised fine-tuning (chat): `messages` = the instruction (user) and the correct action (assistant). */
export const openaiSft: ExportFormat = {
  name: 'openai-sft',
  kind: 'sft',
  description: 'OpenAI chat fine-tuning: messages [user instruction, assistant response]',
  columns: [
    [
      'messages',
      '[system], the instruction (user) — or with --context trajectory the history — then the correct action (assistant)',
    ],
  ],
  accepts: { system: true, context: true },
  overLength: {
    measure: 'total',
    effect: "truncated by TRL's SFTTrainer; OpenAI fine-tuning rejects rows over the model's context",
  },
  records: (row, ctx = NO_CONTEXT) => {
    const r = row as SftExample;
    return [{ messages: [...promptOf(row, ctx).prompt, { role: 'assistant', content: r.response }] }];
  },
  lines: (row, ctx = NO_CONTEXT) => {
    if (ctx !== NO_CONTEXT) return openaiSft.records(row, ctx).map((r) => JSON.stringify(r));
    const r = jsonOfRow(row);
    return [
      `{"messages":[{"role":"user","content":${r.trajectory[0].value}},{"role":"assistant","content":${r.chosen}}]}`,
    ];
  },
  layout: (r, out) => {
    out.parts('{"messages":[{"role":"user","content":', r.trajectory[0].value);
    out.parts('},{"role":"assistant","content":', r.chosen, '}]}');
  },
  structure: `{"messages":${MESSAGES}}`,
};
