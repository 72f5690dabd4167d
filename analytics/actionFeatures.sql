-- Text features of each action (pipelines/features/textFeaturesOf), stored by the analytics sink after each sync
-- (pipelines/analyticsSink/actionFeatures.ts): distinct "Step N:" numbers, a code block, length (UTF-16 units),
-- word 3-grams with repeats, and the set of their 32-bit hashes (ascending, distinct) that action_diversity compares.
CREATE TABLE IF NOT EXISTS action_features (
  tree_id VARCHAR, node_id VARCHAR, steps INTEGER, has_code BOOLEAN, chars INTEGER, ngrams INTEGER,
  shingles UINTEGER[]
);
