-- One row per action node: what was sampled (strategy, model, role), done (action, observation), judged and,
-- for expanded nodes, the critique. `valid` is pipelines/assemble/isValidAction's, as
-- the sink wrote it (action_validity).
CREATE OR REPLACE VIEW nodes AS
SELECT s.tree_id, s.node_id, s.parent_id, s.turn, s.strategy, s.model, s.role, s.attempt,
       coalesce(s.task, o.task) AS task, coalesce(s.dataset, o.dataset) AS dataset,
       e.action, e.code, e.answer, e.syntax_ok, e.observation, e.prompt_tokens, e.completion_tokens,
       e.latency_ms, e.failure, v.correct, v.grader, v.detail,
       c.critique, c.model AS critic_model,
       coalesce(a.valid, false) AS valid,
       s.part, s.off
FROM strategy_sampled s
LEFT JOIN tree_opened o USING (tree_id)
LEFT JOIN turn_executed e USING (tree_id, node_id)
LEFT JOIN verdict_reached v USING (tree_id, node_id)
LEFT JOIN critique_emitted c USING (tree_id, node_id)
LEFT JOIN action_validity a USING (tree_id, node_id);
