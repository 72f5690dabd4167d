import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsDb } from '../../analytics/openAnalyticsDb.ts';
import type { Viewer } from '../../analytics/viewer/createViewer.ts';
import { syntheticTreeEvents } from '../../pipelines/synthetic/syntheticTrees.ts';
import { treeScript } from '../assemble/treeScript.ts';
import { type ViewerInChromium, viewerInChromium } from '../support/viewerInChromium.ts';

/** Screenshots go here (printed), so a person can look at what the test saw. */
const SHOTS = process.env.ARBORETUM_TEST_OUTPUT ?? join(process.cwd(), 'test-output', 'viewer');

const TURNS = 6;
const WAVE = 21;
const LADDER = ['ladder-a', 'ladder-b', 'ladder-c'];

/**
 * A 516-node tree as a grower with fallbacks writes it: each of 6 turns has a strong and a weak incorrect action,
 * a resample wave of 21 and three ladder waves of 21 (one model each); the last action of the last ladder wave is
 * correct, so each turn has one pair (that correct action, and the strong one, which is then critiqued and expanded).
 */
function bigTree() {
  const s = treeScript('big-1', { task: 'Math_CoT', dataset: 'MATH', text: 'Find x if 3x + 2 = 11.' }).open();
  let parent: string | null = null;
  for (let t = 1; t <= TURNS; t++) {
    const base = { parent, turn: t };
    s.action(`s${t}`, {
      ...base,
      correct: false,
      model: 'strong-model',
      action: `Step 1: 3x = 11\nStep 2: x = ${t}\nturn ${t}`,
    });
    s.action(`w${t}`, { ...base, correct: false, model: 'weak-model', action: `Step 1: x = ${t + 1}` });
    for (let i = 1; i <= WAVE; i++)
      s.action(`r${t}.${i}`, {
        ...base,
        correct: false,
        model: 'weak-model',
        role: 'resample',
        action: `resample ${i}`,
      });
    for (const m of LADDER) {
      for (let i = 1; i <= WAVE; i++) {
        const correct = m === LADDER[2] && i === WAVE;
        s.action(`${m}.${t}.${i}`, {
          ...base,
          correct,
          model: m,
          role: 'ladder',
          action: correct ? `Step 1: 3x = 9\nStep 2: x = 3\nturn ${t}` : `ladder ${m} ${i}`,
        });
      }
    }
    if (t < TURNS) s.critique(`s${t}`, `Turn ${t}: 11 - 2 is 9, not 11.`);
    parent = `s${t}`;
  }
  return s.close('solved');
}

let chromium: ViewerInChromium;
let db: AnalyticsDb;
let page: Page;
let errors: string[];
let offsite: string[];
let viewer: Viewer;
const tree = bigTree();
const NODES = TURNS * (2 + WAVE * 4);

/** The box of an element relative to the canvas, and whether it lies wholly inside it. */
async function inCanvas(selector: string): Promise<{ found: boolean; inside: boolean }> {
  return page.evaluate(`(() => {
    const c = document.getElementById('canvas').getBoundingClientRect();
    const el = document.querySelector(${JSON.stringify(selector)});
    if (!el) return { found: false, inside: false };
    const b = el.getBoundingClientRect();
    return { found: true, inside: b.left >= c.left && b.top >= c.top && b.right <= c.right && b.bottom <= c.bottom && b.width > 0 };
  })()`);
}

async function shot(name: string) {
  const path = join(SHOTS, name);
  await page.screenshot({ path });
  expect((await stat(path)).size).toBeGreaterThan(10_000);
  console.log(`screenshot: ${path}`);
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  chromium = await viewerInChromium({
    events: [...tree.events, ...syntheticTreeEvents({ trees: 30, seed: 9, actionBytes: [60, 400] })],
  });
  ({ db, page, errors, offsite, viewer } = chromium);
}, 60_000);

afterAll(async () => {
  await chromium?.close();
});

