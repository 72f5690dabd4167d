import { parse, stringify } from 'yaml';
import { ArboretumError } from '../../schemas/errors.ts';
import type { ExportFormat } from './exportFormat.ts';
import { featuresOf } from './featuresOf.ts';
import type { LengthStats } from './lengthStats.ts';
import { lengthWarning } from './lengthWarning.ts';
import type { LogFacts } from './logFacts.ts';
import type { RowCounts } from './rowCounts.ts';
import type { RowFilterOptions } from './rowFilter.ts';
import type { Spread } from './spreadOf.ts';

/** What one export adds to a card: its config (named after the data file), columns, counts, lengths, provenance. */
export interface CardSection {
  readonly format: ExportFormat;
  /** The data file's name, relative to the card. */
  readonly file: string;
  readonly counts: RowCounts;
  readonly lengths: LengthStats;
  readonly spread: Spread | null;
  readonly filter?: RowFilterOptions;
  readonly facts: LogFacts;
  /** Rows by the strategy of their action (a pair's chosen one), most first (pipelines/strategies). */
  readonly strategyMix?: readonly (readonly [string, number])[];
  /** Labels changed by `arboretum regrade` (see exportLog's LabelSummary); absent or no versions: never regraded. */
  readonly labels?: { readonly graderVersions: readonly string[]; readonly changed: number };
  readonly systemPrompt: 'none' | 'actor' | 'text';
  /** Assembled rows laid out with a system message (with 'actor', those whose action's prompt had one). */
  readonly rowsWithSystem?: number;
  /** --context, for formats that honour it; null otherwise. */
  readonly context: 'instruction' | 'trajectory' | null;
}

export interface CardInfo {
  /** A Hugging Face license id (apache-2.0, mit, cc-by-4.0 …) or `unknown`. */
  readonly license: string;
  readonly language: string;
  /** Where the card is, for errors. */
  readonly path: string;
}

const MARK =
  '<!-- arboretum dataset card: sections between arboretum:config markers are rewritten by export -->';
const begin = (name: string) => `<!-- arboretum:config ${name} -->`;
const end = (name: string) => `<!-- /arboretum:config ${name} -->`;

export const CITATION = `@article{yuan2024advancing,
  title   = {Advancing LLM Reasoning Generalists with Preference Trees},
  author  = {Yuan, Lifan and Cui, Ganqu and Wang, Hanbin and Ding, Ning and Wang, Xingyao and Deng, Jia and
             Shan, Boji and Chen, Huimin and Xie, Ruobing and Lin, Yankai and Liu, Zhenghao and Zhou, Bowen and
             Peng, Hao and Liu, Zhiyuan and Sun, Maosong},
  journal = {arXiv preprint arXiv:2404.02078},
  year    = {2024}
}`;

const table = (head: string, rows: readonly (readonly [string | number, number])[], total: number) =>
  [
    `| ${head} | rows | share |`,
    '|---|---:|---:|',
    ...rows.map(([k, n]) => `| ${k} | ${n} | ${total ? ((100 * n) / total).toFixed(1) : '0.0'}% |`),
  ].join('\n');

const sizeCategory = (n: number) =>
  n < 1e3
    ? 'n<1K'
    : n < 1e4
      ? '1K<n<10K'
      : n < 1e5
        ? '10K<n<100K'
        : n < 1e6
          ? '100K<n<1M'
          : n < 1e7
            ? '1M<n<10M'
            : 'n>10M';

const configNameOf = (file: string) => file.replace(/\.(jsonl|parquet)$/i, '');

const names = (list: readonly (readonly [string, number])[]) =>
  list.length ? list.map(([n]) => `\`${n}\``).join(', ') : 'none on the log';

