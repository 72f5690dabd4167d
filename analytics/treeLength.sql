-- How long are the trajectories (the paper's Table 1, T1..T5): trees by number of turns, overall share. A reopened
-- tree counts its last growth's turns.
CREATE OR REPLACE VIEW tree_length AS
SELECT turns, 'T' || turns AS length, count(*) AS trees,
       round(count(*) / sum(count(*)) OVER (), 4) AS share
FROM (
  SELECT tree_id, max(turn) AS turns FROM strategy_sampled s
  WHERE NOT EXISTS (SELECT 1 FROM tree_reopened r WHERE r.tree_id = s.tree_id AND r.generation > s.generation)
  GROUP BY tree_id
)
GROUP BY turns
ORDER BY turns;
