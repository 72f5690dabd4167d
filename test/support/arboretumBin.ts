import { fileURLToPath } from 'node:url';

/** The CLI's entry point (bin/arboretum.js) of this checkout, as an absolute path: tests spawn it with node. */
export const arboretumBin = fileURLToPath(new URL('../../bin/arboretum.js', import.meta.url));
