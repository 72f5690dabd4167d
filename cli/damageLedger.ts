import type { LogDamage } from '../connectors/log/eventLog.ts';
import { formatDamage } from '../connectors/log/formatDamage.ts';

/**
 * Every damaged or missing log region this CLI process's reads skipped. Logs opened by openLog report here; each
 * region is printed on stderr as it is found, and main() turns a non-empty ledger into a non-zero exit unless
 * --allow-damaged was given (then it says it went on).
 */
export const damageLedger = {
  regions: [] as LogDamage[],
  allowed: false,
  report(d: LogDamage): void {
    damageLedger.regions.push(d);
    console.error(`arboretum: damaged log: ${formatDamage(d)}`);
  },
  /** A line for dataset cards and reports; undefined when nothing was skipped. */
  summary(): string | undefined {
    const n = damageLedger.regions.length;
    if (!n) return undefined;
    return `built with --allow-damaged: ${n} damaged or missing region(s) of the log were skipped (${damageLedger.regions
      .slice(0, 5)
      .map(formatDamage)
      .join('; ')}${n > 5 ? '; …' : ''})`;
  },
};
