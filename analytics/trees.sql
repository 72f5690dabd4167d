-- One row per tree: its instruction, outcome, size and trajectory length (turns, the paper's T1..T5). A reopened tree
-- (grow --retry-failed) is described by its last growth: the actions of the growths that failed before it are in
-- `nodes` (they were asked and paid for) but not counted here; `reopens` says how many there were.
CREATE OR REPLACE VIEW trees AS
WITH stale AS (
  SELECT DISTINCT s.tree_id, s.node_id FROM strategy_sampled s
  JOIN tree_reopened r ON r.tree_id = s.tree_id AND r.generation > s.generation
),
node_stats AS (
  SELECT tree_id, count(*) AS actions, max(turn) AS turns
  FROM strategy_sampled ANTI JOIN stale USING (tree_id, node_id) GROUP BY tree_id
),
verdict_stats AS (
  SELECT tree_id, count(*) FILTER (WHERE correct) AS correct_actions,
         count(*) FILTER (WHERE NOT correct) AS incorrect_actions
  FROM verdict_reached ANTI JOIN stale USING (tree_id, node_id) GROUP BY tree_id
),
reopens AS (SELECT tree_id, count(*) AS reopens, max(off) AS off FROM tree_reopened GROUP BY tree_id),
closes AS (
  SELECT c.* FROM tree_closed c LEFT JOIN reopens r USING (tree_id)
  WHERE r.off IS NULL OR c.off > r.off
)
SELECT o.tree_id, o.instruction_id, o.task, o.dataset, o.instruction_json->>'instruction' AS instruction,
       o.instruction_json->'reference'->>'answer' AS reference_answer,
       coalesce(n.actions, 0) AS actions, coalesce(v.correct_actions, 0) AS correct_actions,
       coalesce(v.incorrect_actions, 0) AS incorrect_actions, coalesce(n.turns, 0) AS turns,
       c.outcome, c.reason, c.outcome IS NOT NULL AS closed,
       epoch_ms(o.time) AS opened_at, epoch_ms(c.time) AS closed_at, coalesce(r.reopens, 0) AS reopens
FROM tree_opened o
LEFT JOIN node_stats n USING (tree_id)
LEFT JOIN verdict_stats v USING (tree_id)
LEFT JOIN closes c USING (tree_id)
LEFT JOIN reopens r USING (tree_id);
