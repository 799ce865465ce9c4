// The project workspace against the real stack: runs made by the C# SDK's example program.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, chartSeries, launch, makeRun, open, sameSet, screenshot, tableRunIds, uniqueProject, waitFor,
} from './helpers.mjs';

const project = uniqueProject('ws');
const RUNS = [
  { seed: 1, learningRate: 0.3, epochs: 20 },
  { seed: 2, learningRate: 0.1, epochs: 25 },
  { seed: 3, learningRate: 0.03, epochs: 30 },
  { seed: 4, learningRate: 0.01, epochs: 35 },
];
/** run id -> learning rate */
const lr = new Map();
let browser;

describe('workspace', { timeout: 240000 }, () => {
  before(async () => {
    for (const r of RUNS) lr.set(await makeRun({ project, ...r }), r.learningRate);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('shows the project runs in the table', async () => {
    const page = await open(browser, `/projects/${project}`);
    await waitFor(async () => sameSet(await tableRunIds(page), [...lr.keys()]), { message: 'the four runs in the table' });
    // the key left the visible URL
    assert.ok(!page.url().includes('key='), page.url());
    // default order: newest first
    const ids = await tableRunIds(page);
    assert.deepEqual(ids, [...lr.keys()].reverse());
    // config and summary columns
    const first = ids[0];
    assert.equal((await page.textContent(`.rt-row[data-run-id="${first}"] [data-col="config.learning_rate"]`)).trim(), String(lr.get(first)));
    assert.match(await page.textContent(`.rt-row[data-run-id="${first}"] [data-col="summary.accuracy"]`), /^0\.\d+$/);
    assert.equal((await page.textContent(`.rt-row[data-run-id="${first}"] [data-col="state"]`)).trim(), 'finished');
    assert.equal(await page.textContent('[data-testid="run-count"]'), '4 runs');
    await waitFor(async () => (await chartSeries(page, 'loss'))?.length === 4, { message: 'the loss chart' });
    await screenshot(page, 'workspace');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('narrows the rows with a JSON filter, keeps it in the URL, and a state chip too', async () => {
    const page = await open(browser, `/projects/${project}`);
    await waitFor(async () => (await tableRunIds(page)).length === 4, { message: 'rows' });
    await page.click('button:has-text("Filter")');
    await page.fill('textarea[aria-label="Filter (JSON)"]', '{"config.learning_rate": {"$lt": 0.05}}');
    await page.click('.filter-box [data-testid="filter-json-apply"]');
    const expected = [...lr].filter(([, v]) => v < 0.05).map(([id]) => id);
    await waitFor(async () => sameSet(await tableRunIds(page), expected), { message: 'the filtered rows' });
    assert.equal(await page.textContent('[data-testid="run-count"]'), '2 runs');
    assert.match(decodeURIComponent(page.url()), /f=\{"config\.learning_rate":\{"\$lt":0\.05\}\}/);

    // the same link opens the same view
    await page.reload();
    await waitFor(async () => sameSet(await tableRunIds(page), expected), { message: 'the filtered rows after a reload' });

    // a state chip: nothing is running
    await page.click('[data-chip="state:running"]');
    await waitFor(async () => (await tableRunIds(page)).length === 0 && (await page.textContent('[data-testid="run-count"]')) === '0 runs', { message: 'no running runs' });
    await page.click('[data-chip="state:running"]');
    await page.click('[data-chip="state:finished"]');
    await waitFor(async () => sameSet(await tableRunIds(page), expected), { message: 'finished and filtered' });

    // a bad filter is refused, with the path named
    await page.fill('textarea[aria-label="Filter (JSON)"]', '{"config.learning_rate": {"$gtt": 1}}');
    await page.click('.filter-box [data-testid="filter-json-apply"]');
    await page.waitForSelector('.filter-box .form-error:has-text("unknown operator")');
    await screenshot(page, 'workspace-filtered');
    await page.context().close();
  });

  it('sorts by a column header', async () => {
    const page = await open(browser, `/projects/${project}`);
    await waitFor(async () => (await tableRunIds(page)).length === 4, { message: 'rows' });
    const byLr = [...lr].sort((a, b) => a[1] - b[1]).map(([id]) => id);
    await page.click('.rt-th[data-col="config.learning_rate"]');
    await waitFor(async () => (await tableRunIds(page)).join() === [...byLr].reverse().join(), { message: 'descending learning rate' });
    assert.match(page.url(), /sort=-config\.learning_rate/);
    await page.click('.rt-th[data-col="config.learning_rate"]');
    await waitFor(async () => (await tableRunIds(page)).join() === byLr.join(), { message: 'ascending learning rate' });
    await page.context().close();
  });

  it('draws a line per run shown, hides a run, and groups', async () => {
    const page = await open(browser, `/projects/${project}`);
    const ids = [...lr.keys()];
    await waitFor(async () => sameSet((await chartSeries(page, 'loss') ?? []).map((s) => s.id), ids), { message: 'a loss series per run' });
    const series = await chartSeries(page, 'loss');
    // 20 epochs of 8 batches: every step is there (fewer steps than samples)
    const first = series.find((s) => s.id === ids[0]);
    assert.equal(first.points, RUNS[0].epochs * 8);
    assert.deepEqual((await chartSeries(page, 'accuracy')).map((s) => s.id).sort(), [...ids].sort());

    // hide one run: its line goes, the URL says so
    const hidden = ids[1];
    await page.click(`.rt-row[data-run-id="${hidden}"] .vis-btn`);
    await waitFor(async () => sameSet((await chartSeries(page, 'loss')).map((s) => s.id), ids.filter((i) => i !== hidden)), { message: 'three lines' });
    assert.match(page.url(), new RegExp(`hide=${hidden}`));

    // smoothing: a faint raw line behind each smoothed one
    await page.evaluate(() => {
      const s = document.querySelector('input[aria-label="Smoothing"]');
      s.value = '0.8';
      s.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await waitFor(async () => (await chartSeries(page, 'loss')).filter((s) => s.id.endsWith(':raw')).length === 3, { message: 'raw lines' });
    assert.match(page.url(), /smooth=0\.8/);

    // group by learning rate: a mean line (and band) per group of the runs shown
    await page.selectOption('select[aria-label="Group by"]', 'config.learning_rate');
    await waitFor(async () => {
      const groups = (await chartSeries(page, 'loss')).filter((s) => s.id.startsWith('group:'));
      return groups.length === 3;
    }, { message: 'three group means' });
    const groups = (await chartSeries(page, 'loss')).filter((s) => s.id.startsWith('group:')).map((s) => s.id).sort();
    assert.deepEqual(groups, ids.filter((i) => i !== hidden).map((i) => `group:${lr.get(i)}`).sort());
    assert.ok((await page.$$('.rt-group')).length === 4, 'a header row per group');
    await screenshot(page, 'workspace-grouped');

    // the view comes back from its link
    const url = page.url();
    const again = await page.context().newPage();
    await again.goto(url);
    await waitFor(async () => (await chartSeries(again, 'loss'))?.filter((s) => s.id.startsWith('group:')).length === 3, { message: 'the grouped view from the link' });
    assert.equal(await again.$eval('select[aria-label="Group by"]', (s) => s.value), 'config.learning_rate');
    await again.close();
    await page.context().close();
  });

  it('edits tags and notes in the table, and they persist', async () => {
    const page = await open(browser, `/projects/${project}`);
    const id = [...lr.keys()][2];
    const cell = `.rt-row[data-run-id="${id}"] [data-col="tags"]`;
    await page.waitForSelector(cell);
    await page.click(cell);
    await page.fill(`${cell} input.tag-input`, 'edited-tag');
    await page.press(`${cell} input.tag-input`, 'Enter');
    await waitFor(async () => (await page.textContent(cell)).includes('edited-tag'), { message: 'the new tag in the cell' });
    // the edit is an event, applied a moment later
    await waitFor(async () => (await api(`/projects/${project}/runs/${id}`)).tags.includes('edited-tag'), { message: 'the tag on the server' });

    const notes = `.rt-row[data-run-id="${id}"] [data-col="notes"]`;
    await page.click(notes);
    await page.fill(`${notes} input`, 'edited from the dashboard');
    await page.press(`${notes} input`, 'Enter');
    await waitFor(async () => (await api(`/projects/${project}/runs/${id}`)).notes === 'edited from the dashboard', { message: 'the notes on the server' });

    await page.reload();
    await page.waitForSelector(cell);
    await waitFor(async () => (await page.textContent(cell)).includes('edited-tag'), { message: 'the tag after a reload' });
    assert.deepEqual((await page.$$eval(`${cell} .tag`, (ts) => ts.map((t) => t.textContent))).sort(), ['baseline', 'edited-tag', 'paper1']);
    assert.equal((await page.textContent(notes)).trim(), 'edited from the dashboard');
    // and the tag is a chip now
    await page.click('[data-chip="tag:edited-tag"]');
    await waitFor(async () => (await tableRunIds(page)).join() === id, { message: 'the tag chip filter' });
    await page.context().close();
  });

  it('shows parallel coordinates and parameter importance', async () => {
    const page = await open(browser, `/projects/${project}`);
    const option = async (name) => page.evaluate((n) => {
      const el = document.querySelector(`[data-panel-chart="${n}"]`);
      const c = el && window.runstream.echarts.getInstanceByDom(el);
      return c ? c.getOption() : null;
    }, name);
    const parallel = await waitFor(async () => {
      const o = await option('parallel');
      return o?.series?.[0]?.data?.length === 4 ? o : null;
    }, { message: 'four lines in parallel coordinates' });
    const axes = parallel.parallelAxis.map((a) => a.name);
    assert.ok(axes.includes('learning_rate'), axes.join());
    assert.equal(axes[axes.length - 1], 'accuracy');
    const importance = await waitFor(async () => {
      const o = await option('importance');
      return o?.yAxis?.[0]?.data?.length ? o : null;
    }, { message: 'importance bars' });
    assert.ok(importance.yAxis[0].data.includes('learning_rate'), importance.yAxis[0].data.join());
    await page.context().close();
  });
});
