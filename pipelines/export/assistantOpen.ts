/** The opening of a one-message assistant list, `[{"role":"assistant","content":` (its text and `}]` follow). */
export const ASSISTANT_OPEN = '[{"role":"assistant","content":';
