/**
 * The layout of the sink's tables that this arboretum writes, stored in the database (sink_meta, key 'layout') so
 * that a sync can tell a file whose rows an older arboretum wrote: syncLog rebuilds such a file from the log
 * (checkSinkLayout), and refuses a newer one. Raise it when rows an older sink wrote would read wrong now (a new
 * table the views rely on, a column whose meaning changed); a new nullable column alone needs no raise (the ALTERs of
 * sinkTables.sql bring a file up to date).
 *  - 1 (no sink_meta row): before action_validity; its `nodes.valid` would be false for every action.
 *  - 2: action_validity, sink_meta.
 */
export const sinkLayoutVersion = 2;
