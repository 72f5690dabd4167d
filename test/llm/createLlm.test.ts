import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlm } from '../../cli/createLlm.ts';
import { createOpenAIClient } from '../../connectors/llm/createOpenAIClient.ts';
import { smolLm2Path } from '../../connectors/llm/llamaCpp/smolLm2Path.ts';
import type { LlmClient } from '../../connectors/llm/llmClient.ts';
import type { GrowSettings } from '../../pipelines/grow/parseGrowYaml.ts';
import { isArboretumError } from '../../schemas/errors.ts';
import { type ScriptedOpenAI, startScriptedOpenAI } from '../support/scriptedOpenAI.ts';

const local = { name: 'smol', kind: 'llama.cpp', modelPath: smolLm2Path(), models: ['smol'] };
let server: ScriptedOpenAI;
beforeAll(async () => {
  server = await startScriptedOpenAI({ reply: () => ({ content: 'remote answer' }) });
});
afterAll(async () => {
  await server.close();
});
/** The real HTTP client factory, recording the settings it was given. */
function recorder() {
  const seen: GrowSettings[] = [];
  const http = (s: GrowSettings): LlmClient => {
    seen.push(s);
    return createOpenAIClient({ endpoints: (s.endpoints ?? []).map((e) => ({ ...e, maxRetries: 0 })) });
  };
  return { seen, http };
}
const remote = () => ({ name: 'remote', baseUrl: server.baseUrl, models: ['big'] });

describe('createLlm (grow wiring of local and HTTP models)', () => {
  it('makes no HTTP client when every model is local (so no key is needed)', async () => {
    const { seen, http } = recorder();
    const llm = createLlm({
      settings: { grow: {}, endpoints: [local] },
      models: ['smol', `gguf:${smolLm2Path()}`],
      http,
    });
    expect(seen).toHaveLength(0);
    expect(llm.knows('smol')).toBe(true);
    expect(llm.knows('big')).toBe(false);
    await llm.close();
  });

  it('hands the HTTP client only the endpoints that are not llama.cpp', async () => {
    const { seen, http } = recorder();
    const llm = createLlm({
      settings: { grow: {}, endpoints: [local, remote()] },
      models: ['smol', 'big'],
      http,
    });
    expect(seen.map((s) => s.endpoints?.map((e) => e.name))).toEqual([['remote']]);
    const r = await llm.chat({ model: 'big', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.text).toBe('remote answer');
    expect(server.requests.map((q) => q.model)).toEqual(['big']);
    await llm.close();
  });

  it('refuses an unknown kind and a llama.cpp endpoint without modelPath, naming the endpoint', () => {
    const { http } = recorder();
    for (const [endpoint, why] of [
      [{ ...local, kind: 'vllm' }, /endpoint smol: kind must be openai or llama.cpp, got "vllm"/],
      [{ ...local, modelPath: undefined }, /endpoint smol: kind llama.cpp needs modelPath/],
    ] as const) {
      let thrown: unknown;
      try {
        createLlm({ settings: { grow: {}, endpoints: [endpoint] }, models: ['smol'], http });
      } catch (e) {
        thrown = e;
      }
      expect(isArboretumError(thrown, 'INVALID_CONFIG')).toBe(true);
      expect((thrown as Error).message).toMatch(why);
    }
  });
});
