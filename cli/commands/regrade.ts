import { createCas } from '../../connectors/sandbox/createCas.ts';
import { createSandbox } from '../../connectors/sandbox/createSandbox.ts';
import { createGrader } from '../../pipelines/grade/createGrader.ts';
import { graderVersion } from '../../pipelines/grade/graderVersion.ts';
import { type ParsedAction, parseAction } from '../../pipelines/grade/parseAction.ts';
import { createGradeJudge } from '../../pipelines/grow/createGradeJudge.ts';
import { regradeLog } from '../../pipelines/regrade/regradeLog.ts';
import { ArboretumError } from '../../schemas/errors.ts';
import type { Task } from '../../schemas/types.ts';
import { DEFAULT_LOG, intFlag, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { openLog } from '../openLog.ts';

const TASKS: readonly Task[] = ['Coding', 'Math_CoT', 'Math_PoT', 'Logic'];

const help = `arboretum regrade — re-run today's graders over every logged action, append the labels that changed

Usage:
  arboretum regrade [--log URI] [--task T] [--dataset D] [--dry-run] [--concurrency N] [--python PATH] [--unsafe]

Every action on the log (its text, parsed again; its code run after the code of its expanded ancestors, as the
grower ran it) is graded again by today's graders (${graderVersion.combined}) in the sandbox. Where the label
(correct or not) differs from the node's newest verdict, a new VerdictReached is appended with the grader version
in its event id; nothing else is written and no LLM is called. Exports, analytics and the report take each node's
newest verdict, so they rebuild with the corrected labels (analytics rebuilds its tables on the next sync).
Running it again with the same graders adds nothing; a run that died resumes where it stopped.

  --task T          only trees of one task (${TASKS.join(', ')})
  --dataset D       only trees of one source dataset
  --dry-run         grade and count, append nothing
  --concurrency N   trees graded at once (default 2)
  --unsafe          run the sandbox and sympy WITHOUT isolation where bubblewrap is unavailable
  --log URI         ${DEFAULT_LOG} (default) or kafka://host:port[,host:port]

On the file log, run it while no grower writes to the same log (one writer per topic).`;

export const command: Command = {
  name: 'regrade',
  summary: "re-run today's graders over the logged actions; append the verdicts that changed",
  help,
  async run(argv) {
    const { values } = parseFlags(argv, {
      log: { type: 'string', default: DEFAULT_LOG },
      task: { type: 'string' },
      dataset: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      python: { type: 'string' },
      unsafe: { type: 'boolean', default: false },
    });
    const task = values.task as Task | undefined;
    if (task !== undefined && !TASKS.includes(task))
      throw new ArboretumError(
        'INVALID_INPUT',
        `regrade: --task must be one of ${TASKS.join(', ')}, got ${JSON.stringify(values.task)}`,
      );
    const concurrency = intFlag('concurrency', values.concurrency, 2);
    const log = await openLog(values.log!);
    // The environment only: sandbox, CAS and graders. No LLM client is constructed by this command.
    const sandbox = createSandbox({
      python: values.python,
      unsafe: values.unsafe,
      concurrency: Math.max(2, concurrency),
    });
    const cas = createCas({ python: values.python, unsafe: values.unsafe });
    const grader = createGrader({ sandbox, cas });
    const judge = createGradeJudge<ParsedAction>({
      sandbox,
      parse: parseAction,
      grade: (i, a) => grader.grade(i, a),
    });
    const start = performance.now();
    try {
      const s = await regradeLog({
        log,
        judge,
        graderVersion: graderVersion.combined,
        versionOf: (g) => (graderVersion as Record<string, string>)[g] ?? '',
        task,
        dataset: values.dataset,
        concurrency,
        dryRun: values['dry-run'],
        onTree: (p) => process.stderr.write(`\r${p.trees} trees, ${p.actions} actions, ${p.changed} changed`),
      });
      process.stderr.write('\n');
      const seconds = (performance.now() - start) / 1000;
      console.log(
        `regrade ${s.graderVersion}: ${s.trees} trees, ${s.actions} actions graded in ${seconds.toFixed(1)} s; ` +
          `${s.changed} labels changed (${s.toCorrect} to correct, ${s.toIncorrect} to incorrect); ` +
          `${values['dry-run'] ? 'dry run, nothing appended' : `${s.appended} verdicts appended`}; ` +
          `${s.skipped} actions without a gradable answer skipped`,
      );
      const more = (n: number, ids: readonly string[]) => `${ids.join(', ')}${n > ids.length ? ', …' : ''}`;
      if (s.orphanTrees > 0)
        console.error(
          `regrade: ${s.orphanTrees} trees have events but no TreeOpened (no instruction), not regraded: ${more(s.orphanTrees, s.orphanIds)}`,
        );
      if (s.noReferenceTrees > 0)
        console.error(
          `regrade: ${s.noReferenceTrees} trees have no reference answer or tests to grade against (imported?), left as they are: ${more(s.noReferenceTrees, s.noReferenceIds)}`,
        );
      return s.orphanTrees > 0 || s.noReferenceTrees > 0 ? 1 : 0;
    } finally {
      cas.close();
      await sandbox.close();
      await log.close();
    }
  },
};
