import { readFile } from 'node:fs/promises';
import { map } from 'rxjs';
import { createOpenAIClient } from '../../connectors/llm/createOpenAIClient.ts';
import type { EndpointConfig } from '../../connectors/llm/endpointConfig.ts';
import type { LlmClient } from '../../connectors/llm/llmClient.ts';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { createCas } from '../../connectors/sandbox/createCas.ts';
import { createSandbox } from '../../connectors/sandbox/createSandbox.ts';
import { readInstructions } from '../../connectors/sources/readInstructions.ts';
import { createGrader } from '../../pipelines/grade/createGrader.ts';
import { type ParsedAction, parseAction } from '../../pipelines/grade/parseAction.ts';
import type { ActionJudge } from '../../pipelines/grow/actionJudge.ts';
import { asyncIterableOf } from '../../pipelines/grow/asyncIterableOf.ts';
import { createGradeJudge } from '../../pipelines/grow/createGradeJudge.ts';
import { createGrower, type GrowInput } from '../../pipelines/grow/createGrower.ts';
import { groupInputs } from '../../pipelines/grow/groupInputs.ts';
import { growConfigOf } from '../../pipelines/grow/growConfig.ts';
import { type GrowSettings, parseGrowYaml } from '../../pipelines/grow/parseGrowYaml.ts';
import { progressLine } from '../../pipelines/grow/progressLine.ts';
import { ArboretumError } from '../../schemas/errors.ts';
import { DEFAULT_LOG, intFlag, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { openLog } from '../openLog.ts';

const help = `arboretum grow — grow preference trees with OpenAI-compatible actors and a critic

Usage:
  arboretum grow --instructions FILE --model M [--base-url URL] [--weak-model W] [--critic-model C] [options]
  arboretum grow --config grow.yaml [options]
  arboretum grow [--log URI] [--follow] --model M ...     (instructions from the log's instructions topic; see submit)

Options:
  --log URI            the event log (default ${DEFAULT_LOG}; kafka://host:port for a broker)
  --instructions FILE  .jsonl/.json/.parquet instructions (--adapter gsm8k|math|apps|taco|codecontests|humaneval|
                       mbpp|reclor|hotpotqa|strategyqa reads public dataset rows); without it, the instructions
                       topic is read
  --base-url URL       OpenAI-compatible endpoint (default $OPENAI_BASE_URL, else api.openai.com)
  --model M            the actor model; with only --model it plays every role (strong, weak, critic)
  --weak-model W       the weaker actor (usually gives the rejected action)
  --critic-model C     the critique model (it is shown the ground truth)
  --max-turns N        turns per tree (default 5)
  --concurrency N      LLM calls in flight per endpoint (default 32); twice as many trees grow at once, so
                       the endpoint stays busy while trees wait on the sandbox, the log or a critique
  --no-expand-after-pair   close a tree once a turn has its pair instead of expanding the incorrect action
  --rpm N, --tpm N     requests / tokens per minute for the endpoint (config files set them per endpoint)
  --budget-tokens N    stop cleanly after N prompt+completion tokens (rerun to continue)
  --budget-usd X       stop cleanly at X USD (prices per model in the config file)
  --follow             keep growing as instructions arrive; on Kafka, workers share the topic as a consumer group
  --group NAME         consumer group for --follow (default arboretum-grow)
  --progress bar|json|none   default: bar on a terminal, JSON lines otherwise
  --writer ID          worker id written on every event (default <hostname>-<pid>)
  --unsafe-sandbox     run actions' Python WITHOUT bubblewrap isolation (limits only) where bwrap cannot run

How a tree grows (DESIGN §1): each turn the weak and the strong actor answer, each with a planning strategy
(chain-of-thought; modular programming where code runs); code runs in the sandbox and graders judge the answer.
With no correct action: up to 20 more samples, then up to 3 rounds up the model ladder, then the strong actor
given the reference (config keys resamples, ladderRounds, ladderSamples, groundTruthAttempts, wave). The first
incorrect action is critiqued (the critic sees the ground truth) and expanded into the next turn — also when the
turn found its pair (expandAfterPair: true, as in the paper; --no-expand-after-pair closes the tree there).

Keys come only from the environment: OPENAI_API_KEY, or the variable a config endpoint names in apiKeyEnv.
No key and no server? \`npx tsx examples/demoEndpoint.ts\` starts a DEMO endpoint (canned answers, not a model)
for examples/instructions.jsonl, to see the mechanics.
Rerunning the same command resumes: trees already closed are skipped, open ones continue from the log, and no
prompt whose answer is on the log is sent again.`;

const noEndpointHelp = `no LLM endpoint. Point grow at one of:
  OpenAI:          export OPENAI_API_KEY=sk-...            then  arboretum grow --model gpt-4o-mini ...
  vLLM:            vllm serve Qwen/Qwen2.5-7B-Instruct     then  arboretum grow --base-url http://127.0.0.1:8000/v1 --model Qwen/Qwen2.5-7B-Instruct ...
  Ollama:          ollama serve; ollama pull qwen2.5       then  arboretum grow --base-url http://127.0.0.1:11434/v1 --model qwen2.5 ...
  llama.cpp:       llama-server -m model.gguf --port 8080  then  arboretum grow --base-url http://127.0.0.1:8080/v1 --model local ...
(or set OPENAI_BASE_URL, or give --config grow.yaml with endpoints; see examples/grow.yaml)
To see the mechanics without any model: npx tsx examples/demoEndpoint.ts  (a DEMO endpoint, canned answers)`;

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new ArboretumError('INVALID_INPUT', `--${name} takes a number >= 0, got ${JSON.stringify(value)}`);
  return n;
}

