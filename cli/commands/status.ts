import { lastValueFrom } from 'rxjs';
import type { ModelPrice } from '../../analytics/report/pricesOf.ts';
import {
  createFleetFold,
  DEFAULT_LEASE_MS,
  type ModelUsage,
} from '../../pipelines/status/createFleetFold.ts';
import { fleetPositions, readFleet } from '../../pipelines/status/readFleet.ts';
import { DEFAULT_LOG, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { openLog } from '../openLog.ts';
import { formatTable, jsonLine, writeOut } from '../output.ts';
import { readPrices } from '../readPrices.ts';

const help = `arboretum status — the fleet's growth as the log shows it

Usage:
  arboretum status [--log URI] [--prices FILE] [--json]

Reads the instructions and tree-events topics to their end offsets and prints: instructions submitted, trees
waiting (no tree yet), open, closed (solved / exhausted / failed), LLM calls answered and tokens, per writer
(worker id, group, its trees by state, calls, last event) and per partition, the groups growing the log (live
while their last event is younger than their lease, default ${DEFAULT_LEASE_MS / 1000} s), and whether growth is
complete: every submitted instruction's tree closed. Derived from the log itself, not from consumer-group offsets
(grow commits an instruction when its tree is opened, so lag is 0 long before trees close).

--prices FILE adds the cost so far in USD, per model and in all: FILE is a grow config (its endpoints' prices) or a
YAML/JSON mapping model: {promptPerMTok, completionPerMTok}; a model without a price is named, and the total then
says it leaves that model out.

--json prints one JSON object with the same fields: instructions, waiting, open, closed, solved, exhausted, failed,
calls, promptTokens, completionTokens, complete, writers[], partitions[], groups[], models[] (calls and tokens per
model, and costUsd with --prices), costUsd (null without --prices) and unpricedModels[].

Kafka: topics are arboretum.<topic> and grow's consumer group arboretum.<group> (prefix $ARBORETUM_KAFKA_NAMESPACE);
kafka-consumer-groups.sh --describe --group arboretum.arboretum-grow shows offsets, which say when instructions
were taken, not when trees are done.`;

/** USD per model (priced ones) and in all, and the models without a price. */
function costOf(models: readonly ModelUsage[], prices: ReadonlyMap<string, ModelPrice>) {
  const byModel = new Map<string, number>();
  const unpriced: string[] = [];
  let totalUsd = 0;
  for (const m of models) {
    const price = prices.get(m.model);
    if (!price) {
      unpriced.push(m.model);
      continue;
    }
    const usd =
      (m.promptTokens * price.promptPerMTok + m.completionTokens * price.completionPerMTok) / 1_000_000;
    byModel.set(m.model, usd);
    totalUsd += usd;
  }
  return { byModel, totalUsd, unpriced };
}

const ago = (now: number, at: number) => (at ? `${Math.max(0, Math.round((now - at) / 1000))} s ago` : '-');

export const command: Command = {
  name: 'status',
  summary:
    'fleet status of growth: instructions, trees open/closed/failed per writer and partition, done or not',
  help,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      { log: { type: 'string' }, prices: { type: 'string' }, json: { type: 'boolean', default: false } },
      false,
    );
    const prices = values.prices === undefined ? undefined : await readPrices(values.prices);
    const log = await openLog(values.log ?? DEFAULT_LOG);
    try {
      const fold = createFleetFold();
      await lastValueFrom(readFleet(log, fold, fleetPositions()), { defaultValue: null });
      const now = Date.now();
      const s = fold.status(now);
      const cost = prices ? costOf(s.models, prices) : undefined;
      if (values.json) {
        await writeOut(
          jsonLine({
            log: log.uri,
            at: now,
            ...s,
            models: s.models.map((m) => ({ ...m, costUsd: cost?.byModel.get(m.model) ?? null })),
            costUsd: cost?.totalUsd ?? null,
            unpricedModels: cost?.unpriced ?? [],
          }),
        );
        return 0;
      }
      const lines = [
        `log ${log.uri}`,
        `instructions ${s.instructions}: ${s.waiting} waiting, ${s.open} open, ${s.closed} closed ` +
          `(${s.solved} solved, ${s.exhausted} exhausted, ${s.failed} failed)`,
        `calls ${s.calls}, tokens ${s.promptTokens + s.completionTokens} ` +
          `(${s.promptTokens} prompt, ${s.completionTokens} completion)`,
        ...(cost
          ? [
              `cost $${cost.totalUsd.toFixed(4)}${cost.unpriced.length ? ` (leaves out ${cost.unpriced.join(', ')}: no price in ${values.prices})` : ''}`,
            ]
          : []),
        `growth ${s.complete ? 'COMPLETE: every submitted instruction has its tree closed' : 'not complete'}`,
        '',
        formatTable(
          ['writer', 'group', 'open', 'closed', 'failed', 'calls', 'tokens', 'last event'],
          s.writers.map((w) => [
            w.writer,
            w.group ?? '-',
            w.open,
            w.closed,
            w.failed,
            w.calls,
            w.tokens,
            ago(now, w.lastAt),
          ]),
        ),
        '',
        formatTable(
          ['model', 'calls', 'prompt tokens', 'completion tokens', ...(cost ? ['cost USD'] : [])],
          s.models.map((m) => [
            m.model,
            m.calls,
            m.promptTokens,
            m.completionTokens,
            ...(cost ? [cost.byModel.get(m.model)?.toFixed(4) ?? 'no price'] : []),
          ]),
        ),
        '',
        formatTable(
          ['partition', 'instructions', 'open', 'closed', 'failed'],
          s.partitions.map((p) => [p.partition, p.instructions, p.open, p.closed, p.failed]),
        ),
        '',
        formatTable(
          ['group', 'live', 'open trees', 'last event', 'lease s'],
          s.groups.map((g) => [
            g.group ?? '(no group)',
            g.live ? 'yes' : 'no',
            g.open,
            ago(now, g.lastAt),
            g.leaseMs / 1000,
          ]),
        ),
      ];
      await writeOut(`${lines.join('\n')}\n`);
      return 0;
    } finally {
      await log.close();
    }
  },
};
