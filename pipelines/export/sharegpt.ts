import type { PreferencePair } from '../../schemas/types.ts';
import type { ExportFormat } from './exportFormat.ts';
import { jsonOfRow } from './jsonOfRow.ts';
import { NO_CONTEXT } from './rowContext.ts';
import { UTTERANCES } from './structures.ts';

const ASSISTANT = JSON.stringify('assistant');
const ASSISTANT_BYTES = Buffer.from(ASSISTANT);
const speaker = (from: string) => (from === 'assistant' ? 'gpt' : 'human');

/**
 * LLaMA-Factory's ShareGPT ranking format: `conversations` (human/gpt), `chosen`, `rejected` ({from: gpt, value});
 * with --system-prompt, `conversations` opens with `{from: system}`, which LLaMA-Factory takes as the system prompt
 * (its default system_tag).
 */
export const sharegpt: ExportFormat = {
  name: 'sharegpt',
  kind: 'pair',
  description: 'LLaMA-Factory ShareGPT ranking: conversations [{from human|gpt, value}], chosen, rejected',
  columns: [
    ['conversations', '[{from: system}], then the trajectory so far: [{from: human|gpt, value}]'],
    ['chosen', '{from: gpt, value}: the correct action of the turn'],
    ['rejected', '{from: gpt, value}: an incorrect action of the same turn'],
  ],
  accepts: { system: true, context: false },
  overLength: { measure: 'total', effect: 'trimmed by LLaMA-Factory at cutoff_len (rows are kept)' },
  records: (row, ctx = NO_CONTEXT) => {
    const p = row as PreferencePair;
    return [
      {
        conversations: [
          ...(ctx.system === null ? [] : [{ from: 'system', value: ctx.system }]),
          ...p.trajectory.map((u) => ({ from: speaker(u.from), value: u.value })),
        ],
        chosen: { from: 'gpt', value: p.chosen },
        rejected: { from: 'gpt', value: p.rejected },
      },
    ];
  },
  lines: (row, ctx = NO_CONTEXT) => {
    if (ctx !== NO_CONTEXT) return sharegpt.records(row, ctx).map((r) => JSON.stringify(r));
    const r = jsonOfRow(row);
    const conversations = r.trajectory
      .map((u) => `{"from":${u.from === ASSISTANT ? '"gpt"' : '"human"'},"value":${u.value}}`)
      .join(',');
    return [
      `{"conversations":[${conversations}],"chosen":{"from":"gpt","value":${r.chosen}},"rejected":{"from":"gpt","value":${r.rejected}}}`,
    ];
  },
  layout: (r, out) => {
    out.ascii('{"conversations":[');
    for (let i = 0; i < r.trajectory.length; i++) {
      const u = r.trajectory[i];
      out.ascii(i ? ',{"from":' : '{"from":');
      out.parts(ASSISTANT_BYTES.equals(u.from) ? '"gpt","value":' : '"human","value":', u.value, '}');
    }
    out.parts(
      '],"chosen":{"from":"gpt","value":',
      r.chosen,
      '},"rejected":{"from":"gpt","value":',
      r.rejected,
      '}}',
    );
  },
  structure: `{"conversations":${UTTERANCES},"chosen":{"from":"VARCHAR","value":"VARCHAR"},"rejected":{"from":"VARCHAR","value":"VARCHAR"}}`,
};
