-- Tables the analytics sink appends besides the event tables (one per event kind, one row per distinct event id,
-- generated from the schema into eventTables.sql: times are epoch ms of the writer's clock, part/off the event's log
-- partition and offset): the rows that pipelines/assemble decides (pair_rows, sft_rows, action_validity) and the
-- sync positions. Views are in the other .sql files.
-- Decided by pairsOf / sftOf (pipelines/assemble), in decision order per tree; texts are joined from the nodes.
CREATE TABLE IF NOT EXISTS pair_rows (
  id VARCHAR, parent_id VARCHAR, tree_id VARCHAR, task VARCHAR, dataset VARCHAR, turn INTEGER,
  chosen_node_id VARCHAR, rejected_node_id VARCHAR, chosen_model VARCHAR, rejected_model VARCHAR,
  trajectory_json VARCHAR
);
CREATE TABLE IF NOT EXISTS sft_rows (
  id VARCHAR, parent_id VARCHAR, tree_id VARCHAR, task VARCHAR, dataset VARCHAR, turn INTEGER,
  node_id VARCHAR, model VARCHAR
);
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
CREATE TABLE IF NOT EXISTS sync_state (
  topic VARCHAR, part INTEGER, next_offset BIGINT, events BIGINT, duplicates BIGINT, synced_at BIGINT
);