function sectionText(s: CardSection, name: string): string {
  const { format, counts, lengths } = s;
  const filters = Object.entries(s.filter ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `\`${k}=${Array.isArray(v) ? v.join(',') : v}\``);
  const source =
    format.kind === 'sft'
      ? 'every correct action of every tree, with its instruction (the history dropped, as the Eurus paper trains SFT, unless --context trajectory)'
      : format.kind === 'pair'
        ? 'the pairs of every turn of every tree: the history so far (instruction, then each expanded action and its feedback), chosen = a correct action of the turn, rejected = an incorrect one (the k-th correct with the k-th incorrect, so usually the first of each)'
        : "the paper's extra single-turn pairs: correct actions matched with incorrect actions of other turns, only trees with correct × incorrect ≤ 10, at most 9 a tree, each action at most 3 times";
  const o = (n: number) => (n > 0 ? `**${n}**` : '0');
  const warning = lengthWarning(format.name, lengths);
  const system = !format.accepts.system
    ? 'none (the public UltraInteract schema has no system column)'
    : s.systemPrompt === 'none'
      ? 'none: trainers whose chat template injects a default system prompt will add theirs (export with `--system-prompt actor` to keep the actors\u2019)'
      : s.systemPrompt === 'actor'
        ? `the actors' own (the system message each action was sampled with; for actions given the reference, the tree's first other one)${s.rowsWithSystem === 0 ? ' — but the log had none for these rows, so they have no system message' : ''}`
        : 'a fixed text given to `--system-prompt`';
  return `${begin(name)}
## \`${name}\` — \`${format.name}\`

${format.description}. File \`${s.file}\`, ${counts.total} rows: ${source}.

| column | holds |
|---|---|
${format.columns.map(([c, what]) => `| \`${c}\` | ${what} |`).join('\n')}

- System message: ${system}.
${s.context ? `- Context: \`${s.context}\`${s.context === 'instruction' ? ' (UltraInteract\u2019s: the instruction alone)' : ' (each action with the history it was written in)'}.\n` : ''}- Actor models: ${names(s.facts.actorModels)}; critic models: ${names(s.facts.criticModels)}.
- Graders (name and version, as on the log): ${names(s.facts.graders)}.
${
  s.labels?.graderVersions.length
    ? `- Labels: regraded from the log by \`arboretum regrade\` with grader ${s.labels.graderVersions.map((v) => `\`${v}\``).join(', ')}; ${s.labels.changed} action label${s.labels.changed === 1 ? '' : 's'} changed (no LLM call; each action keeps its newest verdict).\n`
    : ''
}${filters.length ? `- Filters: ${filters.join(', ')}.\n` : ''}${
  s.spread
    ? `- Order: rows are grouped by prompt in a seeded order and spread so rows sharing a prompt are at least ${Number.isFinite(s.spread.minGap) ? s.spread.minGap : 'any number of'} rows apart. TRL's KTOTrainer gives each row the completion of the row before it within consecutive blocks of \`per_device_train_batch_size\` rows (the first row gets the block's last) as its mismatched KL completion, before shuffling; so any batch size up to ${Number.isFinite(s.spread.minGap) ? s.spread.minGap : 'the number of rows'} gives every row a completion of another prompt. Do not sort or shuffle the file before handing it to KTOTrainer.\n`
    : ''
}
### Counts

${table('task', counts.byTask, counts.total)}

${table('dataset', counts.byDataset, counts.total)}

${table('turn', counts.byTurn, counts.total)}
${s.strategyMix?.length ? `\nPlanning strategy of each row's action (a pair's chosen one):\n\n${table('strategy', s.strategyMix, counts.total)}\n` : ''}
### Lengths (tokens${lengths.exact ? `, by \`${lengths.counter}\`` : `, ${lengths.counter}`})

| | median | 95th percentile | max |
|---|---:|---:|---:|
| prompt | ${lengths.prompt.median} | ${lengths.prompt.p95} | ${lengths.prompt.max} |
| prompt + longest completion | ${lengths.total.median} | ${lengths.total.p95} | ${lengths.total.max} |

| max_length | rows with a longer prompt | rows longer in all |
|---:|---:|---:|
${lengths.over.map((x) => `| ${x.maxLength} | ${o(x.prompt)} | ${o(x.total)} |`).join('\n')}

