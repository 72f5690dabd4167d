import type { EndpointConfig } from './endpointConfig.ts';

/**
 * The endpoint that serves `model` (pure; the client's routing rule): the first endpoint listing it, else the one
 * endpoint that lists no models, else undefined.
 */
export function endpointOf(endpoints: readonly EndpointConfig[], model: string): EndpointConfig | undefined {
  return endpoints.find((e) => e.models?.includes(model)) ?? endpoints.find((e) => !e.models?.length);
}
