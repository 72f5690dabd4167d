import type { EndpointConfig } from './endpointConfig.ts';
import { endpointOf } from './endpointOf.ts';

/**
 * The models (of `models`, without repeats, in order) whose endpoint has no price for them: a dollar budget cannot be
 * kept for these, since their calls would count as $0.
 */
export function unpricedModels(endpoints: readonly EndpointConfig[], models: readonly string[]): string[] {
  return [...new Set(models)].filter((m) => !endpointOf(endpoints, m)?.prices?.[m]);
}
