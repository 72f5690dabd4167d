-- Tables the analytics sink appends the log into: one per event kind (one row per distinct event id), the rows
-- that pipelines/assemble decides (pair_rows, sft_rows), and the sync positions. Views are in the other .sql files.
-- Times are epoch ms (the writer's clock) on the events that mark progress. part/off are the event's log partition and offset: a tree's events keep their log order in one partition.
CREATE TABLE IF NOT EXISTS tree_opened (
  tree_id VARCHAR, instruction_id VARCHAR, task VARCHAR, dataset VARCHAR, instruction_json VARCHAR,
  config_json VARCHAR, time BIGINT, writer VARCHAR,
  part INTEGER, off BIGINT
);
CREATE TABLE IF NOT EXISTS strategy_sampled (
  tree_id VARCHAR, node_id VARCHAR, parent_id VARCHAR, turn INTEGER, strategy VARCHAR, model VARCHAR,
  role VARCHAR, attempt INTEGER, temperature DOUBLE, task VARCHAR, dataset VARCHAR,
  part INTEGER, off BIGINT
);
CREATE TABLE IF NOT EXISTS turn_executed (
  tree_id VARCHAR, node_id VARCHAR, action VARCHAR, code VARCHAR, answer VARCHAR, syntax_ok BOOLEAN,
  observation VARCHAR, prompt_tokens INTEGER, completion_tokens INTEGER, latency_ms INTEGER, failure VARCHAR,
  time BIGINT, part INTEGER, off BIGINT
);
-- One row per node: its newest verdict (arboretum regrade's re-verdicts replace the grower's in place, see
-- pipelines/regrade/applyReverdicts), the version of the grader that gave it, and the grower's original label.
CREATE TABLE IF NOT EXISTS verdict_reached (
  tree_id VARCHAR, node_id VARCHAR, correct BOOLEAN, grader VARCHAR, detail VARCHAR,
  part INTEGER, off BIGINT, grader_version VARCHAR, original_correct BOOLEAN
);
-- Files made before grader versions (their rows keep original_correct NULL: read as their own label).
ALTER TABLE verdict_reached ADD COLUMN IF NOT EXISTS grader_version VARCHAR DEFAULT '';
ALTER TABLE verdict_reached ADD COLUMN IF NOT EXISTS original_correct BOOLEAN;
CREATE TABLE IF NOT EXISTS critique_emitted (
  tree_id VARCHAR, node_id VARCHAR, critique VARCHAR, model VARCHAR, prompt_tokens INTEGER,
  completion_tokens INTEGER, latency_ms INTEGER, time BIGINT, part INTEGER, off BIGINT
);
CREATE TABLE IF NOT EXISTS tree_closed (
  tree_id VARCHAR, outcome VARCHAR, reason VARCHAR, time BIGINT, part INTEGER, off BIGINT
);
-- A tree closed failed with no row, grown again (grow --retry-failed): only reopens that pipelines/assemble's
-- evolveTree honours are stored. A reopened tree has several tree_closed rows, the last one (by off) after its last
-- reopen being its outcome; strategy_sampled.generation says which growth an action belongs to.
CREATE TABLE IF NOT EXISTS tree_reopened (
  tree_id VARCHAR, generation INTEGER, reason VARCHAR, time BIGINT, part INTEGER, off BIGINT
);
-- Files made before reopens: every action is of the first growth.
ALTER TABLE strategy_sampled ADD COLUMN IF NOT EXISTS generation INTEGER DEFAULT 0;
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
