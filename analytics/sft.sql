-- SFT rows as pipelines/assemble/sftOf decides them: every valid correct action with its instruction, history
-- dropped; the same rows as `arboretum export --format ultrainteract-sft`.
CREATE OR REPLACE VIEW sft AS
SELECT s.id, s.parent_id, s.tree_id, s.task, s.dataset, s.turn, s.node_id, s.model,
       o.instruction_json->>'instruction' AS instruction, e.action AS response
FROM sft_rows s
LEFT JOIN tree_opened o ON o.tree_id = s.tree_id
LEFT JOIN turn_executed e ON e.tree_id = s.tree_id AND e.node_id = s.node_id;
