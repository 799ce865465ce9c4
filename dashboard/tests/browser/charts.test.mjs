// The workspace's line charts against the real stack: sections by key prefix, zoom by dragging,
// y bounds, full screen, sizes, order (kept in the URL), legends, axis names, tooltips and the
// relative-time axis. The runs come from a Python training script (the Python SDK).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chartOption, chartSeries, launch, open, runPython, screenshot, uniqueProject, waitFor } from './helpers.mjs';

const project = uniqueProject('charts');
const STEPS = 60;
let browser;
const runIds = [];

/** A training script: unprefixed, train/ and val/ metrics, system metrics, and a value set only in the summary. */
function trainingScript(seed) {
  return [
    'import math, time',
    'import runstream',
    `with runstream.init(project='${project}', config={'lr': ${0.1 / seed}, 'seed': ${seed}}) as run:`,
    '    print(run.id, flush=True)',
    `    for step in range(${STEPS}):`,
    `        loss = ${seed} / (step + 1)`,
    "        run.log({'loss': loss, 'accuracy': 1 - loss / 4, 'train/loss': loss, 'train/acc': 1 - loss / 3,",
    "                 'val/loss': loss * 1.1, 'val/acc': 0.9 - loss / 5})",
    '        time.sleep(0.03)',
    "    run.summary['best_val_acc'] = 0.95",
    '',
  ].join('\n');
}

/** A line panel's chart option. */
const option = (page, metric) => chartOption(page, `[data-panel="${metric}"] .chart`);

/** The x range the chart draws (after any zoom). */
function xExtent(page, metric) {
  return page.evaluate((m) => {
    const el = document.querySelector(`[data-panel="${m}"] .chart`);
    const chart = el && window.runstream.echarts.getInstanceByDom(el);
    return chart ? chart.getModel().getComponent('xAxis', 0).axis.scale.getExtent() : null;
  }, metric);
}

/** The panels of each section, in order: { sectionId: [keys] }. */
function sections(page) {
  return page.$$eval('.ws-section[data-section]', (els) => els.map((s) => [
    s.getAttribute('data-section'),
    [...s.querySelectorAll('.line-panel')].map((p) => p.getAttribute('data-panel')),
  ]));
}

async function openWorkspace(query = '') {
  const page = await open(browser, `/projects/${project}${query ? `?${query}` : ''}`);
  await waitFor(async () => (await chartSeries(page, 'loss'))?.length === runIds.length, { message: 'a loss line per run' });
  return page;
}

