import { adapters } from '../../connectors/sources/adapters.ts';
import { submitFile } from '../../pipelines/append/submitFile.ts';
import { ArboretumError } from '../../schemas/errors.ts';
import { DEFAULT_LOG, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { openLog } from '../openLog.ts';
import { reportAppend } from '../reportAppend.ts';

const help = `arboretum submit — append instructions from a file to the log's instructions topic

Usage: arboretum submit FILE [--log URI] [--adapter NAME] [--math-task Math_CoT|Math_PoT]

FILE is .jsonl/.ndjson, .json (an array) or .parquet. --adapter reads a public dataset's row shape:
  ${Object.keys(adapters).join(', ')}   (default canonical: rows already in the Instruction shape)
Instructions are keyed by their tree id, so they land in the same partition as their tree's events.
A row that is not valid (not JSON, not UTF-8, not an instruction) goes to the dead-letters topic naming FILE:LINE
(or FILE:row N; the byte offset for bad UTF-8), the rest are appended; exit 1 when any row was not appended.
Resumable and idempotent: instructions are keyed by id, and one the log already holds with the same content is
skipped and counted, so submitting a file again (say after a crash) appends only what is missing. An id the log or
an earlier row already has with different content is a conflict: reported with FILE:LINE and the other copy's
place, dead-lettered, and not appended (exit 1); the rest still are. A UTF-8 byte order mark is dropped.
--log defaults to ${DEFAULT_LOG}.`;

export const command: Command = {
  name: 'submit',
  summary: 'append instructions from a file (jsonl/json/parquet, dataset adapters) to the log',
  help,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      log: { type: 'string', default: DEFAULT_LOG },
      adapter: { type: 'string', default: 'canonical' },
      'math-task': { type: 'string', default: 'Math_CoT' },
    });
    if (positionals.length !== 1) throw new ArboretumError('INVALID_INPUT', 'submit takes exactly one FILE');
    const mathTask = values['math-task'];
    if (mathTask !== 'Math_CoT' && mathTask !== 'Math_PoT') {
      throw new ArboretumError(
        'INVALID_INPUT',
        `--math-task must be Math_CoT or Math_PoT, got ${JSON.stringify(mathTask)}`,
      );
    }
    const log = await openLog(values.log!);
    try {
      const summary = await submitFile(log, positionals[0], { adapter: values.adapter, mathTask });
      return reportAppend(summary, 'submitted', `instruction(s) to ${log.uri}`);
    } finally {
      await log.close();
    }
  },
};
