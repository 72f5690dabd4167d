import { readFileSync } from 'node:fs';

/**
 * The viewer's single page (viewerPage.html: plain HTML and script, no build step, nothing from the network):
 * trees and pairs browsers with filters on the left; the tree drawn as SVG with fit, zoom, pan and collapsed
 * fallback waves; the chosen node's details with every pair it is in; a pair side by side with its history and a
 * diff.
 */
export const viewerPage: string = readFileSync(new URL('./viewerPage.html', import.meta.url), 'utf8');
