import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';

/** One DuckDB appender per sink table (see analytics/schema.sql). */
export interface SinkAppenders {
  readonly treeOpened: DuckDBAppender;
  readonly strategySampled: DuckDBAppender;
  readonly turnExecuted: DuckDBAppender;
  readonly verdictReached: DuckDBAppender;
  readonly critiqueEmitted: DuckDBAppender;
  readonly treeClosed: DuckDBAppender;
  readonly treeReopened: DuckDBAppender;
  readonly pairRows: DuckDBAppender;
  readonly sftRows: DuckDBAppender;
  readonly syncDamage: DuckDBAppender;
  readonly syncState: DuckDBAppender;
}

const TABLES: Record<keyof SinkAppenders, string> = {
  treeOpened: 'tree_opened',
  strategySampled: 'strategy_sampled',
  turnExecuted: 'turn_executed',
  verdictReached: 'verdict_reached',
  critiqueEmitted: 'critique_emitted',
  treeClosed: 'tree_closed',
  treeReopened: 'tree_reopened',
  pairRows: 'pair_rows',
  sftRows: 'sft_rows',
  syncDamage: 'sync_damage',
  syncState: 'sync_state',
};

/**
 * Event tables first, then the damage read past, sync_state last: flushing in this order stores a position only after
 * its rows and after the record of any damage before it.
 */
const FLUSH_ORDER = Object.keys(TABLES) as (keyof SinkAppenders)[];

/** Creates the appenders of every sink table on a connection. */
export async function createSinkAppenders(connection: DuckDBConnection): Promise<SinkAppenders> {
  const entries = await Promise.all(
    FLUSH_ORDER.map(async (k) => [k, await connection.createAppender(TABLES[k])] as const),
  );
  return Object.fromEntries(entries) as unknown as SinkAppenders;
}

/** Flushes every appender, sync_state last. */
export function flushSinkAppenders(a: SinkAppenders): void {
  for (const k of FLUSH_ORDER) a[k].flushSync();
}

/** Flushes and closes every appender. */
export function closeSinkAppenders(a: SinkAppenders): void {
  for (const k of FLUSH_ORDER) a[k].closeSync();
}