Long rows are ${lengths.effect}${lengths.measure === 'prompt' ? ' — it checks the prompt alone' : ''}.${warning ? `\n\n> **Warning.** ${warning}.` : ''}
${end(name)}`;
}

interface FrontMatter {
  license?: string;
  language?: string[];
  configs?: { config_name: string }[];
  dataset_info?: {
    config_name: string;
    features?: unknown;
    splits?: { name: string; num_examples: number }[];
  }[];
  [k: string]: unknown;
}

/**
 * The dataset card (README.md in Hugging Face's format) after adding one export to `existing` (null for a new card):
 * YAML front matter with license, language, task_categories, size_categories, one `configs` entry per data file (so
 * `load_dataset(folder, name)` loads each export as its own config) and its `dataset_info.features`; then a section
 * per config with columns, provenance, counts and lengths, and the UltraInteract / Eurus citation. Sections of other
 * configs are kept; the config of the same file is replaced. A pure function of its input: no dates, no paths.
 */
export function mergeDatasetCard(existing: string | null, section: CardSection, info: CardInfo): string {
  let front: FrontMatter = {};
  const sections = new Map<string, string>();
  if (existing !== null) {
    const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(existing);
    if (!m || !existing.includes(MARK)) {
      throw new ArboretumError(
        'INVALID_INPUT',
        `${info.path} exists and is not an arboretum dataset card; pass --card PATH for another file`,
        { context: { file: info.path } },
      );
    }
    front = (parse(m[1]) ?? {}) as FrontMatter;
    const re = /<!-- arboretum:config (\S+) -->[\s\S]*?<!-- \/arboretum:config \1 -->/g;
    for (const s of m[2].matchAll(re)) sections.set(s[1], s[0]);
    if (
      front.license &&
      front.license !== 'unknown' &&
      info.license !== 'unknown' &&
      front.license !== info.license
    ) {
      throw new ArboretumError(
        'INVALID_INPUT',
        `${info.path} says license ${front.license}; this export says ${info.license} (one card, one license)`,
        { context: { file: info.path } },
      );
    }
  }
  const name = configNameOf(section.file);
  sections.set(name, sectionText(section, name));
  const configs = (front.configs ?? []).filter((c) => c.config_name !== name);
  configs.push({
    config_name: name,
    data_files: [{ split: 'train', path: section.file }],
  } as { config_name: string });
  configs.sort((a, b) => (a.config_name < b.config_name ? -1 : 1));
  const infos = (front.dataset_info ?? []).filter((c) => c.config_name !== name);
  infos.push({
    config_name: name,
    features: featuresOf(section.format.structure),
    splits: [{ name: 'train', num_examples: section.counts.total }],
  });
  infos.sort((a, b) => (a.config_name < b.config_name ? -1 : 1));
  const largest = Math.max(...infos.map((c) => c.splits?.[0]?.num_examples ?? 0));
  const license = info.license === 'unknown' && front.license ? front.license : info.license;
  const kinds = new Set([...(Array.isArray(front.tags) ? (front.tags as string[]) : [])]);
  for (const t of ['preference-trees', 'ultrainteract', 'reasoning']) kinds.add(t);
  kinds.add(section.format.kind === 'sft' ? 'sft' : section.format.kind === 'rm' ? 'reward-modeling' : 'dpo');
  if (section.format.name === 'trl-kto') kinds.add('kto');
  const yaml = stringify(
    {
      pretty_name: 'arboretum preference trees',
      license,
      language: [...new Set([...(front.language ?? []), info.language])].sort(),
      task_categories: ['text-generation'],
      size_categories: [sizeCategory(largest)],
      tags: [...kinds].sort(),
      configs,
      dataset_info: infos,
    },
    { lineWidth: 0 },
  );
  const ordered = [...sections.keys()].sort().map((k) => sections.get(k)!);
  return `---
${yaml}---
${MARK}

# arboretum preference trees

Built by \`arboretum export\` by replaying a tree-event log: the same log always gives the same bytes. Each config
below is one exported file; load one with \`load_dataset("<this folder>", "<config>")\`
(${configs.map((c) => `\`${c.config_name}\``).join(', ')}). Actions that failed the syntax check or whose answer
could not be parsed are never used.

Rows sort by tree id, then turn, then row id (trl-kto: see its order). Ids read \`<hash>_<depth>_<n>\`: hash = the
tree id (sha256 of the instruction id), depth = the turn of the action (1-based), n = the row's rank among rows of
its kind at that depth; \`parent_id\` is the instruction id.

On reasoning, DPO tends to lower the reward of chosen answers (Eurus-7B: SFT 46.5 → DPO 44.5, KTO 48.8, NCA 48.1),
so the unpaired \`trl-kto\` export of the same pairs is worth a try.

License: \`${license}\`${license === 'unknown' ? ' (not stated: the instructions and the models used carry their own terms)' : ''}.

${ordered.join('\n\n')}

## Citation

The preference-tree method and the UltraInteract data layout are from Eurus:

\`\`\`bibtex
${CITATION}
\`\`\`
`;
}
