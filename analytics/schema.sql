-- Tables the analytics sink appends besides those generated from the schemas into sinkTables.sql (one per event
-- kind, one row per distinct event id: times are epoch ms of the writer's clock, part/off the event's log partition
-- and offset; pair_rows and sft_rows, decided by pipelines/assemble's pairsOf / sftOf in decision order per tree):
-- each action's validity and the sync positions. Views are in the other .sql files.
-- One row per action once it is complete (sampled, executed and judged): pipelines/assemble/isValidAction's answer,
-- the one rule of which actions may be chosen or rejected. An action never completed has no row (not valid).
CREATE TABLE IF NOT EXISTS action_validity (tree_id VARCHAR, node_id VARCHAR, valid BOOLEAN);
-- Append-only: the latest row per (topic, part) is the next offset to read; events/duplicates count that run.
-- Regions of the log a sync read past (damaged or missing, reported by the log): later syncs of this database
-- report them again, since its tables lack their records.
CREATE TABLE IF NOT EXISTS sync_damage (
  topic VARCHAR, part INTEGER, file VARCHAR, byte_offset BIGINT, bytes BIGINT, lost_from BIGINT, lost_until BIGINT,
  reason VARCHAR, found_at BIGINT
);
-- The sink's own facts about this file: key 'layout' is the layout version of its rows
-- (pipelines/analyticsSink/sinkLayoutVersion.ts); a sync rebuilds a file with an older one from the log.
CREATE TABLE IF NOT EXISTS sink_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS sync_state (
  topic VARCHAR, part INTEGER, next_offset BIGINT, events BIGINT, duplicates BIGINT, synced_at BIGINT
);
