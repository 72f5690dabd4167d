import { readFileSync } from 'node:fs';

/** The cases of one corpus file beside this one (JSON lines); a line that is not JSON is named by file and line. */
export function readCorpus<T>(name: string): T[] {
  return readFileSync(new URL(name, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as T;
      } catch (e) {
        throw new Error(`pipelines/grade/corpus/${name}:${i + 1}: not JSON (${(e as Error).message})`);
      }
    });
}
