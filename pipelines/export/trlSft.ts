import type { SftExample } from '../../schemas/types.ts';
import { ASSISTANT_OPEN } from './assistantOpen.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { promptOf } from './promptOf.ts';
import { NO_CONTEXT } from './rowContext.ts';
import { MESSAGES } from './structures.ts';

/**
 * TRL SFTTrainer, conversational prompt-completion: `prompt` (messages), `completion` (the correct action). TRL's
 * default for this layout (completion_only_loss) computes the loss on the completion alone, so the model trains on
 * the answer, not on the instruction — unlike `messages` rows, whose loss covers the whole sequence.
 */
export const trlSft: ExportFormat = {
  name: 'trl-sft',
  kind: 'sft',
  description: 'TRL supervised, prompt-completion: prompt (messages), completion (assistant message)',
  columns: [
    [
      'prompt',
      'messages: [system], then the instruction (user) — or with --context trajectory the history the action was written in',
    ],
    ['completion', 'one assistant message: a correct action'],
  ],
  accepts: { system: true, context: true },
  overLength: {
    measure: 'total',
    effect: "truncated by TRL's SFTTrainer (the end of the completion is cut)",
  },
  records: (row, ctx = NO_CONTEXT) => {
    const r = row as SftExample;
    return [{ prompt: promptOf(row, ctx).prompt, completion: [{ role: 'assistant', content: r.response }] }];
  },
  lines: (row, ctx = NO_CONTEXT) => {
    if (ctx !== NO_CONTEXT) return trlSft.records(row, ctx).map((r) => JSON.stringify(r));
    const r = jsonOfRow(row);
    return [
      `{"prompt":[{"role":"user","content":${r.trajectory[0].value}}],"completion":[{"role":"assistant","content":${r.chosen}}]}`,
    ];
  },
  layout: (r, out) => {
    out.parts('{"prompt":[{"role":"user","content":', r.trajectory[0].value, '}],"completion":');
    out.parts(ASSISTANT_OPEN, r.chosen, '}]}');
  },
  structure: `{"prompt":${MESSAGES},"completion":${MESSAGES}}`,
};
