-- What each actor model contributes: actions, correct ones, pass rate, and rows in the exports (chosen /
-- rejected in pairs, SFT responses).
CREATE OR REPLACE VIEW model_contribution AS
WITH actions AS (
  SELECT s.model, count(*) AS actions, count(*) FILTER (WHERE v.correct) AS correct,
         count(v.node_id) AS judged
  FROM strategy_sampled s LEFT JOIN verdict_reached v USING (tree_id, node_id)
  GROUP BY s.model
),
chosen AS (SELECT chosen_model AS model, count(*) AS chosen FROM pair_rows GROUP BY 1),
rejected AS (SELECT rejected_model AS model, count(*) AS rejected FROM pair_rows GROUP BY 1),
sft AS (SELECT model, count(*) AS sft_rows FROM sft_rows GROUP BY 1)
SELECT model, actions, correct, round(correct / nullif(judged, 0), 4) AS pass_rate,
       coalesce(chosen, 0) AS chosen, coalesce(rejected, 0) AS rejected, coalesce(sft_rows, 0) AS sft_rows,
       round(coalesce(chosen, 0) / nullif(sum(coalesce(chosen, 0)) OVER (), 0), 4) AS share_of_chosen
FROM actions
FULL JOIN chosen USING (model)
FULL JOIN rejected USING (model)
FULL JOIN sft USING (model)
ORDER BY actions DESC NULLS LAST, model;
