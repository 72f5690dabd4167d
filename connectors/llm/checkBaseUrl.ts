import { ArboretumError } from '../../schemas/errors.ts';

/**
 * Checks an endpoint's base URL when the config is read, so a typo stops grow before it starts instead of failing
 * every call: an absolute http(s) URL with a host. INVALID_CONFIG names the endpoint and the value.
 */
export function checkBaseUrl(endpoint: string, value: string | undefined): void {
  if (value === undefined) return;
  const bad = (why: string) =>
    new ArboretumError(
      'INVALID_CONFIG',
      `llm endpoint ${endpoint}: baseUrl ${JSON.stringify(value)} ${why} (expected e.g. http://127.0.0.1:8000/v1)`,
      { context: { endpoint, baseUrl: value } },
    );
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad('is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw bad(`has protocol ${url.protocol}, not http(s)`);
  if (!url.hostname) throw bad('has no host');
}
