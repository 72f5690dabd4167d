// Generates the analytics sink's tables from the schemas (TreeEvent, PreferencePair, SftExample), so columns cannot
// drift from them: analytics/sinkTables.sql (the DDL), pipelines/analyticsSink/eventTables.ts (each event kind's row
// writer and the payload a stored row stands for) and pipelines/analyticsSink/decidedTables.ts (the pair and SFT
// rows' writers).
// Usage: npx tsx scripts/genSinkTables.ts [--check]   (--check exits 1 when either file is stale)
//
// Rules: one table per payload kind (snake_case of its name) but those in UNTABLED; one column per payload field
// (snake_case): scalars, enums and nullable scalars as themselves, records, arrays and maps as JSON text
// (`<field>_json`), fields in OMITTED not stored; then QUERY_COLUMNS (nested fields the views filter on, copied out
// of their JSON), SINK_COLUMNS (what the sink knows besides the event), the envelope's scalars (tree_id first; see
// ENVELOPE_ONLY_ON) and the log position (part, off).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readSchemaFile, recordNames } from '../schemas/schemaTypes.ts';

type Json = any;

/** Payload kinds the sink keeps no table of: the grower's bookkeeping (a raw answer reaches turn_executed with its
 * judgement; a rejected critique is never used). */
const UNTABLED = new Set(['AnswerReceived', 'CritiqueRejected']);
/** Payload fields not stored (rebuilt as their default): prompts are rebuilt from the ancestors and would be most of
 * the file. */
const OMITTED = new Set(['StrategySampled.prompt']);
/**
 * Envelope fields stored only on the kinds listed (none: never; the others on every kind): the event id is
 * eventIdOf(tree, node, kind) (schemas/ids), and a tree's writer is kept on tree_opened (each would be one more
 * string a row, the costliest thing to append); seq is writer bookkeeping (a log grown answer-first numbers the same
 * rows differently) whose order `off` keeps.
 */
const ENVELOPE_ONLY_ON: Record<string, readonly string[]> = { eventId: [], seq: [], writer: ['TreeOpened'] };
/** Nested fields also stored as columns of their own, for the views: [kind, path, column]. */
const QUERY_COLUMNS: readonly (readonly [string, string, string])[] = [
  ['TreeOpened', 'instruction.id', 'instruction_id'],
  ['TreeOpened', 'instruction.task', 'task'],
  ['TreeOpened', 'instruction.dataset', 'dataset'],
  ['StrategySampled', 'params.temperature', 'temperature'],
];
/**
 * Records the sink stores as decided by pipelines/assemble (pairsOf, sftOf): [record, table, writer key, fields not
 * stored]. Their texts are the nodes' (the pairs and sft views join them from turn_executed and tree_opened).
 */
const DECIDED: readonly (readonly [string, string, string, readonly string[]])[] = [
  ['PreferencePair', 'pair_rows', 'pairRows', ['chosen', 'rejected']],
  ['SftExample', 'sft_rows', 'sftRows', ['instruction', 'response']],
];
/** Columns from the sink's context (SinkContext): [kind, column, DuckDB type, TS expression of `x`, SQL default]. */
const SINK_COLUMNS: readonly (readonly [string, string, string, string, string | null])[] = [
  // The tree's task and dataset, denormalised so diversity queries need no join (null before its TreeOpened).
  ['StrategySampled', 'task', 'VARCHAR', 'x.task', null],
  ['StrategySampled', 'dataset', 'VARCHAR', 'x.dataset', null],
  // The growth the action belongs to (files made before reopens: all of the first).
  ['StrategySampled', 'generation', 'INTEGER', 'x.generation', '0'],
  // The grower's own label when the row carries a re-verdict's fields.
  ['VerdictReached', 'original_correct', 'BOOLEAN', 'x.originalCorrect ?? p.correct', null],
];

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const short = (name: string) => name.slice(name.lastIndexOf('.') + 1);

interface Column {
  readonly name: string;
  readonly type: string;
  /** TS expression of the value to append, reading `r` (the LogRecord), `e` (the event), `p`, `x`. */
  readonly value: string;
  readonly sqlDefault: string | null;
}

