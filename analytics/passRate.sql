-- How often is an action correct, by turn x strategy x model: judged actions, correct ones, and the rate.
CREATE OR REPLACE VIEW pass_rate AS
SELECT s.turn, s.strategy, s.model, count(*) AS judged, count(*) FILTER (WHERE v.correct) AS correct,
       round(count(*) FILTER (WHERE v.correct) / count(*), 4) AS pass_rate
FROM strategy_sampled s
JOIN verdict_reached v USING (tree_id, node_id)
GROUP BY ALL
ORDER BY turn, strategy, model;
