import { importUltraInteract } from '../../pipelines/import/importUltraInteract.ts';
import { ArboretumError } from '../../schemas/errors.ts';
import { DEFAULT_LOG, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { openLog } from '../openLog.ts';

const help = `arboretum import — turn public UltraInteract rows back into trees on the log

Usage:
  arboretum import ultrainteract [--pair FILE ...] [--sft FILE ...] [--log URI]

  --pair FILE   UltraInteract_pair rows (id, parent_id, task, dataset, trajectory, chosen, rejected)
  --sft FILE    UltraInteract_sft rows (id, parent_id, task, dataset, instruction, response)
                FILE is .jsonl (one row a line), .json (one array of rows) or .parquet; both flags may repeat.
  --log URI     ${DEFAULT_LOG} (default) or kafka://host:port[,host:port]

One closed tree per parent_id: each pair row becomes a correct and an incorrect action under the node its
trajectory continues; trajectory steps become expanded actions whose feedback ("Out: …\\nYour answer is wrong.\\n…")
is split into observation and critique; SFT rows reuse the matching chosen action or become turn-1 actions.
Original ids are kept, so \`arboretum export --format ultrainteract-pair\` gives the same rows back. Rows that
cannot be imported are reported as FILE:LINE: reason and go to the dead-letters topic (exit 1).`;

export const command: Command = {
  name: 'import',
  summary: 'turn public UltraInteract rows back into trees on the log',
  help,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      log: { type: 'string', default: DEFAULT_LOG },
      pair: { type: 'string', multiple: true },
      sft: { type: 'string', multiple: true },
    });
    if (positionals[0] !== 'ultrainteract' || positionals.length !== 1) {
      throw new ArboretumError(
        'INVALID_INPUT',
        `expected \`arboretum import ultrainteract --pair FILE --sft FILE\`, got ${JSON.stringify(positionals.join(' '))}`,
      );
    }
    if (!values.pair?.length && !values.sft?.length) {
      throw new ArboretumError('INVALID_INPUT', 'give at least one --pair or --sft file');
    }
    const log = await openLog(values.log!);
    try {
      const summary = await importUltraInteract({
        log,
        pairFiles: values.pair,
        sftFiles: values.sft,
        onProblem: (p) => console.error(`${p.source}: ${p.reason}`),
      });
      console.log(
        `imported ${summary.rows} rows as ${summary.trees} trees (${summary.events} events) into ${log.uri}` +
          (summary.problems ? `; ${summary.problems} rows not imported (see dead-letters)` : ''),
      );
      return summary.problems ? 1 : 0;
    } finally {
      await log.close();
    }
  },
};
