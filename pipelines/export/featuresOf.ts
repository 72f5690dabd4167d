/** A Hugging Face `dataset_info.features` entry. */
export type Feature =
  | { readonly name: string; readonly dtype: string }
  | { readonly name: string; readonly list: readonly Feature[] }
  | { readonly name: string; readonly struct: readonly Feature[] };

const DTYPES: Record<string, string> = {
  VARCHAR: 'string',
  INTEGER: 'int32',
  BIGINT: 'int64',
  BOOLEAN: 'bool',
  DOUBLE: 'float64',
};

/**
 * A format's DuckDB from_json structure (the columns it writes) as Hugging Face features, so the card's
 * `dataset_info` describes the columns exactly as they are: a list of records becomes `list`, a record `struct`.
 */
export function featuresOf(structure: string): Feature[] {
  const walk = (name: string, t: unknown): Feature => {
    if (typeof t === 'string') {
      const dtype = DTYPES[t];
      if (!dtype) throw new Error(`featuresOf: no Hugging Face dtype for ${t} (column ${name})`);
      return { name, dtype };
    }
    if (Array.isArray(t)) {
      const [item] = t;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new Error(`featuresOf: column ${name} is a list of something other than records`);
      }
      return { name, list: Object.entries(item).map(([k, v]) => walk(k, v)) };
    }
    return { name, struct: Object.entries(t as object).map(([k, v]) => walk(k, v)) };
  };
  return Object.entries(JSON.parse(structure) as object).map(([k, v]) => walk(k, v));
}
