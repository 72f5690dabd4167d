import type { ExportFormat } from './exportFormat.ts';
import type { RowCounts } from './rowCounts.ts';
import type { RowFilterOptions } from './rowFilter.ts';

export interface DatasetCardInput {
  readonly format: ExportFormat;
  /** The data file's name, relative to the card. */
  readonly file: string;
  readonly counts: RowCounts;
  readonly filter?: RowFilterOptions;
  /** Labels changed by `arboretum regrade` (see exportLog's LabelSummary); absent or no versions: never regraded. */
  readonly labels?: { readonly graderVersions: readonly string[]; readonly changed: number };
}

const table = (head: string, rows: readonly (readonly [string | number, number])[], total: number) =>
  [
    `| ${head} | rows | share |`,
    '|---|---:|---:|',
    ...rows.map(([k, n]) => `| ${k} | ${n} | ${total ? ((100 * n) / total).toFixed(1) : '0.0'}% |`),
  ].join('\n');

const yamlString = (s: string) => JSON.stringify(s);

/**
 * A Hugging Face style dataset card (README.md) for one export: front matter naming the data file, what the rows
 * are, how ids read, counts per task, dataset and turn. A pure function of its input: no dates, no paths, so the
 * card is as reproducible as the data.
 */
export function datasetCard({ format, file, counts, filter = {}, labels }: DatasetCardInput): string {
  const filters = Object.entries(filter)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `\`${k}=${v}\``);
  const source =
    format.kind === 'sft'
      ? 'every correct action of every tree, with its instruction and without the history (as the Eurus paper trains SFT)'
      : format.kind === 'pair'
        ? 'the pairs of every turn of every tree: the history so far (instruction, then each expanded action and its feedback), chosen = a correct action of the turn, rejected = an incorrect one (the k-th correct with the k-th incorrect, so usually the first of each)'
        : "the paper's extra single-turn pairs: correct actions matched with incorrect actions of other turns, only trees with correct × incorrect ≤ 10, at most 9 a tree, each action at most 3 times";
  return `---
pretty_name: ${yamlString(`arboretum ${format.name}`)}
configs:
  - config_name: default
    data_files:
      - split: train
        path: ${yamlString(file)}
tags:
  - preference-trees
  - ultrainteract
  - reasoning
---

# arboretum export: \`${format.name}\`

${format.description}.

Built by \`arboretum export\` by replaying the tree-event log: the same log always gives the same bytes.
Rows are ${source}. Actions that failed the syntax check or whose answer could not be parsed are never used.
${
  labels?.graderVersions.length
    ? `\nLabels: regraded from the log by \`arboretum regrade\` with grader ${labels.graderVersions.map((v) => `\`${v}\``).join(', ')}; ${labels.changed} action label${labels.changed === 1 ? '' : 's'} changed (no LLM call; each action keeps its newest verdict).\n`
    : ''
}
Rows sort by tree id, then turn, then row id. Ids read \`<hash>_<depth>_<n>\`: hash = the tree id (sha256 of
the instruction id), depth = the turn of the action (1-based), n = the row's rank among rows of its kind at that
depth; \`parent_id\` is the instruction id.
${filters.length ? `\nFilters: ${filters.join(', ')}.\n` : ''}
On reasoning, DPO tends to lower the reward of chosen answers (Eurus-7B: SFT 46.5 → DPO 44.5, KTO 48.8, NCA 48.1),
so the unpaired \`trl-kto\` export of the same pairs is worth a try.

## Counts

${counts.total} rows.

${table('task', counts.byTask, counts.total)}

${table('dataset', counts.byDataset, counts.total)}

${table('turn', counts.byTurn, counts.total)}
`;
}
