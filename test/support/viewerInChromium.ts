import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { type AnalyticsDb, openAnalyticsDb } from '../../analytics/openAnalyticsDb.ts';
import { createViewer, type Viewer } from '../../analytics/viewer/createViewer.ts';
import { syncLog } from '../../pipelines/analyticsSink/syncLog.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { appendEvents, tempLog } from '../analytics/fixtures.ts';

// Debian's chromium, installed by scripts/setup.d/40-chromium.sh; flags as this machine needs them (no network).
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The viewer over a database of some trees, and a headless Chromium page to look at it with. */
export interface ViewerInChromium {
  /** A temporary folder of the test's own (the browser profile lives in it); removed by close. */
  readonly dir: string;
  readonly db: AnalyticsDb;
  readonly viewer: Viewer;
  readonly browser: BrowserContext;
  readonly page: Page;
  /** Every request that was not the viewer (nor a file or data URL, when allowed): refused, and listed here. */
  readonly offsite: string[];
  /** The page's uncaught errors. */
  readonly errors: string[];
  close(): Promise<void>;
}

/**
 * Logs `events` to a temporary file log, syncs them to an in-memory database, serves the viewer on it and opens a
 * page in headless Chromium that may reach nothing but the viewer (`allowFiles`: and file: URLs).
 */
export async function viewerInChromium(options: {
  readonly events: readonly TreeEvent[];
  readonly allowFiles?: boolean;
}): Promise<ViewerInChromium> {
  const dir = await mkdtemp(join(tmpdir(), 'arboretum-viewer-'));
  const env = await tempLog();
  await appendEvents(env.log, [...options.events]);
  const db = await openAnalyticsDb();
  await syncLog({ log: env.log, connection: db.connection });
  await env.dispose();
  const viewer = await createViewer({ db });
  const browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 900 },
  });
  const offsite: string[] = [];
  const errors: string[] = [];
  // Nothing may leave the machine: record and refuse any request that is not the viewer (or a file, if allowed).
  await browser.route('**/*', (route) => {
    const url = route.request().url();
    if (
      url.startsWith(viewer.url) ||
      url.startsWith('data:') ||
      (options.allowFiles && url.startsWith('file:'))
    )
      return route.continue();
    offsite.push(url);
    return route.abort();
  });
  const page = await browser.newPage();
  page.on('pageerror', (e) => {
    errors.push(e.message);
    console.log(`page error: ${e.message}`);
  });
  return {
    dir,
    db,
    viewer,
    browser,
    page,
    offsite,
    errors,
    close: async () => {
      await browser.close();
      await viewer.close();
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