/** Endpoints from the settings, keys read from the environment; INVALID_CONFIG when nothing is reachable. */
function endpointsOf(
  settings: GrowSettings,
  baseUrl: string | undefined,
  concurrency: number,
  limits: { rpm?: number; tpm?: number },
): EndpointConfig[] {
  const env = process.env;
  if (settings.endpoints?.length) {
    return settings.endpoints.map((e) => {
      const keyVar = e.apiKeyEnv ?? 'OPENAI_API_KEY';
      const apiKey = env[keyVar];
      if (!e.baseUrl && !apiKey) {
        throw new ArboretumError(
          'INVALID_CONFIG',
          `endpoint ${e.name}: no baseUrl and no key in $${keyVar}\n${noEndpointHelp}`,
        );
      }
      return { concurrency, ...limits, ...e, apiKey };
    });
  }
  const url = baseUrl ?? env.OPENAI_BASE_URL;
  if (!url && !env.OPENAI_API_KEY) throw new ArboretumError('INVALID_CONFIG', noEndpointHelp);
  return [{ name: url ?? 'openai', baseUrl: url, apiKey: env.OPENAI_API_KEY, concurrency, ...limits }];
}

/** The environment: the bubblewrap sandbox, the sympy CAS and the graders, as the grower's judge. */
function createJudge(unsafe: boolean): { judge: ActionJudge; close(): Promise<void> } {
  const sandbox = createSandbox({ unsafe });
  const cas = createCas({ unsafe });
  const grader = createGrader({ sandbox, cas });
  return {
    judge: createGradeJudge<ParsedAction>({
      sandbox,
      parse: parseAction,
      grade: (i, a) => grader.grade(i, a),
    }),
    async close() {
      cas.close();
      await sandbox.close();
    },
  };
}

/** Instructions of a file (dead letters appended to the log as they come). */
async function* fileInstructions(
  log: EventLog,
  file: string,
  adapter: string | undefined,
): AsyncGenerator<GrowInput> {
  for await (const item of readInstructions(file, { adapter })) {
    if (item.kind === 'instruction') yield item.instruction;
    else {
      console.error(item.deadLetter.reason);
      await log.append(topics.deadLetters, [{ value: item.deadLetter }]);
    }
  }
}

function instructionsFrom(
  log: EventLog,
  file: string | undefined,
  adapter: string | undefined,
  follow: boolean,
  group: string,
): AsyncIterable<GrowInput> {
  if (file) return fileInstructions(log, file, adapter);
  if (follow) return asyncIterableOf(groupInputs(log, group));
  return asyncIterableOf(log.read(topics.instructions).pipe(map((r) => r.value)));
}

