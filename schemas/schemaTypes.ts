import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';

/** The record schemas arboretum writes, in dependency order (TreeEvent refers to Instruction). */
export const recordNames = [
  'Instruction',
  'TreeEvent',
  'PreferencePair',
  'SftExample',
  'DeadLetter',
] as const;
export type RecordName = (typeof recordNames)[number];

const avroDir = fileURLToPath(new URL('./avro/', import.meta.url));

/** Reads one .avsc file of `schemas/avro/` as JSON. */
export function readSchemaFile(name: string): avro.Schema {
  return JSON.parse(readFileSync(`${avroDir}${name}.avsc`, 'utf8'));
}

/** Parses the current schemas into avsc types sharing one registry of named types. */
export function parseSchemas(
  read: (name: string) => avro.Schema = readSchemaFile,
): Record<RecordName, avro.Type> {
  const registry: Record<string, avro.Type> = {};
  const types = {} as Record<RecordName, avro.Type>;
  for (const name of recordNames) {
    types[name] = avro.Type.forSchema(read(name), { registry, wrapUnions: 'auto' });
  }
  return types;
}

/** The avsc types of the current schemas. */
export const schemaTypes = parseSchemas();
