import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import { exportLog } from '../../pipelines/export/exportLog.ts';
import { createTokenCounter } from '../../pipelines/export/tokenCounter.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { treeScript } from '../assemble/treeScript.ts';
import { cli } from '../support/cli.ts';

const SYSTEM = 'Plan with a chain of thought. Present your final answer as \\boxed{Your Answer}.';
const WITH_REFERENCE = `${SYSTEM}\n\nA reference solution is given below: 42.`;
const TREES = 24;

/**
 * Trees as the grower writes them: turn 1 a correct and an incorrect action (one pair), the incorrect one critiqued;
 * turn 2 two correct and two incorrect (two pairs sharing one prompt: four KTO rows with the same prompt). Every third
 * tree has a long instruction (about 700 words), so its prompts pass 512 tokens. Tree 0's turn-2 actions were given
 * the reference (role ground-truth), whose system prompt must not reach the exports.
 */
function logEvents(): TreeEvent[] {
  const events: TreeEvent[] = [];
  for (let t = 0; t < TREES; t++) {
    const long = t % 3 === 0;
    const text = long
      ? `Problem ${t}: ${'compute the sum of the numbers '.repeat(117)}`
      : `Problem ${t}: 2+2?`;
    const s = treeScript(`trainer-${t}`, { task: t % 2 ? 'Math_CoT' : 'Coding', dataset: 'GSM8K', text })
      .open()
      .action(`c1-${t}`, { correct: true, action: `Step 1: 4 (tree ${t})`, system: SYSTEM })
      .action(`w1-${t}`, { correct: false, action: `Step 1: 5 (tree ${t})`, system: SYSTEM })
      .critique(`w1-${t}`, 'The sum is wrong.');
    const turn2 = t === 0 ? { system: WITH_REFERENCE, role: 'ground-truth' } : { system: SYSTEM };
    for (const k of [1, 2]) {
      s.action(`c2${k}-${t}`, {
        parent: `w1-${t}`,
        turn: 2,
        correct: true,
        action: `Step 2: 4 #${k}`,
        ...turn2,
      });
      s.action(`w2${k}-${t}`, {
        parent: `w1-${t}`,
        turn: 2,
        correct: false,
        action: `Step 2: 3 #${k}`,
        ...turn2,
      });
    }
    events.push(...s.close().events);
  }
  return events;
}

/** A real Hugging Face tokenizer.json: a word-level model over a whitespace pre-tokenizer. */
function tokenizerJson() {
  const vocab: Record<string, number> = { '[UNK]': 0 };
  for (const w of 'step 1 2 : 4 5 3 # the sum is wrong . compute of numbers problem ? + ( ) tree'.split(
    ' ',
  )) {
    vocab[w] = Object.keys(vocab).length;
  }
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      {
        id: 0,
        content: '[UNK]',
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
    ],
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
  };
}

/** Tokens as that tokenizer makes them, counted independently: Whitespace splits into \w+ and [^\w\s]+ runs. */
const words = (text: string) => (text.match(/\w+|[^\w\s]+/g) ?? []).length;
/** Our rule: each message's content plus 4 tokens of chat-template markup. */
const messageTokens = (messages: { content: string }[]) =>
  messages.reduce((n, m) => n + words(m.content) + 4, 0);

interface Message {
  role: string;
  content: string;
}

/** TRL's is_conversational + the roles a chat template accepts: a list of {role, content} strings. */
function expectMessages(value: unknown, where: string) {
  expect(Array.isArray(value), where).toBe(true);
  for (const m of value as Message[]) {
    expect(Object.keys(m), where).toEqual(['role', 'content']);
    expect(['system', 'user', 'assistant'], where).toContain(m.role);
    expect(typeof m.content, where).toBe('string');
  }
  const messages = value as Message[];
  expect(
    messages.slice(1).some((m) => m.role === 'system'),
    `${where}: system only first`,
  ).toBe(false);
}

/**
 * TRL's KTOTrainer KL rule, as in `_get_kl_dataset` mapped with batched=True, batch_size=per_device_train_batch_size
 * before any shuffle: within each block of B consecutive rows the completions are rotated by one (row i gets row
 * i-1's completion, the block's first row gets its last's). `offset` shifts where blocks start (datasets' map with
 * num_proc cuts the file into contiguous shards first). Returns the rows that got a completion of their own prompt,
 * in blocks of two rows or more.
 */
