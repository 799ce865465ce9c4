// 1,000 runs and 100 metric keys: the API is stood in for (routes answered in the browser) so the
// test needs no thousand training runs; what is tested is the page staying light: table rows in
// the DOM, history asked for only by charts in view, charts created as they scroll in.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chartSeries, launch, open, screenshot, waitFor } from './helpers.mjs';

const RUNS = 1000;
const METRICS = 100;
const metricKeys = Array.from({ length: METRICS }, (_, i) => `metric_${String(i).padStart(3, '0')}`);
const configKeys = ['learning_rate', 'batch_size', 'optimizer', 'dropout', 'layers', 'seed'];
const states = ['finished', 'finished', 'finished', 'running', 'failed', 'crashed'];

function makeRuns() {
  return Array.from({ length: RUNS }, (_, i) => ({
    runId: `r${String(i).padStart(4, '0')}`,
    name: `sweep-${i}`,
    notes: null,
    tags: i % 3 ? ['sweep'] : ['sweep', 'baseline'],
    group: `g${i % 5}`,
    jobType: 'train',
    state: states[i % states.length],
    exitCode: 0,
    config: { learning_rate: 10 ** -(1 + (i % 4)), batch_size: 32 * (1 + (i % 4)), optimizer: i % 2 ? 'adam' : 'sgd', dropout: (i % 5) / 10, layers: 2 + (i % 3), seed: i },
    summary: Object.fromEntries(metricKeys.map((k, j) => [k, Math.sin(i + j) + 1])),
    lastStep: 9999,
    createdAt: new Date(Date.UTC(2026, 0, 1) + (RUNS - i) * 60000).toISOString(),
    updatedAt: new Date(Date.UTC(2026, 0, 1) + (RUNS - i) * 60000).toISOString(),
    finishedAt: null,
    rejectedFrames: [],
  }));
}

function series(seed, n = 400) {
  const x = [];
  const last = [];
  for (let i = 0; i < n; i++) {
    x.push(i * 25);
    last.push(Math.exp(-i / 100) + 0.05 * Math.sin(seed + i));
  }
  return { x, min: last, max: last, last, count: 10000 };
}

let browser;

describe('scale: 1,000 runs, 100 metrics', { timeout: 120000 }, () => {
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('stays light: virtual rows, lazy charts, history only for charts in view', async () => {
    const runs = makeRuns();
    const historyKeys = [];
    const page = await open(browser, '/', { viewport: { width: 1440, height: 900 } });
    await page.route('**/api/v1/**', async (route) => {
      const url = new URL(route.request().url());
      const path = url.pathname.replace('/api/v1', '');
      const json = (body) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
      if (path === '/projects/scale') {
        return json({ name: 'scale', runCount: RUNS, runsByState: { finished: 500, running: 167, failed: 167, crashed: 166 }, metricKeys, configKeys });
      }
      if (path === '/projects/scale/runs') return json({ runs, total: RUNS, nextCursor: null });
      if (path === '/projects/scale/history') {
        const ids = url.searchParams.get('runs').split(',');
        const keys = url.searchParams.get('keys').split(',');
        historyKeys.push(...keys);
        return json({ x: '_step', runs: Object.fromEntries(ids.map((id, i) => [id, Object.fromEntries(keys.map((k) => [k, series(i)]))])) });
      }
      if (path === '/projects/scale/parallel') {
        const params = url.searchParams.get('params').split(',');
        return json({
          dimensions: [...params, url.searchParams.get('metric')],
          rows: runs.map((r) => ({ runId: r.runId, name: r.name, values: [...params.map((p) => r.config[p.slice(7)] ?? null), r.summary[metricKeys[0]]] })),
        });
      }
      if (path === '/projects/scale/importance') {
        return json({ metric: url.searchParams.get('metric'), runsUsed: RUNS, parameters: configKeys.map((k, i) => ({ key: `config.${k}`, importance: 0.5 / (i + 1), correlation: 0.3 - i * 0.1 })) });
      }
      return route.fulfill({ status: 404, body: '' }); // no event stream: the page polls
    });

    const started = Date.now();
    await page.goto(page.url().replace(/#.*$/, '#/projects/scale'));
    await page.waitForSelector('[data-testid="run-count"]:has-text("1,000 runs")', { timeout: 15000 });
    await page.waitForSelector('.rt-row[data-run-id="r0000"]');
    const loadMs = Date.now() - started;

    // only the rows in view (and a few more) exist
    const rows = await page.$$eval('.rt-row[data-run-id]', (r) => r.length);
    assert.ok(rows > 10 && rows < 80, `${rows} rows in the DOM`);
    // scrolling to the end shows the last run
    await page.$eval('.rt', (el) => { el.scrollTop = el.scrollHeight; });
    await page.waitForSelector('.rt-row[data-run-id="r0999"]');
    assert.ok((await page.$$eval('.rt-row[data-run-id]', (r) => r.length)) < 80);

    // a panel per metric, but charts (and history requests) only near the viewport
    assert.equal(await page.$$eval('.line-panel', (p) => p.length), METRICS);
    await waitFor(async () => (await chartSeries(page, metricKeys[0]))?.length === 20, { message: 'twenty lines in the first chart' });
    const charts = await page.$$eval('.line-panel .chart', (els) => els.filter((e) => window.runstream.echarts.getInstanceByDom(e)).length);
    assert.ok(charts < 30, `${charts} charts created`);
    const asked = new Set(historyKeys);
    assert.ok(asked.size < 30, `history asked for ${asked.size} keys`);
    await screenshot(page, 'workspace-scale');

    // scrolling the panels down creates the last chart
    const last = metricKeys[METRICS - 1];
    await page.$eval(`[data-panel="${last}"]`, (el) => el.scrollIntoView());
    await waitFor(async () => (await chartSeries(page, last))?.length === 20, { message: 'the last chart' });

    // the page still answers promptly: a filter round trip through the UI
    const t0 = Date.now();
    await page.click('[data-chip="state:running"]');
    await page.waitForFunction(() => new URL(location.href.replace('#', '')).search.includes('state=running'));
    const clickMs = Date.now() - t0;
    assert.ok(clickMs < 3000, `a click took ${clickMs} ms`);
    assert.ok(loadMs < 15000, `the workspace took ${loadMs} ms`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
