/** DuckDB from_json structures shared by the formats (JSON text). */
export const MESSAGES = '[{"role":"VARCHAR","content":"VARCHAR"}]';
export const UTTERANCES = '[{"from":"VARCHAR","value":"VARCHAR"}]';
