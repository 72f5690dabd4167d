-- Preference pairs as pipelines/assemble/pairsOf decides them (the sink stores its decisions; the texts are the
-- chosen and rejected nodes' actions): the same rows as `arboretum export --format ultrainteract-pair`.
CREATE OR REPLACE VIEW pairs AS
SELECT p.id, p.parent_id, p.tree_id, p.task, p.dataset, p.turn, p.trajectory_json AS trajectory,
       ce.action AS chosen, re.action AS rejected, p.chosen_node_id, p.rejected_node_id,
       p.chosen_model, p.rejected_model
FROM pair_rows p
LEFT JOIN turn_executed ce ON ce.tree_id = p.tree_id AND ce.node_id = p.chosen_node_id
LEFT JOIN turn_executed re ON re.tree_id = p.tree_id AND re.node_id = p.rejected_node_id;
