import { extname } from 'node:path';
import { ArboretumError } from '../../schemas/errors.ts';

/** The output kind of a path by its extension; INVALID_INPUT names the path otherwise. */
export function outputKindOf(path: string): 'jsonl' | 'parquet' {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl') return 'jsonl';
  if (ext === '.parquet') return 'parquet';
  throw new ArboretumError(
    'INVALID_INPUT',
    `--out ${JSON.stringify(path)}: expected a .jsonl or .parquet file`,
    { context: { file: path } },
  );
}