/** Renders both generated files from the schemas. */
export function renderSinkTables(read: (name: string) => Json = readSchemaFile): {
  sql: string;
  ts: string;
  decidedTs: string;
} {
  const named = new Map<string, Json>();
  const collect = (s: Json) => {
    if (Array.isArray(s)) s.forEach(collect);
    else if (s && typeof s === 'object') {
      if ((s.type === 'record' || s.type === 'enum') && s.name) named.set(short(s.name), s);
      if (s.fields) for (const f of s.fields) collect(f.type);
      if (s.items) collect(s.items);
      if (s.values) collect(s.values);
    }
  };
  for (const n of recordNames) collect(read(n));
  const resolve = (t: Json): Json => (typeof t === 'string' && named.has(short(t)) ? named.get(short(t)) : t);

  /** The DuckDB type of a stored field, or JSON for what has no column type of its own. */
  const scalar = (t: Json): { type: string; nullable: boolean; kind: string } | 'json' => {
    let nullable = false;
    let s = t;
    if (Array.isArray(s)) {
      const rest = s.filter((b) => b !== 'null');
      if (rest.length !== 1) return 'json';
      nullable = rest.length < s.length;
      s = rest[0];
    }
    s = resolve(s);
    if (typeof s === 'object' && s.type === 'enum') return { type: 'VARCHAR', nullable, kind: short(s.name) };
    const types: Record<string, string> = {
      string: 'VARCHAR',
      int: 'INTEGER',
      long: 'BIGINT',
      float: 'DOUBLE',
      double: 'DOUBLE',
      boolean: 'BOOLEAN',
    };
    const k = typeof s === 'string' ? s : typeof s === 'object' && typeof s.type === 'string' ? s.type : '';
    return types[k] ? { type: types[k], nullable, kind: k } : 'json';
  };
  // A value as the columnar writer takes it: a long stays the safe-integer number avsc decodes it as (the writer
  // stores it as int64 without a BigInt a cell; a BigInt each was a tenth of the sink's garbage).
  const toDuck = (expr: string, _sc: { type: string; nullable: boolean }) => expr;
  const sqlLiteral = (v: unknown) =>
    typeof v === 'string'
      ? `'${v.replaceAll("'", "''")}'`
      : typeof v === 'boolean' || typeof v === 'number'
        ? String(v)
        : null;
  /** A field's default: its own, or a record's whose every field has one. */
  const defaultOf = (f: Json): { value: unknown } | null => {
    if ('default' in f) return { value: f.default };
    const t = resolve(f.type);
    if (typeof t === 'object' && t.type === 'record') {
      const out: Record<string, unknown> = {};
      for (const g of t.fields) {
        const d = defaultOf(g);
        if (!d) return null;
        out[g.name] = d.value;
      }
      return { value: out };
    }
    return null;
  };

  const envelope = read('TreeEvent');
  const payloadField = envelope.fields.find((f: Json) => f.name === 'payload');
  const envelopeScalars = envelope.fields.filter((f: Json) => f.name !== 'payload');
  const ddl: string[] = [];
  const tables: string[] = [];
  for (const branch of payloadField.type.map(resolve)) {
    const kind = short(branch.name);
    if (UNTABLED.has(kind)) continue;
    const table = snake(kind).slice(1);
    // The tree id first (every view joins on it), the rest of the envelope after the payload.
    const envelopeColumn = (f: Json): Column => {
      const sc = scalar(f.type);
      if (sc === 'json') throw new Error(`TreeEvent.${f.name}: the envelope's fields must be scalars`);
      return { name: snake(f.name), type: sc.type, value: toDuck(`e.${f.name}`, sc), sqlDefault: null };
    };
    const columns: Column[] = envelopeScalars.filter((f: Json) => f.name === 'treeId').map(envelopeColumn);
    const rebuild: string[] = [];
    for (const f of branch.fields) {
      const d = defaultOf(f);
      const fallback = d ? JSON.stringify(d.value) : null;
      if (OMITTED.has(`${kind}.${f.name}`)) {
        if (!fallback) throw new Error(`${kind}.${f.name} is omitted from the sink but has no default`);
        rebuild.push(`${f.name}: ${fallback}`);
        continue;
      }
      const sc = scalar(f.type);
      const name = sc === 'json' ? `${snake(f.name)}_json` : snake(f.name);
      const cell = `row.${name}`;
      const orDefault = (expr: string) => (fallback ? `${cell} == null ? ${fallback} : ${expr}` : expr);
      if (sc === 'json') {
        columns.push({ name, type: 'VARCHAR', value: `JSON.stringify(p.${f.name})`, sqlDefault: null });
        rebuild.push(`${f.name}: ${orDefault(`JSON.parse(String(${cell}))`)}`);
      } else {
        columns.push({
          name,
          type: sc.type,
          value: toDuck(`p.${f.name}`, sc),
          sqlDefault: d && !sc.nullable ? sqlLiteral(d.value) : null,
        });
        const conv =
          sc.type === 'BOOLEAN'
            ? `Boolean(${cell})`
            : sc.type === 'VARCHAR'
              ? `String(${cell})${sc.kind !== 'string' ? ` as ${sc.kind}` : ''}`
              : `Number(${cell})`;
        rebuild.push(`${f.name}: ${sc.nullable ? `${cell} == null ? null : ${conv}` : orDefault(conv)}`);
      }
    }
    for (const [k, path, name] of QUERY_COLUMNS) {
      if (k !== kind) continue;
      const [head, ...rest] = path.split('.');
      let t: Json = resolve(branch.fields.find((f: Json) => f.name === head)?.type);
      for (const part of rest) t = resolve(t?.fields?.find((f: Json) => f.name === part)?.type);
      const sc = t === undefined ? 'json' : scalar(t);
      if (sc === 'json') throw new Error(`${kind}.${path}: not a scalar field of the schema`);
      columns.push({ name, type: sc.type, value: toDuck(`p.${path}`, sc), sqlDefault: null });
    }
    for (const [k, name, type, value, sqlDefault] of SINK_COLUMNS)
      if (k === kind) columns.push({ name, type, value, sqlDefault });
    for (const f of envelopeScalars)
      if (f.name !== 'treeId' && (ENVELOPE_ONLY_ON[f.name]?.includes(kind) ?? true))
        columns.push(envelopeColumn(f));
    columns.push({ name: 'part', type: 'INTEGER', value: 'r.partition', sqlDefault: null });
    columns.push({ name: 'off', type: 'BIGINT', value: 'r.offset', sqlDefault: null });
    const dup = columns.find((c, i) => columns.findIndex((o) => o.name === c.name) !== i);
    if (dup) throw new Error(`${table}: two columns named ${dup.name}`);

    ddl.push(
      `CREATE TABLE IF NOT EXISTS ${table} (\n${columns.map((c) => `  ${c.name} ${c.type}`).join(',\n')}\n);`,
      ...columns.map(
        (c) =>
          `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${c.name} ${c.type}${c.sqlDefault ? ` DEFAULT ${c.sqlDefault}` : ''};`,
      ),
    );
    tables.push(
      `  ${kind}: {
    table: '${table}',
    columns: [${columns.map((c) => `['${c.name}', '${c.type}']`).join(', ')}],
    push(c, r, p${columns.some((c) => c.value.includes('x.')) ? ', x' : ''}) {
      const e = r.value;
${columns.map((c, i) => `      c[${i}].push(${c.value});`).join('\n')}
    },
    payloadOf: (row) => ({
      kind: '${kind}',
${rebuild.map((l) => `      ${l},`).join('\n')}
    }),
  },`,
    );
  }
  const header = (comment: string) =>
    `${comment} Generated by scripts/genSinkTables.ts from schemas/avro/*.avsc. Do not edit: change the schema (or the generator's rules) and regenerate.\n`;
  // The decided records' tables: one column per field stored, as for a payload.
  const decided: string[] = [];
  for (const [record, table, key, omitted] of DECIDED) {
    const columns: Column[] = [];
    for (const f of read(record).fields) {
      if (omitted.includes(f.name)) continue;
      const sc = scalar(f.type);
      columns.push(
        sc === 'json'
          ? {
              name: `${snake(f.name)}_json`,
              type: 'VARCHAR',
              value: `JSON.stringify(v.${f.name})`,
              sqlDefault: null,
            }
          : { name: snake(f.name), type: sc.type, value: toDuck(`v.${f.name}`, sc), sqlDefault: null },
      );
    }
    ddl.push(
      `CREATE TABLE IF NOT EXISTS ${table} (\n${columns.map((c) => `  ${c.name} ${c.type}`).join(',\n')}\n);`,
      ...columns.map((c) => `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${c.name} ${c.type};`),
    );
    decided.push(`  ${key}: {
    table: '${table}',
    columns: [${columns.map((c) => `['${c.name}', '${c.type}']`).join(', ')}],
    push(c, v) {
${columns.map((c, i) => `      c[${i}].push(${c.value});`).join('\n')}
    },
  },`);
  }
  const decidedTs = `${header('//')}import type { ${DECIDED.map(([r]) => r).join(', ')} } from '../../schemas/types.ts';
import type { DecidedTable } from './decidedTable.ts';

/** The tables of what pipelines/assemble decides: their columns and how a decided record becomes a row. */
export const decidedTables: {
${DECIDED.map(([r, , k]) => `  readonly ${k}: DecidedTable<${r}>;`).join('\n')}
} = {
${decided.join('\n')}
};
`;
  const sql = `${header('--')}-- One table per event kind (one row per event stored) and per decided record; ADD COLUMN brings a file made before\n-- a field up to date.\n${ddl.join('\n')}\n`;
  const enums = [...named.values()].filter((s) => s.type === 'enum').map((s) => short(s.name));
  const usedEnums = enums.filter((n) => tables.some((t) => t.includes(` as ${n}`)));
  const ts = `${header('//')}import type { ${[...usedEnums, 'TreeEventPayload'].join(', ')} } from '../../schemas/types.ts';
import type { EventTable } from './eventTable.ts';

type Of<K extends TreeEventPayload['kind']> = Extract<TreeEventPayload, { kind: K }>;

/** Each stored event kind's table: its columns, how an event becomes a row, and the payload a row stands for. */
export const eventTables: {
${payloadField.type
  .map(resolve)
  .map((b: Json) => short(b.name))
  .filter((k: string) => !UNTABLED.has(k))
  .map((k: string) => `  readonly ${k}: EventTable<Of<'${k}'>>;`)
  .join('\n')}
} = {
${tables.join('\n')}
};
`;
  return {
    sql,
    ts: biomeFormat(ts, 'pipelines/analyticsSink/eventTables.ts'),
    decidedTs: biomeFormat(decidedTs, 'pipelines/analyticsSink/decidedTables.ts'),
  };
}

/** The project's formatting of generated TypeScript (so `biome check .` passes on it). */
function biomeFormat(text: string, path: string): string {
  const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));
  return execFileSync(biome, ['format', `--stdin-file-path=${path}`], { input: text, encoding: 'utf8' });
}

const targets = {
  sql: fileURLToPath(new URL('../analytics/sinkTables.sql', import.meta.url)),
  ts: fileURLToPath(new URL('../pipelines/analyticsSink/eventTables.ts', import.meta.url)),
  decidedTs: fileURLToPath(new URL('../pipelines/analyticsSink/decidedTables.ts', import.meta.url)),
};
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = renderSinkTables();
  let stale = false;
  for (const k of ['sql', 'ts', 'decidedTs'] as const) {
    if (process.argv.includes('--check')) {
      let have = '';
      try {
        have = readFileSync(targets[k], 'utf8');
      } catch {}
      if (have !== out[k]) {
        console.error(`${targets[k]} is stale: run npx tsx scripts/genSinkTables.ts`);
        stale = true;
      }
    } else writeFileSync(targets[k], out[k]);
  }
  if (stale) process.exit(1);
}
