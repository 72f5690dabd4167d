import { readFile } from 'node:fs/promises';
import { type ModelPrice, pricesOf } from '../analytics/report/pricesOf.ts';
import { ArboretumError } from '../schemas/errors.ts';

/** `--prices FILE` of report and status: model prices from a grow config or a price mapping, errors naming the file. */
export async function readPrices(file: string): Promise<Map<string, ModelPrice>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ArboretumError('INVALID_INPUT', `--prices ${file}: ${(e as Error).message}`, {
      context: { file },
    });
  }
  try {
    return pricesOf(text, file);
  } catch (e) {
    throw new ArboretumError('INVALID_INPUT', (e as Error).message, { context: { file } });
  }
}
