import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsDb } from '../../analytics/openAnalyticsDb.ts';
import { buildReport } from '../../analytics/report/buildReport.ts';
import type { Viewer } from '../../analytics/viewer/createViewer.ts';
import { syntheticTreeEvents } from '../../pipelines/synthetic/syntheticTrees.ts';
import { type ViewerInChromium, viewerInChromium } from '../support/viewerInChromium.ts';
import { smallTrees } from './fixtures.ts';

let chromium: ViewerInChromium;
let dir: string;
let db: AnalyticsDb;
let viewer: Viewer;
let browser: BrowserContext;
let page: Page;
let offsite: string[];
let errors: string[];
const trees = smallTrees();
const mathTree = trees.math[0].treeId;

beforeAll(async () => {
  chromium = await viewerInChromium({
    events: [
      ...trees.math,
      ...trees.code,
      ...trees.logic,
      ...syntheticTreeEvents({ trees: 40, seed: 5, actionBytes: [50, 300] }),
    ],
    allowFiles: true,
  });
  ({ dir, db, viewer, browser, page, offsite, errors } = chromium);
}, 60_000);

afterAll(async () => {
  await chromium?.close();
});

describe('viewer in headless Chromium', () => {
  it('loads, lists every tree, searches and filters', async () => {
    await page.goto(viewer.url);
    await page.waitForSelector('body[data-ready]');
    expect(await page.locator('#count').textContent()).toBe('43 trees');
    expect(await page.locator('#list li').count()).toBe(43);
    await page.fill('#q', 'math-1');
    await expect.poll(() => page.locator('#list li').count()).toBe(1);
    await page.fill('#q', mathTree.slice(0, 12));
    await expect.poll(() => page.locator('#list li').count()).toBe(1);
    await page.fill('#q', '');
    await page.selectOption('#task', 'Coding');
    await expect
      .poll(async () =>
        (await page.locator('#list li .meta').allTextContents()).every((t) => t.startsWith('Coding')),
      )
      .toBe(true);
    const codingTrees = (await db.query("SELECT count(*) FROM trees WHERE task = 'Coding'")).rows[0][0];
    await expect.poll(() => page.locator('#list li').count()).toBe(codingTrees);
    await page.selectOption('#task', '');
  });

  it('opens a tree: nodes coloured by verdict, details with strategy, model, action, observation, critique', async () => {
    await page.fill('#q', 'math-1');
    await expect.poll(() => page.locator('#list li').count()).toBe(1);
    await page.click('#list li');
    await page.waitForSelector(`body[data-tree="${mathTree}"]`);
    const nodes = page.locator('#tree g.node[data-node]:not([data-node=""])');
    expect(await nodes.count()).toBe(4);
    const fills = await nodes.evaluateAll((gs) =>
      Object.fromEntries(
        gs.map((g) => [g.getAttribute('data-node'), g.querySelector('circle')?.getAttribute('fill')]),
      ),
    );
    expect(fills).toEqual({ c1: '#2e9d4f', w1: '#d1453b', c2: '#2e9d4f', w2: '#d1453b' });
    await page.click('#tree g.node[data-node="w1"]');
    await page.waitForSelector('body[data-node="w1"]');
    const detail = await page.locator('#detail').textContent();
    expect(detail).toContain('modular-programming');
    expect(detail).toContain('llama');
    expect(detail).toContain('Step 1: print(5)');
    expect(detail).toContain('observation: 5');
    expect(detail).toContain('The sum is wrong.');
    expect(detail).toContain(`${mathTree}_1_1 as rejected; chosen: c1`);
    const shot = process.env.ARBORETUM_VIEWER_SCREENSHOT ?? join(dir, 'viewer.png');
    await page.screenshot({ path: shot });
    expect((await stat(shot)).size).toBeGreaterThan(10_000);
  });

  it('serves the report; its rows link to the trees', async () => {
    await page.goto(`${viewer.url}report`);
    await page.waitForFunction('document.body.dataset.charts');
    expect(await page.evaluate('document.body.dataset.charts')).toBe('ready');
    expect(await page.locator('.charts svg').count()).toBe(5);
    await page.click('table a[href*="tree="]');
    await page.waitForSelector('body[data-tree]');
    expect(await page.locator('#tree g.node').count()).toBeGreaterThan(1);
    await page.goto(`${viewer.url}report`);
    await page.click('text=Logic >> nth=0');
    await page.waitForSelector('body[data-ready]');
    expect(await page.inputValue('#task')).toBe('Logic');
  });

  it('the report file is self-contained: it draws its charts with the network refused', async () => {
    const file = join(dir, 'report.html');
    await writeFile(file, await buildReport({ db, viewerUrl: viewer.url }));
    const report = await browser.newPage();
    await report.goto(`file://${file}`);
    await report.waitForFunction('document.body.dataset.charts');
    expect(await report.evaluate('document.body.dataset.charts')).toBe('ready');
    expect(await report.locator('.charts svg').count()).toBe(5);
    expect(await report.locator('table:has(tfoot)').first().locator('tfoot').textContent()).toContain('43');
    await report.close();
    expect(offsite).toEqual([]);
    expect(errors).toEqual([]);
  });
});
