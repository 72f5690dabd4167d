-- One row per tree: its instruction, outcome, size and trajectory length (turns, the paper's T1..T5).
CREATE OR REPLACE VIEW trees AS
WITH node_stats AS (
  SELECT tree_id, count(*) AS actions, max(turn) AS turns
  FROM strategy_sampled GROUP BY tree_id
),
verdict_stats AS (
  SELECT tree_id, count(*) FILTER (WHERE correct) AS correct_actions,
         count(*) FILTER (WHERE NOT correct) AS incorrect_actions
  FROM verdict_reached GROUP BY tree_id
)
SELECT o.tree_id, o.instruction_id, o.task, o.dataset, o.instruction_json->>'instruction' AS instruction,
       o.instruction_json->'reference'->>'answer' AS reference_answer,
       coalesce(n.actions, 0) AS actions, coalesce(v.correct_actions, 0) AS correct_actions,
       coalesce(v.incorrect_actions, 0) AS incorrect_actions, coalesce(n.turns, 0) AS turns,
       c.outcome, c.reason, c.outcome IS NOT NULL AS closed,
       epoch_ms(o.time) AS opened_at, epoch_ms(c.time) AS closed_at
FROM tree_opened o
LEFT JOIN node_stats n USING (tree_id)
LEFT JOIN verdict_stats v USING (tree_id)
LEFT JOIN tree_closed c USING (tree_id);
