/**
 * DEMO ONLY — a canned OpenAI-compatible endpoint for trying `arboretum grow` without an API key or a GPU.
 *
 * It is NOT a model: it answers the problems of examples/instructions.jsonl from their own reference answers,
 * right or wrong by a coin flip on the request's seed (always right once a critique is in the history or the
 * reference is in the prompt), and every critique is the same sentence. Trees grown against it show the mechanics
 * (turns, pairs, fallbacks, critiques, export), not data worth training on. For real trees, point grow at OpenAI or
 * a local vLLM / Ollama / llama.cpp server.
 *
 *   npx tsx examples/demoEndpoint.ts [--port 8765] [--latency-ms 50]
 *   npx arboretum grow --instructions examples/instructions.jsonl --base-url http://127.0.0.1:8765/v1 --model demo
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startScriptedOpenAI } from '../connectors/llm/scripted/startScriptedOpenAI.ts';
import type { Instruction } from '../schemas/types.ts';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '8765' }, 'latency-ms': { type: 'string', default: '50' } },
});
const examples: Instruction[] = readFileSync(new URL('./instructions.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const byText = new Map(examples.map((e) => [e.instruction, e]));

function answerFor(e: Instruction, right: boolean): string {
  const ref = e.reference;
  if (e.task === 'Coding') {
    const code = right ? (ref.solution ?? 'print()') : 'print(0)';
    return `Step 1: Read the input.\nStep 2: Compute the result and print it.\n\`\`\`python\n# Step 1: read and solve\n${code}\n\`\`\``;
  }
  const answer = ref.answer ?? '';
  const wrong = /^-?\d+$/.test(answer)
    ? String(Number(answer) + 7)
    : answer === 'True'
      ? 'False'
      : answer === 'False'
        ? 'True'
        : answer === 'A'
          ? 'B'
          : 'A';
  const value = right ? answer : wrong;
  if (e.task === 'Math_PoT') {
    return `Step 1: Work out the quantity with Python.\n\`\`\`python\n# Step 1: print the result\nprint(${/^-?\d+$/.test(value) ? value : JSON.stringify(value)})\n\`\`\``;
  }
  return `Step 1: Read the problem carefully.\nStep 2: Work it out step by step.\nAnswer:\n\\boxed{${value}}`;
}

const server = await startScriptedOpenAI({
  port: Number(values.port),
  latencyMs: Number(values['latency-ms']),
  record: false,
  reply: (r) => {
    const system = r.messages[0]?.content ?? '';
    if (system.startsWith('You are a strict, helpful teacher')) {
      return {
        content:
          'Step 2 goes wrong: the quantity computed there is not what the question asks for. Recheck it against the question and recompute.',
      };
    }
    const user = r.messages.find((m) => m.role === 'user')?.content ?? '';
    const e = byText.get(user);
    if (!e)
      return { content: 'Step 1: (demo endpoint) I only know the problems of examples/instructions.jsonl.' };
    const critiqued = r.messages.some(
      (m) => m.role === 'user' && m.content.includes('Your answer is wrong.'),
    );
    const given = system.includes('A reference solution is given below');
    const seed = Number(r.body.seed ?? 0);
    return { content: answerFor(e, critiqued || given || seed % 2 === 0) };
  },
});
console.error(
  `DEMO endpoint (canned answers, not a model) on ${server.baseUrl}\n` +
    `  npx arboretum grow --instructions examples/instructions.jsonl --base-url ${server.baseUrl} --model demo\n` +
    'Ctrl-C to stop.',
);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
