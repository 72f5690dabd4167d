-- The paper's Table 1 per task and dataset: instructions (trees), preference pairs, correct answers (SFT rows),
-- and trajectories by length T1..T5 (T5 counts five turns or more; a reopened tree's last growth).
CREATE OR REPLACE VIEW table1 AS
WITH lengths AS (
  SELECT o.tree_id, o.task, o.dataset, coalesce(max(s.turn), 0) AS turns
  FROM tree_opened o LEFT JOIN strategy_sampled s
    ON s.tree_id = o.tree_id
   AND NOT EXISTS (SELECT 1 FROM tree_reopened r WHERE r.tree_id = s.tree_id AND r.generation > s.generation)
  GROUP BY ALL
),
p AS (SELECT task, dataset, count(*) AS pairs FROM pair_rows GROUP BY ALL),
c AS (SELECT task, dataset, count(*) AS correct_answers FROM sft_rows GROUP BY ALL)
SELECT l.task, l.dataset, count(*) AS instructions, coalesce(any_value(p.pairs), 0) AS pairs,
       coalesce(any_value(c.correct_answers), 0) AS correct_answers,
       count(*) FILTER (WHERE turns = 1) AS T1, count(*) FILTER (WHERE turns = 2) AS T2,
       count(*) FILTER (WHERE turns = 3) AS T3, count(*) FILTER (WHERE turns = 4) AS T4,
       count(*) FILTER (WHERE turns >= 5) AS T5
FROM lengths l
LEFT JOIN p USING (task, dataset)
LEFT JOIN c USING (task, dataset)
GROUP BY l.task, l.dataset
ORDER BY l.task, l.dataset;
