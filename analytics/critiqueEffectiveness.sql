-- Do critiques help: for nodes critiqued at turn t (by critic model), the actions sampled after them at t+1 and
-- P(correct at t+1 | critiqued at t), per action and per critiqued node (at least one correct follow-up).
CREATE OR REPLACE VIEW critique_effectiveness AS
WITH followups AS (
  SELECT c.tree_id, c.node_id, s.turn, c.model AS critic_model,
         count(n.node_id) FILTER (WHERE n.correct IS NOT NULL) AS judged_next,
         count(n.node_id) FILTER (WHERE n.correct) AS correct_next
  FROM critique_emitted c
  JOIN strategy_sampled s USING (tree_id, node_id)
  LEFT JOIN (
    SELECT ss.tree_id, ss.parent_id, ss.node_id, v.correct
    FROM strategy_sampled ss LEFT JOIN verdict_reached v USING (tree_id, node_id)
  ) n ON n.tree_id = c.tree_id AND n.parent_id = c.node_id
  GROUP BY ALL
)
SELECT turn, critic_model, count(*) AS critiqued, count(*) FILTER (WHERE judged_next > 0) AS followed_up,
       sum(judged_next)::BIGINT AS next_actions, sum(correct_next)::BIGINT AS next_correct,
       round(sum(correct_next) / nullif(sum(judged_next), 0), 4) AS p_correct_next,
       round(count(*) FILTER (WHERE correct_next > 0) / nullif(count(*) FILTER (WHERE judged_next > 0), 0), 4)
         AS p_solved_next
FROM followups
GROUP BY ALL
ORDER BY turn, critic_model;