describe('charts', { timeout: 240000 }, () => {
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runstream-charts-'));
    for (const seed of [1, 2]) {
      const script = join(dir, `train${seed}.py`);
      writeFileSync(script, trainingScript(seed));
      const done = await runPython(script, [], { cwd: dir, env: { RUNSTREAM_SYSTEM_INTERVAL: '0.5' } });
      assert.equal(done.code, 0, done.stderr);
      runIds.push(done.stdout.split('\n')[0].trim());
    }
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('puts panels in sections by prefix, none for a summary-only key, and folds a section (kept in the URL)', async () => {
    const page = await openWorkspace();
    const laidOut = await waitFor(async () => {
      const s = await sections(page);
      return s.some(([id]) => id === 'system') ? s : null;
    }, { message: 'the sections' });
    assert.deepEqual(laidOut.map(([id]) => id), ['charts', 'train', 'val', 'system', 'compare']);
    const panels = Object.fromEntries(laidOut);
    assert.deepEqual(panels.charts, ['accuracy', 'loss']);
    assert.deepEqual(panels.train, ['train/acc', 'train/loss']);
    assert.deepEqual(panels.val, ['val/acc', 'val/loss']);
    assert.ok(panels.system.length > 0 && panels.system.every((k) => k.startsWith('system/')), panels.system.join());
    // set only in the summary: a column, no empty line panel
    assert.equal(await page.$('[data-panel="best_val_acc"]'), null);
    // system metrics closed, the rest open; the compare panels come after the line charts
    const open = await page.$$eval('.ws-section', (els) => els.map((e) => e.open));
    assert.deepEqual(open, [true, true, true, false, true]);
    await screenshot(page, 'charts-sections');

    await page.click('[data-section="train"] > summary');
    await waitFor(() => page.$eval('[data-section="train"]', (d) => !d.open), { message: 'train closed' });
    assert.match(page.url(), /shut=train/);
    assert.equal(await page.isVisible('[data-panel="train/loss"]'), false);
    await page.reload();
    await page.waitForSelector('[data-section="train"]');
    assert.equal(await page.$eval('[data-section="train"]', (d) => d.open), false);
    assert.equal(await page.$eval('[data-section="val"]', (d) => d.open), true);
    await page.click('[data-section="train"] > summary');
    await waitFor(() => page.$eval('[data-section="train"]', (d) => d.open), { message: 'train open again' });
    assert.doesNotMatch(page.url(), /shut=/);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('removes a panel, and adds it back from the panels chooser', async () => {
    const page = await openWorkspace();
    await page.waitForSelector('[data-panel="train/acc"]');
    await page.click('[aria-label="Remove train/acc"]');
    await waitFor(async () => (await page.$('[data-panel="train/acc"]')) === null, { message: 'the panel gone' });
    assert.match(decodeURIComponent(page.url()), /[?&]panels=[^&]*train\/loss/);
    assert.doesNotMatch(decodeURIComponent(page.url()), /[?&]panels=[^&]*train\/acc/);
    assert.ok(await page.$('[data-panel="train/loss"]'), 'the others stay');
    await page.click('button:has-text("Panels")');
    await page.check('.chooser input[value="train/acc"]');
    await waitFor(async () => (await chartSeries(page, 'train/acc'))?.length === runIds.length, { message: 'the panel back, drawn' });
    assert.doesNotMatch(page.url(), /[?&]panels=/, 'every metric again: the default');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('names its axes, and a tooltip names the x axis beside the pointer, inside the chart', async () => {
    const page = await openWorkspace();
    const o = await option(page, 'loss');
    assert.equal(o.xAxis[0].name, 'Step');
    assert.equal(o.yAxis[0].name, 'loss');
    assert.equal(o.tooltip[0].confine, true);
    const box = await page.locator('[data-panel="loss"] .chart').boundingBox();
    /** The tooltip's x readout and horizontal place, once it shows. */
    const tooltip = () => page.evaluate(() => {
      const el = [...document.querySelectorAll('[data-panel="loss"] .chart div')]
        .find((d) => d.querySelector('.tt-head') && getComputedStyle(d).position === 'absolute' && getComputedStyle(d).display !== 'none');
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { head: el.querySelector('.tt-head').textContent, left: r.left, right: r.right };
    });
    const inChart = (t) => t.left >= box.x - 1 && t.right <= box.x + box.width + 1;
    // in the left half: right of the pointer, inside the chart
    const pointerLeft = box.x + box.width * 0.3;
    await page.mouse.move(pointerLeft, box.y + box.height * 0.5);
    const left = await waitFor(async () => {
      const t = await tooltip();
      return t && t.left > pointerLeft ? t : null;
    }, { message: 'a tooltip right of the pointer' });
    assert.match(left.head, /^Step \d+$/);
    assert.ok(inChart(left), JSON.stringify({ left, box }));
    // in the right half: left of it
    const pointerRight = box.x + box.width * 0.8;
    await page.mouse.move(pointerRight, box.y + box.height * 0.5);
    const right = await waitFor(async () => {
      const t = await tooltip();
      return t && t.right < pointerRight ? t : null;
    }, { message: 'a tooltip left of the pointer' });
    assert.ok(inChart(right), JSON.stringify({ right, box }));
    await screenshot(page, 'charts-tooltip');
    await page.context().close();
  });

  it('zooms by dragging on the plot, and "reset zoom" shows it all again', async () => {
    const page = await openWorkspace();
    await waitFor(async () => (await xExtent(page, 'loss'))?.[1] >= STEPS - 1, { message: 'the whole x range' });
    const before = await xExtent(page, 'loss');
    assert.equal(await page.isVisible('[data-panel="loss"] [data-action="reset-zoom"]'), false);
    const box = await page.locator('[data-panel="loss"] .chart').boundingBox();
    const y = box.y + box.height * 0.45;
    await page.mouse.move(box.x + box.width * 0.4, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.55, y, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.7, y, { steps: 5 });
    await page.mouse.up();
    const zoomed = await waitFor(async () => {
      const e = await xExtent(page, 'loss');
      return e && e[1] - e[0] < (before[1] - before[0]) * 0.6 ? e : null;
    }, { message: 'a narrower x range' });
    assert.ok(zoomed[0] > before[0] && zoomed[1] < before[1], JSON.stringify({ before, zoomed }));
    assert.equal(await page.isVisible('[data-panel="loss"] [data-action="reset-zoom"]'), true);
    await screenshot(page, 'charts-zoomed');
    await page.click('[data-panel="loss"] [data-action="reset-zoom"]');
    await waitFor(async () => JSON.stringify(await xExtent(page, 'loss')) === JSON.stringify(before), { message: 'the whole range again' });
    assert.equal(await page.isVisible('[data-panel="loss"] [data-action="reset-zoom"]'), false);
    await page.context().close();
  });

  it('sets a y range by hand, opens full screen (Esc closes), and resizes a panel', async () => {
    const page = await openWorkspace();
    await page.click('[data-panel="loss"] [data-action="settings"]');
    await page.fill('.panel-settings input[aria-label="Y min"]', '0.2');
    await page.fill('.panel-settings input[aria-label="Y max"]', '1.5');
    await page.press('.panel-settings input[aria-label="Y max"]', 'Enter');
    await waitFor(async () => {
      const o = await option(page, 'loss');
      return o.yAxis[0].min === 0.2 && o.yAxis[0].max === 1.5;
    }, { message: 'the y axis from 0.2 to 1.5' });
    assert.match(page.url(), /y=loss:0\.2~1\.5/);

    // size: large takes the whole row
    const width = async () => (await page.locator('[data-panel="loss"]').boundingBox()).width;
    const medium = await width();
    await page.click('.panel-settings button[data-size="l"]');
    await waitFor(async () => (await width()) > medium * 1.6, { message: 'a wider panel' });
    assert.match(page.url(), /size=loss:l/);
    await page.click('.panel-settings button[data-size="s"]');
    await waitFor(async () => (await width()) < medium * 0.9, { message: 'a narrower panel' });
    await page.keyboard.press('Escape'); // closes the settings

    // the link keeps both
    await page.reload();
    await waitFor(async () => (await option(page, 'loss'))?.yAxis[0].max === 1.5, { message: 'the y range after a reload' });
    assert.ok((await width()) < medium * 0.9);

    // full screen
    await page.click('[data-panel="loss"] [data-action="fullscreen"]');
    const viewport = page.viewportSize();
    await waitFor(async () => (await page.locator('[data-panel="loss"]').boundingBox()).width > viewport.width * 0.9, { message: 'a full-screen panel' });
    await waitFor(async () => {
      const el = await page.$('[data-panel="loss"] .chart');
      return (await el.boundingBox()).height > viewport.height * 0.7;
    }, { message: 'a tall chart' });
    await screenshot(page, 'charts-fullscreen');
    await page.keyboard.press('Escape');
    await waitFor(async () => (await page.locator('[data-panel="loss"]').boundingBox()).width < viewport.width * 0.5, { message: 'full screen closed' });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('reorders panels within a section, with buttons or by dragging, and a reload keeps the order', async () => {
    const page = await openWorkspace();
    const val = async () => Object.fromEntries(await sections(page)).val;
    assert.deepEqual(await val(), ['val/acc', 'val/loss']);
    await page.click('[data-panel="val/loss"] [data-action="settings"]');
    await page.click('.panel-settings [data-action="move-earlier"]');
    await waitFor(async () => (await val()).join() === 'val/loss,val/acc', { message: 'val/loss first' });
    assert.match(page.url(), /order=val\/loss,val\/acc/);
    await page.keyboard.press('Escape');

    // drag a head onto another panel of the section
    const train = async () => Object.fromEntries(await sections(page)).train;
    await page.dragAndDrop('[data-panel="train/loss"] .panel-head', '[data-panel="train/acc"]');
    await waitFor(async () => (await train()).join() === 'train/loss,train/acc', { message: 'train/loss first' });

    await page.reload();
    await waitFor(async () => (await val())?.join() === 'val/loss,val/acc' && (await train())?.join() === 'train/loss,train/acc', { message: 'the order after a reload' });
    await page.context().close();
  });

  it('shows a legend on demand', async () => {
    const page = await openWorkspace();
    assert.equal((await option(page, 'accuracy')).legend[0].show, false);
    await page.click('[data-panel="accuracy"] [data-action="legend"]');
    const o = await waitFor(async () => {
      const x = await option(page, 'accuracy');
      return x.legend[0].show ? x : null;
    }, { message: 'the legend' });
    assert.equal(o.legend[0].data.length, runIds.length);
    assert.match(page.url(), /legend=accuracy/);
    await screenshot(page, 'charts-legend');
    await page.context().close();
  });

  it('draws against the time since each run started', async () => {
    const page = await openWorkspace();
    await page.selectOption('select[aria-label="X axis"]', '_runtime');
    const o = await waitFor(async () => {
      const x = await option(page, 'loss');
      return x?.xAxis[0].name === 'Relative time' && x.series.length === runIds.length ? x : null;
    }, { message: 'a relative-time axis' });
    assert.match(page.url(), /x=_runtime/);
    for (const s of o.series) {
      const xs = s.data.map((p) => p[0]);
      assert.equal(xs.length, STEPS);
      // seconds from the start, rising; the steps span the run's sleeps (60 × 30 ms). The first step's
      // offset is left loose: a cold SDK start can take seconds before it.
      assert.ok(xs[0] >= 0 && xs[0] < 30, `first x ${xs[0]}`);
      assert.ok(xs.every((x, i) => i === 0 || x >= xs[i - 1]), 'relative times rise with the step');
      const span = xs[xs.length - 1] - xs[0];
      assert.ok(span > 1.5 && span < 60, `steps span ${span} s`);
    }
    assert.equal(o.xAxis[0].min, 0);
    await screenshot(page, 'charts-relative-time');
    await page.context().close();
  });
});
