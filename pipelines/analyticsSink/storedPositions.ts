import type { DuckDBConnection } from '@duckdb/node-api';

/** The next offset to read per partition of `topic`, as the last sync stored it in sync_state (empty when none). */
export async function storedPositions(
  connection: DuckDBConnection,
  topic: string,
): Promise<Map<number, number>> {
  const positions = new Map<number, number>();
  const reader = await connection.runAndReadAll(
    'SELECT part, max(next_offset) AS next FROM sync_state WHERE topic = $topic GROUP BY part',
    { topic },
  );
  for (const [part, next] of reader.getRowsJS()) positions.set(Number(part), Number(next));
  return positions;
}
