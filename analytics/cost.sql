-- What it cost: calls, prompt and completion tokens and latency by model and role (actor roles from
-- StrategySampled; the critic's calls as role 'critic').
CREATE OR REPLACE VIEW cost AS
SELECT model, role, count(*) AS calls, sum(prompt_tokens)::BIGINT AS prompt_tokens,
       sum(completion_tokens)::BIGINT AS completion_tokens,
       (sum(prompt_tokens) + sum(completion_tokens))::BIGINT AS total_tokens,
       round(avg(latency_ms), 1) AS mean_latency_ms
FROM (
  SELECT s.model, s.role, e.prompt_tokens, e.completion_tokens, e.latency_ms
  FROM turn_executed e JOIN strategy_sampled s USING (tree_id, node_id)
  UNION ALL
  SELECT model, 'critic', prompt_tokens, completion_tokens, latency_ms FROM critique_emitted
)
GROUP BY ALL
ORDER BY total_tokens DESC, model, role;