export const command: Command = {
  name: 'grow',
  summary: 'grow preference trees from instructions with LLM actors and a critic',
  help,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        log: { type: 'string' },
        config: { type: 'string' },
        instructions: { type: 'string' },
        adapter: { type: 'string' },
        'base-url': { type: 'string' },
        model: { type: 'string' },
        'weak-model': { type: 'string' },
        'critic-model': { type: 'string' },
        'max-turns': { type: 'string' },
        concurrency: { type: 'string' },
        'no-expand-after-pair': { type: 'boolean', default: false },
        'budget-tokens': { type: 'string' },
        rpm: { type: 'string' },
        tpm: { type: 'string' },
        'budget-usd': { type: 'string' },
        follow: { type: 'boolean', default: false },
        group: { type: 'string', default: 'arboretum-grow' },
        progress: { type: 'string' },
        writer: { type: 'string' },
        'unsafe-sandbox': { type: 'boolean', default: false },
      },
      false,
    );
    const settings: GrowSettings = values.config
      ? parseGrowYaml(await readFile(values.config, 'utf8'), values.config)
      : { grow: {} };
    const strong = values.model ?? settings.grow.strong;
    if (!strong) {
      throw new ArboretumError(
        'INVALID_INPUT',
        '--model is required (or actors.strong in --config)\n' + noEndpointHelp,
      );
    }
    // --concurrency: calls in flight per endpoint (unless the endpoint sets its own) and twice as many trees; the
    // config file's top-level `concurrency` is the number of trees.
    const concurrency = intFlag('concurrency', values.concurrency, 32);
    if (concurrency < 1) throw new ArboretumError('INVALID_INPUT', '--concurrency must be >= 1');
    const trees =
      values.concurrency === undefined && settings.concurrency ? settings.concurrency : concurrency * 2;
    const config = growConfigOf({
      ...settings.grow,
      strong,
      weak: values['weak-model'] ?? settings.grow.weak ?? (values.model ? values.model : undefined),
      critic: values['critic-model'] ?? settings.grow.critic,
      maxTurns:
        values['max-turns'] !== undefined
          ? intFlag('max-turns', values['max-turns'], 5)
          : settings.grow.maxTurns,
      expandAfterPair: values['no-expand-after-pair'] ? false : settings.grow.expandAfterPair,
    });
    const endpoints = endpointsOf(settings, values['base-url'], concurrency, {
      rpm: number('rpm', values.rpm),
      tpm: number('tpm', values.tpm),
    });
    const llm: LlmClient = createOpenAIClient({
      endpoints,
      budget: {
        maxTokens: number('budget-tokens', values['budget-tokens']) ?? settings.budget?.maxTokens,
        maxCostUsd: number('budget-usd', values['budget-usd']) ?? settings.budget?.maxCostUsd,
      },
    });
    const progress = values.progress ?? (process.stderr.isTTY ? 'bar' : 'json');
    if (!['bar', 'json', 'none'].includes(progress)) {
      throw new ArboretumError(
        'INVALID_INPUT',
        `--progress must be bar, json or none, got ${JSON.stringify(progress)}`,
      );
    }
    const log = await openLog(values.log ?? settings.log ?? DEFAULT_LOG, { clientId: values.writer });
    const judge = createJudge(values['unsafe-sandbox']!);
    const grower = createGrower({
      log,
      llm,
      judge: judge.judge,
      config,
      writer: values.writer,
      trees,
    });
    const onSignal = () => {
      console.error(
        '\ngrow: stopping after the calls in flight (everything answered is kept); Ctrl-C again quits now',
      );
      grower.stop('interrupted');
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const report = () => {
      const stats = grower.stats();
      if (progress === 'bar')
        process.stderr.write(`\r\x1b[2K${progressLine(stats, llm.usage(), Date.now())}`);
      else if (progress === 'json')
        process.stderr.write(`${JSON.stringify({ progress: stats, usage: llm.usage(), at: Date.now() })}\n`);
    };
    const timer = progress === 'none' ? null : setInterval(report, progress === 'bar' ? 250 : 5000);
    try {
      const source = values.instructions ?? settings.instructions;
      if (values.follow && source)
        throw new ArboretumError(
          'INVALID_INPUT',
          '--follow reads the instructions topic: submit the file first, or drop --follow',
        );
      // In a consumer group each assignment loads the tree-events of the partitions it gives this worker.
      if (!values.follow) await grower.load();
      const stopped = await grower.run(
        instructionsFrom(
          log,
          values.instructions ?? settings.instructions,
          values.adapter ?? settings.adapter,
          values.follow,
          values.group!,
        ),
      );
      if (timer) clearInterval(timer);
      report();
      if (progress === 'bar') process.stderr.write('\n');
      const s = grower.stats();
      console.error(
        `grow: ${s.solved} solved, ${s.exhausted} exhausted, ${s.failed} failed, ${s.skipped} already closed; ` +
          `${s.calls} LLM calls, ${s.tokens} tokens${s.reasked ? `, ${s.reasked} re-asked after a restart` : ''}`,
      );
      if (!stopped && !source && s.solved + s.exhausted + s.failed + s.skipped === 0) {
        console.error(
          `grow: no instructions on ${log.uri}: give --instructions FILE, or append some first with arboretum submit FILE`,
        );
      }
      if (stopped) {
        console.error(
          `grow stopped: ${stopped.message}\nEverything so far is on ${log.uri}; rerun the same command to continue.`,
        );
        return stopped.code === 'BUDGET_EXHAUSTED' ? 3 : stopped.message === 'interrupted' ? 130 : 1;
      }
      return 0;
    } finally {
      if (timer) clearInterval(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await judge.close();
      await log.close();
    }
  },
};
