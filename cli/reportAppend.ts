import type { AppendSummary } from '../pipelines/append/appendIdempotent.ts';

/** How many reasons are printed before "… and N more". */
const SHOWN = 20;

/**
 * Prints what an idempotent append did on stderr — every row not appended (up to 20 reasons, then a count), then one
 * line of counts — and returns the exit code: 1 when any row was not appended (bad, or in conflict) or records on the
 * log could not be read (so could not be checked against), else 0.
 */
export function reportAppend(summary: AppendSummary, verb: string, what: string): number {
  const { appended, alreadyOnLog, repeated, conflicts, deadLetters, deadLettersAppended, unreadableOnLog } =
    summary;
  for (const d of deadLetters.slice(0, SHOWN)) console.error(d.reason);
  if (deadLetters.length > SHOWN) console.error(`… and ${deadLetters.length - SHOWN} more`);
  const parts = [`${verb} ${appended} ${what}`];
  if (alreadyOnLog) parts.push(`${alreadyOnLog} already on the log (skipped)`);
  if (repeated) parts.push(`${repeated} repeated in the file (skipped)`);
  if (deadLetters.length) {
    const bad = deadLetters.length - conflicts;
    const kinds = [conflicts ? `${conflicts} in conflict` : '', bad ? `${bad} bad` : ''].filter(Boolean);
    parts.push(
      `${deadLetters.length} row(s) to dead-letters (${kinds.join(', ')}; ${deadLettersAppended} new there, ` +
        'arboretum log read --topic dead-letters)',
    );
  }
  if (unreadableOnLog)
    parts.push(`${unreadableOnLog} records on the log could not be read (see arboretum log check)`);
  console.error(parts.join('; '));
  return deadLetters.length || unreadableOnLog ? 1 : 0;
}
