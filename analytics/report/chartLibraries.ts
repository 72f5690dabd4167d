import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The folder of an installed package (its main entry resolved, then up to node_modules/<name>). */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!dir.endsWith(join('node_modules', name))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the folder of package ${name}`);
    dir = up;
  }
  return dir;
}

let cached: Promise<string> | undefined;

/**
 * The minified browser builds of vega, vega-lite and vega-embed (from node_modules) as inline <script> elements,
 * so that a page draws its charts with nothing loaded from the network.
 */
export function chartLibraries(): Promise<string> {
  cached ??= Promise.all(
    [
      ['vega', 'build/vega.min.js'],
      ['vega-lite', 'build/vega-lite.min.js'],
      ['vega-embed', 'build/vega-embed.min.js'],
    ].map(async ([name, file]) => {
      const js = await readFile(join(packageDir(name), file), 'utf8');
      // A literal "</script" would end the element early.
      return `<script data-library="${name}">${js.replaceAll('</script', '<\\/script')}</script>`;
    }),
  ).then((scripts) => scripts.join('\n'));
  return cached;
}
