-- How different the actions are in their text, not only in their strategy label (beside strategy_diversity), from
-- the features the sink stores per action (action_features, pipelines/features/textFeaturesOf). Siblings are the
-- actions of one turn continuing the same node (same tree, growth, turn and parent). Per tree:
--   distinct_3: distinct word 3-grams over the tree's actions / all their 3-grams (1 = no 3-gram repeats; distinct-n);
--   mean_jaccard_distance: mean over sibling pairs of 1 - |A∩B| / |A∪B| of their 3-gram sets (0 = same text);
--   near_duplicate_share: share of actions with a sibling at Jaccard similarity >= 0.8 (of those with a sibling);
-- plus mean steps, share with code and mean length. action_diversity has the same per task and dataset: trees'
-- distinct_3 averaged (each tree is its own problem), sibling pairs and actions pooled.
CREATE OR REPLACE VIEW action_text AS
SELECT s.tree_id, s.node_id, s.parent_id, s.turn, s.generation, s.strategy, s.task, s.dataset,
       f.steps, f.has_code, f.chars, f.ngrams, f.shingles
FROM strategy_sampled s JOIN action_features f USING (tree_id, node_id);

CREATE OR REPLACE VIEW sibling_pairs AS
SELECT a.tree_id, a.task, a.dataset, a.turn, a.node_id AS node_a, b.node_id AS node_b,
       a.strategy AS strategy_a, b.strategy AS strategy_b,
       CASE WHEN len(a.shingles) + len(b.shingles) = 0 THEN 1.0
            ELSE len(list_intersect(a.shingles, b.shingles))
                 / (len(a.shingles) + len(b.shingles) - len(list_intersect(a.shingles, b.shingles)))
       END AS jaccard
FROM action_text a JOIN action_text b
  ON a.tree_id = b.tree_id AND a.generation = b.generation AND a.turn = b.turn
 AND a.parent_id IS NOT DISTINCT FROM b.parent_id AND a.node_id < b.node_id;

CREATE OR REPLACE VIEW tree_action_diversity AS
WITH near AS (
  SELECT tree_id, node_a AS node_id, max(jaccard) AS closest FROM sibling_pairs GROUP BY ALL
  UNION ALL
  SELECT tree_id, node_b, max(jaccard) FROM sibling_pairs GROUP BY ALL
),
per_action AS (SELECT tree_id, node_id, max(closest) AS closest FROM near GROUP BY ALL),
grams AS (
  SELECT tree_id, count(DISTINCT g) AS distinct_grams
  FROM (SELECT tree_id, unnest(shingles) AS g FROM action_text) GROUP BY tree_id
),
actions AS (
  SELECT tree_id, any_value(task) AS task, any_value(dataset) AS dataset, count(*) AS actions,
         sum(ngrams) AS ngrams, avg(steps) AS mean_steps, avg(has_code::INTEGER) AS code_share,
         avg(chars) AS mean_chars
  FROM action_text GROUP BY tree_id
)
SELECT a.tree_id, a.task, a.dataset, a.actions::BIGINT AS actions,
       round(CASE WHEN a.ngrams > 0 THEN coalesce(g.distinct_grams, 0) / a.ngrams END, 4) AS distinct_3,
       (SELECT count(*) FROM sibling_pairs p WHERE p.tree_id = a.tree_id)::BIGINT AS sibling_pairs,
       round((SELECT avg(1 - p.jaccard) FROM sibling_pairs p WHERE p.tree_id = a.tree_id), 4) AS mean_jaccard_distance,
       round((SELECT avg((n.closest >= 0.8)::INTEGER) FROM per_action n WHERE n.tree_id = a.tree_id), 4)
         AS near_duplicate_share,
       round(a.mean_steps, 2) AS mean_steps, round(a.code_share, 4) AS code_share,
       round(a.mean_chars, 1) AS mean_chars
FROM actions a LEFT JOIN grams g USING (tree_id)
ORDER BY a.task, a.dataset, a.tree_id;

CREATE OR REPLACE VIEW action_diversity AS
WITH near AS (
  SELECT tree_id, node_a AS node_id, jaccard FROM sibling_pairs
  UNION ALL
  SELECT tree_id, node_b, jaccard FROM sibling_pairs
),
per_action AS (
  SELECT n.tree_id, n.node_id, max(n.jaccard) AS closest FROM near n GROUP BY ALL
),
pairs AS (
  SELECT task, dataset, count(*) AS sibling_pairs, avg(1 - jaccard) AS mean_jaccard_distance
  FROM sibling_pairs GROUP BY ALL
),
dups AS (
  SELECT t.task, t.dataset, avg((p.closest >= 0.8)::INTEGER) AS near_duplicate_share
  FROM per_action p JOIN action_text t USING (tree_id, node_id) GROUP BY ALL
),
trees AS (
  SELECT task, dataset, count(*) AS trees, sum(actions) AS actions, avg(distinct_3) AS distinct_3,
         sum(mean_steps * actions) / sum(actions) AS mean_steps, sum(code_share * actions) / sum(actions) AS code_share,
         sum(mean_chars * actions) / sum(actions) AS mean_chars
  FROM tree_action_diversity GROUP BY ALL
)
SELECT t.task, t.dataset, t.trees::BIGINT AS trees, t.actions::BIGINT AS actions, round(t.distinct_3, 4) AS distinct_3,
       coalesce(p.sibling_pairs, 0)::BIGINT AS sibling_pairs, round(p.mean_jaccard_distance, 4) AS mean_jaccard_distance,
       round(d.near_duplicate_share, 4) AS near_duplicate_share, round(t.mean_steps, 2) AS mean_steps,
       round(t.code_share, 4) AS code_share, round(t.mean_chars, 1) AS mean_chars
FROM trees t
LEFT JOIN pairs p ON p.task IS NOT DISTINCT FROM t.task AND p.dataset IS NOT DISTINCT FROM t.dataset
LEFT JOIN dups d ON d.task IS NOT DISTINCT FROM t.task AND d.dataset IS NOT DISTINCT FROM t.dataset
ORDER BY t.task, t.dataset;