describe('viewer on a 516-node tree in headless Chromium', () => {
  it('fits the tree with its fallback waves collapsed into counted nodes; root on screen', async () => {
    await page.goto(`${viewer.url}#tree=${tree.treeId}`);
    await page.waitForSelector(`body[data-tree="${tree.treeId}"]`);
    expect(await page.locator('#title').textContent()).toContain(`${NODES} actions`);
    const waves = page.locator('#tree g.wave');
    expect(await waves.count()).toBe(TURNS * 4);
    const counts = await waves.evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-count'))));
    // The correct ladder action of each turn is in a pair, so it stays out of its wave.
    expect(counts.sort((a, b) => a - b)).toEqual([
      ...Array(TURNS).fill(WAVE - 1),
      ...Array(TURNS * 3).fill(WAVE),
    ]);
    const drawn = await page.locator('#tree g.node[data-node]:not([data-node=""])').count();
    expect(drawn).toBe(TURNS * 3);
    expect(await inCanvas('#tree g.root')).toEqual({ found: true, inside: true });
    expect(await inCanvas(`#tree g.node[data-node="s${TURNS}"]`)).toEqual({ found: true, inside: true });
    await shot('bigtree-fit.png');
  });

  it('selecting a node hidden in a wave expands the wave and keeps the root and the node in view', async () => {
    const deep = `r${TURNS}.17`;
    await page.goto(`${viewer.url}#tree=${tree.treeId}&node=${deep}`);
    await page.waitForSelector(`body[data-node="${deep}"]`);
    expect(await page.locator('#node-title').textContent()).toBe(deep);
    expect(await inCanvas(`#tree g.node[data-node="${deep}"]`)).toEqual({ found: true, inside: true });
    expect(await inCanvas('#tree g.root')).toEqual({ found: true, inside: true });
    expect(await page.locator(`#tree g.node.sel[data-node="${deep}"]`).count()).toBe(1);
    await shot('bigtree-selected.png');
  });

  it('zooms, pans, expands and collapses waves, and fits again', async () => {
    await page.goto(`${viewer.url}#tree=${tree.treeId}`);
    await page.waitForSelector(`body[data-tree="${tree.treeId}"]`);
    const transform = () => page.locator('#vp').getAttribute('transform');
    const before = await transform();
    await page.click('#zoom-in');
    expect(await transform()).not.toBe(before);
    const box = (await page.locator('#canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 150, box.y + box.height / 2 + 80, { steps: 5 });
    await page.mouse.up();
    const panned = await transform();
    expect(panned).not.toBe(before);
    await page.mouse.wheel(0, 300);
    await expect.poll(transform, { message: 'wheel zooms' }).not.toBe(panned);
    await page.click('#fit');
    expect(await inCanvas('#tree g.root')).toEqual({ found: true, inside: true });
    // One wave: click to open (its 21 members appear), click its header to close.
    const drawn = () => page.locator('#tree g.node[data-node]:not([data-node=""])').count();
    const n0 = await drawn();
    const wave = page.locator('#tree g.wave[data-open="false"][data-count="21"]').first();
    const key = await wave.getAttribute('data-wave');
    await wave.dispatchEvent('click');
    await expect.poll(drawn, { message: 'wave opens' }).toBe(n0 + WAVE);
    await page.locator(`#tree g.wave[data-wave="${key}"]`).dispatchEvent('click');
    await expect.poll(drawn, { message: 'wave closes' }).toBe(n0);
    await page.click('#waves');
    await expect.poll(drawn, { message: 'all waves open' }).toBe(NODES);
    expect(await inCanvas('#tree g.root')).toEqual({ found: true, inside: true });
    await shot('bigtree-all-waves.png');
    await page.click('#waves');
    await expect.poll(drawn).toBe(TURNS * 3);
  });

  it('links a node to every pair it is in, and the pair to the other action', async () => {
    await page.goto(`${viewer.url}#tree=${tree.treeId}&node=s3`);
    await page.waitForSelector('body[data-node="s3"]');
    const links = page.locator('#in-pairs li');
    expect(await links.count()).toBe(1);
    expect(await links.first().textContent()).toBe(`${tree.treeId}_3_1 as rejected; chosen: ladder-c.3.21`);
    await links.first().locator('a', { hasText: 'ladder-c.3.21' }).click();
    await page.waitForSelector('body[data-node="ladder-c.3.21"]');
    expect(await inCanvas('#tree g.node[data-node="ladder-c.3.21"]')).toEqual({ found: true, inside: true });
  });

  it('shows a pair side by side: shared history, chosen and rejected, a diff', async () => {
    await page.goto(`${viewer.url}#tree=${tree.treeId}&node=s3`);
    await page.waitForSelector('body[data-node="s3"]');
    await page.locator('#in-pairs a', { hasText: `${tree.treeId}_3_1` }).click();
    await page.waitForSelector(`body[data-pair="${tree.treeId}_3_1"]`);
    // Turn 3's history: the instruction, then turns 1 and 2 (action, feedback).
    expect(await page.locator('#history .msg').count()).toBe(5);
    expect(await page.locator('#history').textContent()).toContain('Turn 2: 11 - 2 is 9, not 11.');
    expect(await page.locator('.chosen h3').textContent()).toBe('Chosen: ladder-c');
    expect(await page.locator('.rejected h3').textContent()).toBe('Rejected: strong-model');
    expect(await page.locator('.chosen pre.action').textContent()).toBe(
      'Step 1: 3x = 9\nStep 2: x = 3\nturn 3',
    );
    expect(await page.locator('#diff .del').allTextContents()).toEqual(['− Step 1: 3x = 11']);
    expect(await page.locator('#diff .ins').allTextContents()).toEqual(['+ Step 1: 3x = 9']);
    expect(await page.locator('#diff .same').allTextContents()).toEqual(['  Step 2: x = 3', '  turn 3']);
    await shot('pair-compare.png');
    await page.locator('#compare a', { hasText: 'node ladder-c.3.21 in its tree' }).click();
    await page.waitForSelector('body[data-node="ladder-c.3.21"]');
    expect(await page.evaluate("document.body.classList.contains('comparing')")).toBe(false);
  });

  it('browses pairs with filters, and filters trees by outcome, verdict, model, turn and strategy', async () => {
    await page.goto(viewer.url);
    await page.waitForSelector('body[data-ready]');
    await page.click('#tab-pairs');
    await page.waitForSelector('body[data-pairs-searched]');
    const total = Number((await db.query('SELECT count(*) FROM pair_rows')).rows[0][0]);
    expect(await page.locator('#pcount').textContent()).toBe(`${total} pairs`);
    await page.selectOption('#pmodel', 'ladder-c');
    await expect.poll(() => page.locator('#plist li').count()).toBe(TURNS);
    await page.selectOption('#pturn', '4');
    await expect.poll(() => page.locator('#plist li').count()).toBe(1);
    await page.click('#plist li');
    await page.waitForSelector(`body[data-pair="${tree.treeId}_4_1"]`);

    await page.goto(`${viewer.url}#tree=${tree.treeId}`);
    await page.waitForSelector(`body[data-tree="${tree.treeId}"]`);
    const expectTrees = async (sql: string) => {
      const n = Number((await db.query(sql)).rows[0][0]);
      await expect
        .poll(async () => page.locator('#count').textContent())
        .toBe(`${n} tree${n === 1 ? '' : 's'}`);
      return n;
    };
    await page.selectOption('#model', 'ladder-b');
    expect(await expectTrees("SELECT count(DISTINCT tree_id) FROM nodes WHERE model = 'ladder-b'")).toBe(1);
    // In the open tree, actions of other models are dimmed.
    expect(await page.locator('#tree g.node[data-node="s1"].dim').count()).toBe(1);
    await page.selectOption('#model', '');
    await page.selectOption('#verdict', 'correct');
    await expectTrees('SELECT count(DISTINCT tree_id) FROM nodes WHERE valid AND correct');
    await page.selectOption('#turn', '5');
    await expectTrees('SELECT count(DISTINCT tree_id) FROM nodes WHERE valid AND correct AND turn = 5');
    await page.selectOption('#verdict', '');
    await page.selectOption('#turn', '');
    await page.selectOption('#strategy', 'work-backwards');
    await expectTrees("SELECT count(DISTINCT tree_id) FROM nodes WHERE strategy = 'work-backwards'");
    // The big tree has no such action: a search that no longer lists it closes it.
    await expect.poll(() => page.evaluate('document.body.dataset.tree ?? null')).toBe(null);
    await page.selectOption('#strategy', '');
    await page.selectOption('#outcome', 'exhausted');
    await expectTrees("SELECT count(*) FROM trees WHERE outcome = 'exhausted'");
    expect(errors).toEqual([]);
    expect(offsite).toEqual([]);
  });
});
