import { adapters } from '../../connectors/sources/adapters.ts';
import { submitFile } from '../../connectors/sources/submitFile.ts';
import { ArboretumError } from '../../schemas/errors.ts';
import { DEFAULT_LOG, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { openLog } from '../openLog.ts';

const help = `arboretum submit — append instructions from a file to the log's instructions topic

Usage: arboretum submit FILE [--log URI] [--adapter NAME] [--math-task Math_CoT|Math_PoT]

FILE is .jsonl/.ndjson, .json (an array) or .parquet. --adapter reads a public dataset's row shape:
  ${Object.keys(adapters).join(', ')}   (default canonical: rows already in the Instruction shape)
Instructions are keyed by their tree id, so they land in the same partition as their tree's events.
A row that is not valid goes to the dead-letters topic naming FILE:LINE (or FILE:row N), the rest are appended;
exit 1 when any row was dead-lettered. Submitting the same file twice is harmless: grow opens each tree once.
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
      const { instructions, deadLetters } = await submitFile(log, positionals[0], {
        adapter: values.adapter,
        mathTask,
      });
      for (const d of deadLetters.slice(0, 20)) console.error(d.reason);
      if (deadLetters.length > 20) console.error(`… and ${deadLetters.length - 20} more`);
      console.error(
        `submitted ${instructions} instruction(s) to ${log.uri}` +
          (deadLetters.length
            ? `; ${deadLetters.length} row(s) to dead-letters (arboretum log read --topic dead-letters)`
            : ''),
      );
      return deadLetters.length ? 1 : 0;
    } finally {
      await log.close();
    }
  },
};
