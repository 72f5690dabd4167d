/** How a turn's slots draw their strategy (pipelines/strategies/pickStrategy). */
export const strategyPolicies = ['round-robin', 'uniform', 'weighted'] as const;
