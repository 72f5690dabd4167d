import { readFile } from 'node:fs/promises';
import { map } from 'rxjs';
import { createOpenAIClient } from '../../connectors/llm/createOpenAIClient.ts';
import type { EndpointConfig } from '../../connectors/llm/endpointConfig.ts';
import { ggufPathOf } from '../../connectors/llm/ggufPathOf.ts';
import { unpricedModels } from '../../connectors/llm/unpricedModels.ts';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { readInstructions } from '../../connectors/sources/readInstructions.ts';
import { asyncIterableOf } from '../../pipelines/grow/asyncIterableOf.ts';
import { createGrower, type GrowInput } from '../../pipelines/grow/createGrower.ts';
import { groupInputs } from '../../pipelines/grow/groupInputs.ts';
import { growConfigOf } from '../../pipelines/grow/growConfig.ts';
import { type GrowSettings, parseGrowYaml } from '../../pipelines/grow/parseGrowYaml.ts';
import { worstCaseCallsPerTree } from '../../pipelines/grow/worstCaseCallsPerTree.ts';
import { type FleetWatch, watchFleet } from '../../pipelines/status/watchFleet.ts';
import { strategyPlanOf } from '../../pipelines/strategies/strategyPlanOf.ts';
import { ArboretumError, messageOf } from '../../schemas/errors.ts';
import { DEFAULT_LOG, intFlag, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { contextText } from '../contextText.ts';
import { createJudge } from '../createJudge.ts';
import { createLlm } from '../createLlm.ts';
import { createGrowProgress } from '../growProgress.ts';
import { growProgressFields } from '../growProgressFields.ts';
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
  --model M            the actor model; with only --model it plays every role (strong, weak, critic);
                       gguf:/path/model.gguf runs a GGUF model in this process (llama.cpp, no server, no key;
                       threads: $ARBORETUM_LLAMA_THREADS, default half the cores)
  --weak-model W       the weaker actor (usually gives the rejected action)
  --critic-model C     the critique model (it is shown the ground truth)
  --max-turns N        turns per tree (default 5)
  --concurrency N      LLM calls in flight per endpoint (default 32); twice as many trees grow at once, so
                       the endpoint stays busy while trees wait on the sandbox, the log or a critique
  --no-expand-after-pair   close a tree once a turn has its pair instead of expanding the incorrect action
  --rpm N, --tpm N     requests / tokens per minute for the endpoint (config files set them per endpoint)
  --budget-tokens N    stop cleanly after N prompt+completion tokens (rerun to continue)
  --budget-usd X       stop cleanly at X USD (or budget.maxCostUsd); needs a price for every model used
                       (endpoints[].prices in the config file): without one grow refuses to start (exit 2)
  --timeout-s S        per-request timeout in seconds (default 600, for slow local servers; a config
                       endpoint's timeoutMs is used when this flag is not given); every timeout is reported
  --max-retries N      retries of a failing call (5xx, timeouts, connection errors, malformed replies) before
                       grow stops (default 6, with backoff; a config endpoint's maxRetries wins)
  --max-calls-per-tree N   LLM calls one tree may make at most (default: no cap)
  --resamples N, --ladder-rounds N, --ladder-samples N, --ground-truth-attempts N, --wave N
                       the no-correct fallback (defaults 20, 3, 4, 2, 4; see below)
  --critic-temperature X   the critic's sampling temperature (default: the grow config's)
  --retry-failed       reopen trees that closed \`failed\` (no valid correct action, so no row) on the log and
                       grow them again from turn 1, once a run; their failed actions never reach a row
  --follow             keep growing as instructions arrive; on Kafka, workers share the topic as a consumer group
  --group NAME         consumer group for --follow (default arboretum-grow); on Kafka the group is named
                       arboretum.NAME (topics too: arboretum.instructions, arboretum.tree-events; the prefix is
                       $ARBORETUM_KAFKA_NAMESPACE, default "arboretum."). Inspect with standard tools:
                         kafka-consumer-groups.sh --bootstrap-server HOST:PORT --describe --group arboretum.NAME
                         kcat -b HOST:PORT -L -t arboretum.tree-events
                       Topics are created with $ARBORETUM_KAFKA_PARTITIONS partitions (default 12): at most that
                       many workers of one group grow at once. A worker waits up to $ARBORETUM_KAFKA_WAIT_S
                       seconds (default 60) for a broker not reachable yet, saying so on stderr.
  --until-done         with --follow: exit 0 once the tree of every instruction submitted is closed (any worker,
                       any group; see arboretum status)
  --force-group        with --follow: start even though another group is growing this log (its trees are left to
                       it while its lease runs; without this flag grow refuses, exit 2)
  --hand-over-s S      with --follow: after taking partitions, wait S seconds (default 3) for their previous owner
                       to put the answers of its calls in flight on the log, so they are not asked again
  --lease-s S          with --follow: how long this group holds the trees it opened after its last event
                       (default 120; recorded on TreeOpened); another group takes them over only after it
  --progress bar|json|none   default: bar on a terminal, JSON lines otherwise
  --writer ID          worker id written on every event (default <hostname>-<pid>)
  --unsafe-sandbox     run actions' Python WITHOUT bubblewrap isolation (limits only) where bwrap cannot run
  --preset NAME        the strategy library to start from: default (the built-ins, round-robin) or ultrainteract
                       (the paper's: chain-of-thought, plus modular programming for Coding and Math_PoT); the config's
                       strategies block (policy, seed, library, only, weights) applies on top

How a tree grows (pipelines/grow/README.md; the paper's rules): each turn the weak and the strong actor answer, each with a planning strategy
(the built-in library, pipelines/strategies/README.md, drawn per turn and slot by the config's policy); code runs in the sandbox and graders judge the answer.
With no correct action: up to 20 more samples, then up to 3 rounds up the model ladder, then the strong actor
given the reference (config keys resamples, ladderRounds, ladderSamples, groundTruthAttempts, wave). The first
incorrect action is critiqued (the critic sees the ground truth) and expanded into the next turn — also when the
turn found its pair (expandAfterPair: true, as in the paper; --no-expand-after-pair closes the tree there).

Before starting, grow prints the worst-case LLM calls per tree of the configuration: every turn may run the pair
and the whole fallback, and every turn but the last one critique.

Endpoint faults stop the run, never a tree: a reply that is not JSON or has no choices, HTTP 5xx, timeouts and
connection errors are retried with backoff, then grow stops (exit 1) naming the endpoint, the model and the reply;
a refused key (401/403) or an unknown model (404) stops at once (exit 2); a baseUrl that is not a URL is refused
before anything starts (exit 2). A healthy endpoint's empty or cut answer is recorded as a failed action.

Stopping: the first Ctrl-C (SIGINT) or SIGTERM aborts the calls in flight and stops within seconds; everything
answered is on the log, the aborted calls are asked again on the next run (exit 130). A second signal quits at once.

Progress (stderr): on a terminal, a bar: trees done/total, %, elapsed, ETA, trees open, calls/s, tokens, dollars,
pass rate by turn, retries and timeouts. Elsewhere (or --progress json), one JSON line every 5 s and a last one
with the totals: {"progress": {...}, "final": false|true}, the fields of progress being
  at (epoch ms), elapsedS (s), done (trees closed by this run + skipped), total (instructions known so far, or
  null), totalFinal (true once total is the whole file), percent (0-100, or null), etaS (s, or null), open,
  solved, exhausted, failed, skipped (trees already closed on the log), pairs, passRateByTurn ([{turn, graded,
  correct, rate 0-1 or null}]), calls (LLM calls answered), callsPerS, reasked (asked again after a restart),
  promptTokens, completionTokens, tokens, costUsd (USD from the prices; 0 without), retries, timeouts,
  failedCalls.

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
  in-process:      (no server) scripts/setup.sh fetches SmolLM2-135M, then  arboretum grow --model gguf:~/.cache/arboretum/models/SmolLM2-135M-Instruct.Q4_1.gguf ...
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
  timeoutMs: number | undefined,
  maxRetries: number | undefined,
): EndpointConfig[] {
  const defaults = { concurrency, ...limits, ...(maxRetries !== undefined ? { maxRetries } : {}) };
  const timeout = timeoutMs !== undefined ? { timeoutMs } : {};
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
      return { ...defaults, ...e, ...timeout, apiKey };
    });
  }
  const url = baseUrl ?? (env.OPENAI_BASE_URL || undefined);
  if (!url && !env.OPENAI_API_KEY) throw new ArboretumError('INVALID_CONFIG', noEndpointHelp);
  // Named after where the URL came from, so a message says what to fix.
  const name = baseUrl ? '--base-url' : url ? '$OPENAI_BASE_URL' : 'openai';
  return [{ name, baseUrl: url, apiKey: env.OPENAI_API_KEY, ...defaults, ...timeout }];
}

/** Instructions of a file (dead letters appended to the log as they come). */
async function* fileInstructions(
  log: EventLog,
  file: string,
  adapter: string | undefined,
  bad: { lines: number },
): AsyncGenerator<GrowInput> {
  for await (const item of readInstructions(file, { adapter })) {
    if (item.kind === 'instruction') yield item.instruction;
    else {
      // A bad line (not JSON, not UTF-8, not an instruction, an id repeated with other content) is skipped: said
      // here, dead-lettered, and the run exits non-zero at its end.
      bad.lines++;
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
  bad: { lines: number },
  notice: (line: string) => void,
  released: (held: readonly number[]) => void,
): AsyncIterable<GrowInput> {
  if (file) return fileInstructions(log, file, adapter, bad);
  if (follow) {
    return asyncIterableOf(
      groupInputs(log, group, {
        onAssignment: ({ taken, released: gone, held }) => {
          released(held);
          notice(
            `grow: group ${group}: took partitions [${taken.join(', ')}], released [${gone.join(', ')}]; ` +
              `holding [${held.join(', ')}] of ${topics.instructions.name} and ${topics.treeEvents.name}`,
          );
        },
      }),
    );
  }
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
        'timeout-s': { type: 'string' },
        'max-retries': { type: 'string' },
        'max-calls-per-tree': { type: 'string' },
        resamples: { type: 'string' },
        'ladder-rounds': { type: 'string' },
        'ladder-samples': { type: 'string' },
        'ground-truth-attempts': { type: 'string' },
        wave: { type: 'string' },
        'critic-temperature': { type: 'string' },
        'retry-failed': { type: 'boolean', default: false },
        follow: { type: 'boolean', default: false },
        'until-done': { type: 'boolean', default: false },
        'force-group': { type: 'boolean', default: false },
        'lease-s': { type: 'string' },
        'hand-over-s': { type: 'string' },
        group: { type: 'string', default: 'arboretum-grow' },
        progress: { type: 'string' },
        writer: { type: 'string' },
        'unsafe-sandbox': { type: 'boolean', default: false },
        preset: { type: 'string' },
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
    /** A whole-number flag when given, else undefined (the config file's value or the default applies). */
    const whole = (name: string) =>
      values[name as keyof typeof values] === undefined
        ? undefined
        : intFlag(name, values[name as keyof typeof values] as string, 0);
    const maxCallsPerTree = whole('max-calls-per-tree') ?? null;
    if (maxCallsPerTree !== null && maxCallsPerTree < 1)
      throw new ArboretumError('INVALID_INPUT', '--max-calls-per-tree must be >= 1');
    const criticTemperature = number('critic-temperature', values['critic-temperature']);
    const config = growConfigOf({
      ...settings.grow,
      ...(maxCallsPerTree !== null ? { maxCallsPerTree } : {}),
      ...(criticTemperature !== undefined ? { criticTemperature } : {}),
      strong,
      weak: values['weak-model'] ?? settings.grow.weak ?? (values.model ? values.model : undefined),
      critic: values['critic-model'] ?? settings.grow.critic,
      maxTurns: whole('max-turns') ?? settings.grow.maxTurns,
      expandAfterPair: values['no-expand-after-pair'] ? false : settings.grow.expandAfterPair,
      resamples: whole('resamples') ?? settings.grow.resamples,
      ladderRounds: whole('ladder-rounds') ?? settings.grow.ladderRounds,
      ladderSamples: whole('ladder-samples') ?? settings.grow.ladderSamples,
      groundTruthAttempts: whole('ground-truth-attempts') ?? settings.grow.groundTruthAttempts,
      wave: whole('wave') ?? settings.grow.wave,
      ...(values.preset !== undefined
        ? { strategies: strategyPlanOf({ ...settings.strategies, preset: values.preset }, '--preset') }
        : {}),
    });
    const timeoutS = number('timeout-s', values['timeout-s']);
    if (timeoutS === 0) throw new ArboretumError('INVALID_INPUT', '--timeout-s must be > 0');
    const models = [config.strong, config.weak, config.critic, ...config.ladder];
    // Endpoints of the HTTP client: the config's OpenAI-compatible ones (llama.cpp endpoints run in this process).
    const httpEndpoints = (remote: GrowSettings) =>
      endpointsOf(
        remote,
        values['base-url'],
        concurrency,
        { rpm: number('rpm', values.rpm), tpm: number('tpm', values.tpm) },
        timeoutS === undefined ? undefined : timeoutS * 1000,
        whole('max-retries'),
      );
    const budget = {
      maxTokens: number('budget-tokens', values['budget-tokens']) ?? settings.budget?.maxTokens,
      maxCostUsd: number('budget-usd', values['budget-usd']) ?? settings.budget?.maxCostUsd,
    };
    const localModels = new Set(
      (settings.endpoints ?? []).filter((e) => e.kind === 'llama.cpp').flatMap((e) => e.models ?? []),
    );
    const remoteModels = models.filter((m) => ggufPathOf(m) === null && !localModels.has(m));
    if (budget.maxCostUsd !== undefined && remoteModels.length) {
      // A model without a price counts $0: the cap could not be kept, so refuse before spending anything.
      // In-process GGUF models cost nothing.
      const remote = { ...settings, endpoints: settings.endpoints?.filter((e) => e.kind !== 'llama.cpp') };
      const unpriced = unpricedModels(httpEndpoints(remote), remoteModels);
      if (unpriced.length) {
        throw new ArboretumError(
          'INVALID_CONFIG',
          `a budget of $${budget.maxCostUsd} needs a price for every model used; no price for ${unpriced.join(', ')}. ` +
            'Set them in the config file: endpoints[].prices.<model>: {promptPerMTok: USD, completionPerMTok: USD}',
        );
      }
    }
    const progressMode = values.progress ?? (process.stderr.isTTY ? 'bar' : 'json');
    if (progressMode !== 'bar' && progressMode !== 'json' && progressMode !== 'none') {
      throw new ArboretumError(
        'INVALID_INPUT',
        `--progress must be bar, json or none, got ${JSON.stringify(progressMode)}`,
      );
    }
    const source = values.instructions ?? settings.instructions;
    if (values.follow && source)
      throw new ArboretumError(
        'INVALID_INPUT',
        '--follow reads the instructions topic: submit the file first, or drop --follow',
      );
    // One abort for the whole run: a stop ends every call in flight and every wait of the client at once.
    const run = new AbortController();
    let notice = (line: string) => console.error(line);
    // gguf:<path> models and llama.cpp endpoints run in this process; the rest goes to the HTTP client.
    const llm = createLlm({
      settings,
      models,
      budget,
      http: (remote) =>
        createOpenAIClient({
          endpoints: httpEndpoints(remote),
          budget,
          signal: run.signal,
          onTimeout: ({ endpoint, model, attempt, timeoutMs }) =>
            notice(
              `grow: llm endpoint ${endpoint}, model ${model}: request timed out after ${timeoutMs / 1000} s (--timeout-s), attempt ${attempt}`,
            ),
          onRetry: ({ endpoint, model, attempt, delayMs, reason }) => {
            // Timeouts are told by onTimeout and rate limits are routine; every other retry is a fault worth seeing.
            if (/timed out|HTTP 429/.test(reason)) return;
            notice(
              `grow: llm endpoint ${endpoint}, model ${model}: ${reason}; retry ${attempt} in ${(delayMs / 1000).toFixed(1)} s`,
            );
          },
        }),
    });
    const worst = worstCaseCallsPerTree(config);
    const uncapped = worstCaseCallsPerTree({ ...config, maxCallsPerTree: null });
    const perTurn =
      2 + config.resamples + config.ladderRounds * config.ladderSamples + config.groundTruthAttempts;
    console.error(
      `grow: at most ${worst} LLM calls per tree (${config.maxTurns} turns × ${perTurn}: the pair, ` +
        `${config.resamples} resamples, ${config.ladderRounds}×${config.ladderSamples} up the ladder, ` +
        `${config.groundTruthAttempts} given the reference; + ${config.maxTurns - 1} critiques with up to ` +
        `${config.criticReasks} re-asks each` +
        `${worst < uncapped ? `; capped by --max-calls-per-tree from ${uncapped}` : ''})`,
    );
    if ((values['until-done'] || values['force-group'] || values['lease-s'] !== undefined) && !values.follow)
      throw new ArboretumError('INVALID_INPUT', '--until-done, --force-group and --lease-s go with --follow');
    const leaseS = number('lease-s', values['lease-s']);
    if (leaseS === 0) throw new ArboretumError('INVALID_INPUT', '--lease-s must be > 0');
    const log = await openLog(values.log ?? settings.log ?? DEFAULT_LOG, { clientId: values.writer });
    const group = values.follow ? values.group! : null;
    // --follow: the whole log folded and followed (createFleetFold), so this worker leaves other live groups' trees
    // alone, refuses to start beside one unless forced, and (--until-done) sees when growth is complete.
    let untilDone = () => {};
    let fleet: FleetWatch | null = null;
    try {
      if (values.follow) {
        fleet = await watchFleet(log, {
          onUpdate: () => untilDone(),
          onError: (e) => notice(`grow: following the log for the fleet status failed: ${messageOf(e)}`),
        });
        const now = Date.now();
        const others = fleet.fold.status(now).groups.filter((g) => g.live && g.group !== group && g.open > 0);
        const told = others
          .map(
            (g) =>
              `${g.group === null ? 'a run outside any group' : `group ${g.group}`} (${g.open} trees open, last event ` +
              `${Math.round((now - g.lastAt) / 1000)} s ago, lease ${g.leaseMs / 1000} s)`,
          )
          .join(', ');
        if (others.length && !values['force-group']) {
          throw new ArboretumError(
            'INVALID_CONFIG',
            `grow: ${log.uri} is being grown by ${told}: a second group would grow the same trees twice. ` +
              `Join it with --group ${others[0].group ?? 'NAME'}, wait until it is done (arboretum status --log ${log.uri}), ` +
              'or pass --force-group to run beside it (its trees are left to it while its lease runs)',
          );
        }
        if (others.length)
          console.error(`grow: --force-group: growing beside ${told}; their trees are left to them`);
      }
    } catch (e) {
      fleet?.close();
      await log.close();
      throw e;
    }
    const judge = createJudge({ unsafe: values['unsafe-sandbox'] });
    const grower = createGrower({
      log,
      llm,
      judge: judge.judge,
      config,
      writer: values.writer,
      trees,
      retryFailed: values['retry-failed'],
      group,
      leaseMs: leaseS === undefined ? null : leaseS * 1000,
      handOverMs: values.follow ? (number('hand-over-s', values['hand-over-s']) ?? 3) * 1000 : 0,
      heldElsewhere: fleet
        ? (treeId) => {
            const holder = fleet!.fold.holder(treeId, Date.now());
            return holder !== undefined && holder.group !== group;
          }
        : undefined,
    });
    if (values['until-done']) {
      untilDone = () => {
        if (fleet!.fold.status(Date.now()).complete) grower.stop('until-done');
      };
      // The log may be complete already (later records call it again).
      untilDone();
    }
    // Instructions known: counted by a second read of the file alongside the run (the run reads it lazily).
    const known = { total: null as number | null, final: false, read: 0 };
    if (source) {
      void (async () => {
        let n = 0;
        for await (const item of readInstructions(source, { adapter: values.adapter ?? settings.adapter }))
          if (item.kind === 'instruction') n++;
        known.total = n;
        known.final = true;
      })().catch(() => {});
    }
    const read = () =>
      growProgressFields(grower.stats(), llm.usage(), Date.now(), {
        total: known.final ? known.total : known.read || null,
        final: known.final,
      });
    const progress = createGrowProgress({ mode: progressMode, read });
    notice = (line) => progress.notice(line);
    let signals = 0;
    const onSignal = () => {
      if (++signals > 1) {
        process.stderr.write('\ngrow: second signal: quitting now\n');
        process.exit(130);
      }
      progress.notice(
        'grow: stopping now: the calls in flight are aborted (asked again on the next run); everything answered is on the log. Ctrl-C again quits at once',
      );
      grower.stop('interrupted');
      run.abort(new ArboretumError('TIMEOUT', 'interrupted'));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let progressStopped = false;
    const bad = { lines: 0 };
    try {
      // In a consumer group each assignment loads the tree-events of the partitions it gives this worker.
      if (!values.follow) await grower.load();
      const stopped = await grower.run(
        counted(
          instructionsFrom(
            log,
            source,
            values.adapter ?? settings.adapter,
            values.follow,
            values.group!,
            bad,
            (line) => notice(line),
            (held) => grower.released(held),
          ),
          () => known.read++,
        ),
      );
      progress.stop();
      progressStopped = true;
      const s = grower.stats();
      const u = llm.usage();
      console.error(
        `grow: ${s.solved} solved, ${s.exhausted} exhausted, ${s.failed} failed, ${s.skipped} already closed; ` +
          `${s.calls} LLM calls, ${s.tokens} tokens, $${u.costUsd.toFixed(4)}` +
          `${budget.maxCostUsd !== undefined ? ` of $${budget.maxCostUsd}` : ''}` +
          `${u.retries ? `, ${u.retries} retries` : ''}${u.timeouts ? `, ${u.timeouts} timeouts` : ''}` +
          `${s.reasked ? `, ${s.reasked} re-asked after a restart` : ''}` +
          `${s.reopened ? `; ${s.reopened} reopened (--retry-failed)` : ''}` +
          `${s.notReopened ? `; ${s.notReopened} closed failed after a correct action, not reopened (their rows stand)` : ''}`,
      );
      if (!stopped && !source && s.solved + s.exhausted + s.failed + s.skipped === 0) {
        console.error(
          `grow: no instructions on ${log.uri}: give --instructions FILE, or append some first with arboretum submit FILE`,
        );
      }
      if (stopped?.message === 'until-done') {
        const f = fleet!.fold.status(Date.now());
        console.error(
          `grow: growth complete (--until-done): the trees of all ${f.instructions} instructions are closed ` +
            `(${f.solved} solved, ${f.exhausted} exhausted, ${f.failed} failed)`,
        );
        return bad.lines ? 1 : 0;
      }
      if (stopped) {
        const hint = /timed out after/.test(stopped.message) ? ' (raise --timeout-s for a slow server)' : '';
        console.error(
          `grow stopped: ${stopped.message}${hint}${stopped.context && contextText(stopped.context) ? `\n  ${contextText(stopped.context)}` : ''}\nEverything so far is on ${log.uri}; rerun the same command to continue.`,
        );
        if (stopped.code === 'BUDGET_EXHAUSTED') return 3;
        if (stopped.message === 'interrupted') return 130;
        return stopped.code === 'INVALID_CONFIG' ? 2 : 1;
      }
      if (bad.lines) {
        console.error(
          `grow: ${bad.lines} line(s) of ${source} skipped (each named above; on the dead-letters topic): fix them and rerun`,
        );
        return 1;
      }
      return 0;
    } finally {
      if (!progressStopped) progress.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      fleet?.close();
      await judge.close();
      await llm.close();
      await log.close();
    }
  },
};

/**
 * The items of `source`, calling `onItem` for each instruction (not for partition assignments). A plain iterator, not
 * a generator: `return()` must reach the source at once, even while a `next()` waits on a followed topic.
 */
function counted(source: AsyncIterable<GrowInput>, onItem: () => void): AsyncIterable<GrowInput> {
  return {
    [Symbol.asyncIterator]() {
      const inner = source[Symbol.asyncIterator]();
      return {
        async next() {
          const r = await inner.next();
          if (!r.done && !(typeof r.value === 'object' && r.value !== null && 'assigned' in r.value))
            onItem();
          return r;
        },
        return: async (value?: unknown) => (await inner.return?.(value)) ?? { done: true, value: undefined },
      };
    },
  };
}