function klSelfMatches(rows: { prompt: unknown }[], batch: number, offset = 0): number[] {
  const prompts = rows.map((r) => JSON.stringify(r.prompt));
  const bad: number[] = [];
  const starts = [0];
  for (let s = offset || batch; s < rows.length; s += batch) starts.push(s);
  for (let b = 0; b < starts.length; b++) {
    const start = starts[b];
    const end = Math.min(b + 1 < starts.length ? starts[b + 1] : rows.length, rows.length);
    // A block of one row keeps its own completion whatever the order (TRL's tests exclude that case too).
    if (end - start < 2) continue;
    for (let i = start; i < end; i++) {
      const from = i === start ? end - 1 : i - 1;
      if (prompts[from] === prompts[i]) bad.push(i);
    }
  }
  return bad;
}

let dir: string;
let tokenizer: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-trainer-checks-'));
  tokenizer = join(dir, 'tokenizer.json');
  await writeFile(tokenizer, JSON.stringify(tokenizerJson()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const readLines = async (path: string) =>
  (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('exports through the checks trainers apply', () => {
  it('trl-dpo, trl-kto, trl-sft and rm-pairs rows have the types TRL reads, with the actors’ system prompt', async () => {
    const out = (f: string) => join(dir, 'types', `${f}.jsonl`);
    const names = ['trl-dpo', 'trl-kto', 'trl-sft', 'rm-pairs', 'openai-sft', 'sharegpt'];
    await exportLog({
      events: from(logEvents()),
      targets: names.map((n) => ({ format: exportFormats.get(n)!, out: out(n) })),
      systemPrompt: 'actor',
      context: 'trajectory',
    });
    const dpo = await readLines(out('trl-dpo'));
    expect(dpo).toHaveLength(TREES * 3);
    for (const [i, r] of dpo.entries()) {
      expect(Object.keys(r)).toEqual(['prompt', 'chosen', 'rejected']);
      expectMessages(r.prompt, `dpo ${i} prompt`);
      expect(r.prompt[0]).toEqual({ role: 'system', content: SYSTEM });
      expect(r.prompt.at(-1).role).toBe('user');
      for (const k of ['chosen', 'rejected']) {
        expectMessages(r[k], `dpo ${i} ${k}`);
        expect(r[k].map((m: Message) => m.role)).toEqual(['assistant']);
      }
    }
    // The reference never reaches a prompt: tree 0's turn-2 pairs fall back to its turn-1 system prompt.
    expect(JSON.stringify(dpo)).not.toContain('reference solution');

    const kto = await readLines(out('trl-kto'));
    expect(kto).toHaveLength(TREES * 6);
    for (const r of kto) {
      expect(Object.keys(r)).toEqual(['prompt', 'completion', 'label']);
      expectMessages(r.prompt, 'kto prompt');
      expect(r.completion.map((m: Message) => m.role)).toEqual(['assistant']);
      expect(typeof r.label).toBe('boolean');
    }
    expect(kto.filter((r) => r.label)).toHaveLength(TREES * 3);

    const sft = await readLines(out('trl-sft'));
    expect(sft).toHaveLength(TREES * 3);
    for (const r of sft) {
      expect(Object.keys(r)).toEqual(['prompt', 'completion']);
      expectMessages(r.prompt, 'sft prompt');
      expect(r.prompt.at(-1).role).toBe('user');
      expect(r.completion.map((m: Message) => m.role)).toEqual(['assistant']);
    }
    // --context trajectory: a turn-2 answer comes with the history it was written in.
    const turn2 = sft.find((r) => r.completion[0].content === 'Step 2: 4 #1');
    expect(turn2.prompt.map((m: Message) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(turn2.prompt[3].content).toBe('Your answer is wrong.\nThe sum is wrong.');

    const rm = await readLines(out('rm-pairs'));
    expect(rm.length).toBeGreaterThan(0);
    for (const r of rm) {
      expectMessages(r.prompt, 'rm prompt');
      expect(r.prompt.map((m: Message) => m.role)).toEqual(['system', 'user']);
      for (const k of ['chosen', 'rejected']) {
        expectMessages(r[k], `rm ${k}`);
        expect(r[k].at(-1).role).toBe('assistant');
        // Each action with its own later history (assistant/user turns before it), never the shared instruction.
        expect(r[k].length).toBe(1 + 2 * (r[`${k}_turn`] - 1));
      }
    }
    const share = await readLines(out('sharegpt'));
    expect(share[0].conversations[0]).toEqual({ from: 'system', value: SYSTEM });
  });

  it('trl-kto passes TRL’s KL block rule at every batch size up to the gap it reports; the old layout fails it', async () => {
    const out = join(dir, 'kto', 'kto.jsonl');
    const { outputs } = await exportLog({
      events: from(logEvents()),
      targets: [{ format: exportFormats.get('trl-kto')!, out }],
    });
    const rows = await readLines(out);
    const { spread } = outputs[0];
    expect(spread).not.toBeNull();
    // 24 trees × (1 group of 2 rows + 1 group of 4): 144 rows, widest group 4, so about 144 / 4 apart.
    expect(spread!.width).toBe(4);
    expect(spread!.minGap).toBeGreaterThanOrEqual(Math.ceil(rows.length / 4) - 2);
    for (let batch = 2; batch <= spread!.minGap; batch++) {
      for (const offset of [0, 1, 7]) expect(klSelfMatches(rows, batch, offset), `B=${batch}`).toEqual([]);
    }
    // One more than the gap breaks the rule somewhere, so the reported bound is tight.
    const over = spread!.minGap + 1;
    const anyOffset = Array.from({ length: over }, (_, o) => klSelfMatches(rows, over, o).length);
    expect(Math.max(...anyOffset)).toBeGreaterThan(0);
    // The layout before this change (each pair's two rows side by side, sorted by tree): fails at batch 2.
    const adjacent = [...rows].sort((a, b) =>
      JSON.stringify(a.prompt) < JSON.stringify(b.prompt)
        ? -1
        : JSON.stringify(a.prompt) > JSON.stringify(b.prompt)
          ? 1
          : 0,
    );
    expect(klSelfMatches(adjacent, 2).length).toBeGreaterThan(0);
    // Labels are mixed along the file, not all true then all false.
    const firstHalf = rows.slice(0, rows.length / 2).filter((r) => r.label).length;
    expect(firstHalf).toBeGreaterThan(0);
    expect(firstHalf).toBeLessThan(rows.length / 2);
    // Deterministic: the same seed gives the same bytes; another seed another order of the same rows.
    const again = join(dir, 'kto', 'again.jsonl');
    const other = join(dir, 'kto', 'other.jsonl');
    await exportLog({
      events: from(logEvents()),
      targets: [{ format: exportFormats.get('trl-kto')!, out: again }],
    });
    await exportLog({
      events: from(logEvents()),
      targets: [{ format: exportFormats.get('trl-kto')!, out: other }],
      seed: 7,
    });
    expect(await readFile(again, 'utf8')).toBe(await readFile(out, 'utf8'));
    const otherText = await readFile(other, 'utf8');
    expect(otherText).not.toBe(await readFile(out, 'utf8'));
    expect(otherText.split('\n').sort()).toEqual((await readFile(out, 'utf8')).split('\n').sort());
  });

  it('counts tokens with a tokenizer.json and warns how many rows TRL would drop at 512 / 1024 / 2048', async () => {
    const logDir = join(dir, 'log');
    const log = createFileEventLog({ dir: logDir, fsync: 'never', onRecovered: () => {} });
    await log.append(
      topics.treeEvents,
      logEvents().map((value) => ({ value })),
    );
    await log.close();
    const out = join(dir, 'cli', 'pairs.jsonl');
    const r = await cli([
      'export',
      '--log',
      `file:${logDir}`,
      '--format',
      'trl-dpo',
      '--out',
      out,
      '--tokenizer',
      tokenizer,
    ]);
    expect(r.code).toBe(0);
    const rows = await readLines(out);
    // Independently: prompts longer than each limit, by the same tokenizer's rule.
    const over = (limit: number) => rows.filter((row) => messageTokens(row.prompt) > limit).length;
    expect(over(512)).toBe((TREES / 3) * 3); // every pair of the long trees
    expect(over(1024)).toBe(0);
    expect(r.stderr).toContain(
      `trl-dpo: of ${rows.length} rows, those with a prompt longer than max_length would be dropped by TRL's DPOTrainer (prompt alone over max_length): ${over(512)} at max_length 512, ${over(1024)} at max_length 1024, ${over(2048)} at max_length 2048 (tokens by ${tokenizer})`,
    );
    // Without a tokenizer the warning says it approximates.
    const approx = await cli(['export', '--log', `file:${logDir}`, '--format', 'trl-dpo', '--out', out]);
    expect(approx.stderr).toContain('approximate: 4 characters a token; pass --tokenizer for exact counts');
    // The exact counter agrees with the independent count on a sample.
    const counter = createTokenCounter({ tokenizer });
    expect(counter.count(rows[0].prompt.at(-1).content)).toBe(words(rows[0].prompt.at(-1).content));
  });

  it('writes one Hugging Face card for several exports into one folder; its YAML parses with every field', async () => {
    const logDir = join(dir, 'log');
    const folder = join(dir, 'card');
    const base = ['export', '--log', `file:${logDir}`, '--card', '--license', 'apache-2.0'];
    expect(
      (await cli([...base, '--format', 'ultrainteract-pair', '--out', join(folder, 'pairs.jsonl')])).code,
    ).toBe(0);
    expect((await cli([...base, '--format', 'trl-sft', '--out', join(folder, 'sft.jsonl')])).code).toBe(0);
    expect((await cli([...base, '--format', 'trl-dpo', '--out', join(folder, 'dpo.parquet')])).code).toBe(0);
    const missing = await cli([
      'export',
      '--log',
      `file:${logDir}`,
      '--card',
      '--format',
      'trl-dpo',
      '--out',
      join(folder, 'x.jsonl'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--card needs --license');
    const card = await readFile(join(folder, 'README.md'), 'utf8');
    const yaml = parse(/^---\n([\s\S]*?)\n---\n/.exec(card)![1]);
    expect(yaml.license).toBe('apache-2.0');
    expect(yaml.language).toEqual(['en']);
    expect(yaml.task_categories).toEqual(['text-generation']);
    expect(yaml.size_categories).toEqual(['n<1K']);
    expect(yaml.configs).toEqual([
      { config_name: 'dpo', data_files: [{ split: 'train', path: 'dpo.parquet' }] },
      { config_name: 'pairs', data_files: [{ split: 'train', path: 'pairs.jsonl' }] },
      { config_name: 'sft', data_files: [{ split: 'train', path: 'sft.jsonl' }] },
    ]);
    const features = Object.fromEntries(
      yaml.dataset_info.map((c: { config_name: string; features: { name: string }[] }) => [
        c.config_name,
        c.features.map((f) => f.name),
      ]),
    );
    // Columns as they really are: the trl-dpo file has no id / parent_id.
    expect(features).toEqual({
      dpo: ['prompt', 'chosen', 'rejected'],
      pairs: ['id', 'parent_id', 'task', 'dataset', 'trajectory', 'chosen', 'rejected'],
      sft: ['prompt', 'completion'],
    });
    const dpoInfo = yaml.dataset_info.find((c: { config_name: string }) => c.config_name === 'dpo');
    expect(dpoInfo.features[0]).toEqual({
      name: 'prompt',
      list: [
        { name: 'role', dtype: 'string' },
        { name: 'content', dtype: 'string' },
      ],
    });
    expect(dpoInfo.splits).toEqual([{ name: 'train', num_examples: TREES * 3 }]);
    // Body: models, grader, counts per task / turn, lengths with the warning, and the citation.
    expect(card).toContain('Actor models: `strong`, `weak`; critic models: `critic`');
    expect(card).toContain('Graders (name and version, as on the log): `math`');
    expect(card).toContain(`| Coding | ${(TREES * 3) / 2} | 50.0% |`);
    expect(card).toContain(`| 2 | ${TREES * 2} | 66.7% |`);
    expect(card).toContain('| max_length | rows with a longer prompt | rows longer in all |');
    expect(card).toContain('> **Warning.** trl-dpo: of 72 rows');
    expect(card).toContain('arXiv:2404.02078');
    expect(card).toContain('Advancing LLM Reasoning Generalists with Preference Trees');
    // The same file exported again replaces its config, the others stay.
    expect(
      (await cli([...base, '--format', 'trl-sft', '--max-turn', '1', '--out', join(folder, 'sft.jsonl')]))
        .code,
    ).toBe(0);
    const again = parse(
      /^---\n([\s\S]*?)\n---\n/.exec(await readFile(join(folder, 'README.md'), 'utf8'))![1],
    );
    expect(again.configs.map((c: { config_name: string }) => c.config_name)).toEqual(['dpo', 'pairs', 'sft']);
    expect(
      again.dataset_info.find((c: { config_name: string }) => c.config_name === 'sft').splits[0].num_examples,
    ).toBe(TREES);
    // A different license for the same card is refused.
    const clash = await cli([
      'export',
      '--log',
      `file:${logDir}`,
      '--card',
      '--license',
      'mit',
      '--format',
      'trl-dpo',
      '--out',
      join(folder, 'dpo.jsonl'),
    ]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('says license apache-2.0; this export says mit');
  });
});
