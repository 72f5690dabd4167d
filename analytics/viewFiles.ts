/**
 * The SQL views, in creation order (a view may read the ones before it). Each file answers one question and is
 * named after it; `CREATE OR REPLACE VIEW <name>` inside.
 */
export const viewFiles: readonly string[] = [
  'trees.sql',
  'nodes.sql',
  'pairs.sql',
  'sft.sql',
  'strategyDiversity.sql',
  // The sink's action_features table (filled after each sync), then the views over it.
  'actionFeatures.sql',
  'actionDiversity.sql',
  'passRate.sql',
  'treeLength.sql',
  'critiqueEffectiveness.sql',
  'modelContribution.sql',
  'cost.sql',
  'table1.sql',
];
