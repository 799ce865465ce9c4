// The workspace's compare section on a hyperparameter sweep (sweep.py, the Python SDK): what it
// shows before anyone chooses (a validation metric, the swept keys, a log axis for the learning
// rate), brushing parallel coordinates into the table's filter and the URL, importance without
// the constant key and with correlations, a warning on a sweep too small for it, the scatter panel
// and the run comparer. Assertions read what the charts were given (their ECharts options).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chartOption, launch, open, runPython, runsOf, screenshot, tableRunIds, uniqueProject, waitFor } from './helpers.mjs';

const SWEEP = join(fileURLToPath(new URL('.', import.meta.url)), 'sweep.py');
const sweep = uniqueProject('compare');
const small = uniqueProject('compare-small');
/** enough runs that importance is trusted (the warning starts below 20) */
const SWEEP_RUNS = 30;
const SMALL_RUNS = 12;
const VIEWPORT = { width: 1600, height: 1400 };
let browser;
/** the sweep's runs as the API has them: runId -> run */
let runs;

async function makeSweep(project, n, steps) {
  const done = await runPython(SWEEP, [project, String(n), String(steps)]);
  assert.equal(done.code, 0, done.stderr);
  return waitFor(async () => {
    const list = await runsOf(project);
    return list.length === n && list.every((r) => r.state !== 'running') ? list : null;
  }, { message: `the ${n} runs of ${project} to end`, timeout: 60000 });
}

/** A compare panel's chart option. */
const option = (page, name) => chartOption(page, `[data-panel-chart="${name}"]`);

/** Scrolls a panel into view (its chart loads then) and waits for its chart to have data. */
async function drawn(page, name, ready) {
  await page.waitForSelector(`[data-panel="${name}"]`);
  await page.$eval(`[data-panel="${name}"]`, (el) => el.scrollIntoView({ block: 'center' }));
  return waitFor(async () => {
    const o = await option(page, name);
    return o && ready(o) ? o : null;
  }, { message: `the ${name} chart` });
}

const parallelReady = (o) => o.series?.[0]?.data?.length > 0;
const importanceReady = (o) => o.yAxis?.[0]?.data?.length > 0;
const scatterReady = (o) => o.series?.[0]?.data?.length > 0;

/** The brush intervals ECharts holds on a parallel axis. */
function activeIntervals(page, field) {
  return page.evaluate((f) => {
    const chart = window.runstream.echarts.getInstanceByDom(document.querySelector('[data-panel-chart="parallel"]'));
    return chart.getModel().findComponents({ mainType: 'parallelAxis' }).find((a) => a.id === f)?.activeIntervals ?? null;
  }, field);
}

describe('compare section', { timeout: 300000 }, () => {
  before(async () => {
    const [list] = await Promise.all([makeSweep(sweep, SWEEP_RUNS, 12), makeSweep(small, SMALL_RUNS, 6)]);
    runs = new Map(list.map((r) => [r.runId, r]));
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('shows the swept keys against a validation metric, the learning rate on a log axis, names whole', async () => {
    const page = await open(browser, `/projects/${sweep}`, { viewport: VIEWPORT });
    const o = await drawn(page, 'parallel', (x) => x.series?.[0]?.data?.length === SWEEP_RUNS);
    const ids = o.parallelAxis.map((a) => a.id);
    const metric = ids[ids.length - 1];
    assert.match(metric, /^summary\.val\//, ids.join());
    assert.equal(await page.$eval('[data-panel="parallel"] select[aria-label="Metric"]', (s) => s.value), metric.replace(/^summary\./, ''));
    // every swept key, the constant one left out
    for (const key of ['lr', 'batch_size', 'optimizer', 'dropout', 'layers', 'weight_decay']) assert.ok(ids.includes(`config.${key}`), ids.join());
    assert.ok(!ids.includes('config.dataset'), ids.join());
    const axis = (f) => o.parallelAxis.find((a) => a.id === f);
    assert.equal(axis('config.lr').type, 'log');
    assert.equal(axis('config.weight_decay').type, 'log');
    assert.equal(axis('config.dropout').type, 'value');
    assert.equal(axis('config.optimizer').type, 'category');
    for (const a of o.parallelAxis) {
      assert.equal(a.name.replace(/\n/g, ''), a.id.replace(/^(config|summary)\./, ''), 'the whole name, at most wrapped');
      assert.notEqual(a.nameTextStyle?.overflow, 'truncate');
    }
    // the table's default columns: the swept floats first and the seed last among the config keys,
    // the compared metric first among the summaries
    const cols = await page.$$eval('.rt-th[data-col]', (ths) => ths.map((t) => t.getAttribute('data-col')));
    const config = cols.filter((c) => c.startsWith('config.'));
    assert.deepEqual(config.slice(0, 2), ['config.lr', 'config.weight_decay'], cols.join());
    assert.ok(!config.includes('config.dataset') && !config.slice(0, -1).includes('config.seed'), cols.join());
    assert.equal(cols.find((c) => c.startsWith('summary.')), metric, cols.join());
    await screenshot(page, 'compare-sweep');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('ranks importance without the constant key, with each bar labelled by its correlation', async () => {
    const page = await open(browser, `/projects/${sweep}`, { viewport: VIEWPORT });
    const o = await drawn(page, 'importance', importanceReady);
    const keys = o.yAxis[0].data;
    assert.ok(keys.includes('lr'), keys.join());
    assert.ok(!keys.includes('dataset'), keys.join());
    const labels = o.series[0].data.map((d) => d.label?.formatter ?? '');
    assert.equal(labels.length, keys.length);
    const lr = labels[keys.indexOf('lr')];
    assert.match(lr, /\{(pos|neg)\|r [+\u2212]\d\.\d\d\}/, lr);
    // the colour of a label's correlation is the colour of its bar's sign
    const corr = o.series[1].data[keys.indexOf('lr')];
    const rich = o.series[0].label.rich;
    assert.equal(corr.itemStyle.color, corr.value < 0 ? rich.neg.color : rich.pos.color);
    assert.match(await page.textContent('[data-importance-constant]'), /dataset/);
    assert.equal(await page.isVisible('[data-importance-warning]'), false);
    await page.context().close();
  });

  it('warns that importance needs more runs on a small sweep', async () => {
    const page = await open(browser, `/projects/${small}`, { viewport: VIEWPORT });
    await drawn(page, 'importance', importanceReady);
    await waitFor(() => page.isVisible('[data-importance-warning]'), { message: 'the warning' });
    assert.match(await page.textContent('[data-importance-warning]'), new RegExp(`only ${SMALL_RUNS} runs: importance needs about 20`));
    await screenshot(page, 'compare-small-warning');
    await page.context().close();
  });

  it('narrows the table to a range brushed on an axis, keeps it in the URL, and clears it', async () => {
    const page = await open(browser, `/projects/${sweep}`, { viewport: VIEWPORT });
    await waitFor(async () => (await tableRunIds(page)).length === SWEEP_RUNS, { message: 'every run in the table' });
    await drawn(page, 'parallel', parallelReady);
    const [lo, hi] = [1e-4, 1e-2];
    const inside = [...runs.values()].filter((r) => r.config.lr >= lo && r.config.lr <= hi).map((r) => r.runId);
    assert.ok(inside.length > 0 && inside.length < SWEEP_RUNS, `${inside.length} runs in the range`);
    assert.equal(await page.isVisible('[data-brush-bar]'), false);
    // what a drag on the lr axis ends with
    await page.evaluate(([a, b]) => {
      const chart = window.runstream.echarts.getInstanceByDom(document.querySelector('[data-panel-chart="parallel"]'));
      chart.dispatchAction({ type: 'axisAreaSelect', parallelAxisId: 'config.lr', intervals: [[a, b]] });
    }, [lo, hi]);
    await waitFor(async () => (await tableRunIds(page)).sort().join() === [...inside].sort().join(), { message: 'the brushed runs in the table' });
    assert.match(decodeURIComponent(page.url()), /[?&]brush=config\.lr=0\.0001~0\.01(&|$)/);
    assert.match(await page.textContent('[data-brush-bar]'), /lr/);
    // the parallel chart still draws every run, the brush drawn back on its axis
    await waitFor(async () => (await option(page, 'parallel'))?.series?.[0]?.data?.length === SWEEP_RUNS, { message: 'every line' });
    await waitFor(async () => JSON.stringify(await activeIntervals(page, 'config.lr')) === JSON.stringify([[lo, hi]]), { message: 'the brush on the lr axis' });
    // the scatter follows the table
    await waitFor(async () => (await option(page, 'scatter'))?.series?.[0]?.data?.length === inside.length, { message: 'a point per brushed run' });
    await page.$eval('[data-panel="parallel"]', (el) => el.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'compare-brushed');

    // a category brushed on top: its index interval becomes the category, ANDed with the range
    const categories = (await option(page, 'parallel')).parallelAxis.find((a) => a.id === 'config.optimizer').data;
    const at = categories.indexOf('adamw');
    const both = inside.filter((id) => runs.get(id).config.optimizer === 'adamw');
    assert.ok(at >= 0 && both.length > 0 && both.length < inside.length, `${both.length} adamw runs in the range`);
    await page.evaluate((i) => {
      const chart = window.runstream.echarts.getInstanceByDom(document.querySelector('[data-panel-chart="parallel"]'));
      chart.dispatchAction({ type: 'axisAreaSelect', parallelAxisId: 'config.optimizer', intervals: [[i - 0.3, i + 0.3]] });
    }, at);
    await waitFor(async () => (await tableRunIds(page)).sort().join() === [...both].sort().join(), { message: 'the runs of both brushes' });
    assert.match(decodeURIComponent(page.url()), /config\.optimizer=:adamw/);
    await waitFor(async () => (await activeIntervals(page, 'config.optimizer'))?.length === 1, { message: 'the brush on the optimizer axis' });
    assert.match(await page.textContent('[data-brush-bar]'), /optimizer adamw/);
    assert.match(await page.textContent('[data-brush-chip]'), /brushed: 2 axes/);

    // a link with the brush opens brushed
    const linked = await open(browser, `/projects/${sweep}?${page.url().split('?')[1].replace(/&?key=[^&]*/, '')}`, { viewport: VIEWPORT });
    await waitFor(async () => (await tableRunIds(linked)).sort().join() === [...both].sort().join(), { message: 'the brushed runs from the link' });
    await drawn(linked, 'parallel', parallelReady);
    await waitFor(async () => JSON.stringify(await activeIntervals(linked, 'config.lr')) === JSON.stringify([[lo, hi]]), { message: 'the brush drawn from the link' });
    await linked.context().close();

    await page.click('[data-action="clear-brush"]');
    await waitFor(async () => (await tableRunIds(page)).length === SWEEP_RUNS, { message: 'every run back' });
    assert.doesNotMatch(page.url(), /brush=/);
    assert.equal(await page.isVisible('[data-brush-bar]'), false);
    assert.equal(await page.isVisible('[data-brush-chip]'), false);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('scatters two fields, a point per run shown in charts in its colour, the fields in the URL', async () => {
    const hidden = [...runs.keys()].slice(0, 3);
    const page = await open(browser, `/projects/${sweep}?hide=${hidden.join(',')}`, { viewport: VIEWPORT });
    await waitFor(async () => (await tableRunIds(page)).length === SWEEP_RUNS, { message: 'the table' });
    const parallel = await drawn(page, 'parallel', parallelReady);
    const o = await drawn(page, 'scatter', (x) => x.series?.[0]?.data?.length === SWEEP_RUNS - hidden.length);
    const ids = parallel.parallelAxis.map((a) => a.id);
    assert.equal(o.xAxis[0].name, ids[0], 'x: the first default axis');
    assert.equal(o.yAxis[0].name, ids[ids.length - 1], 'y: the default metric');
    const points = o.series[0].data;
    assert.ok(points.every((p) => !hidden.includes(p.runId)));
    const swatches = Object.fromEntries(await page.$$eval('.rt-row[data-run-id]', (rows) => rows.map((r) => [
      r.getAttribute('data-run-id'), r.querySelector('.swatch')?.getAttribute('style') ?? ''])));
    for (const p of points) {
      assert.equal(p.name, runs.get(p.runId).name);
      assert.ok(swatches[p.runId].includes(p.itemStyle.color), `${p.runId}: ${p.itemStyle.color} vs ${swatches[p.runId]}`);
    }
    await page.selectOption('[data-panel="scatter"] select[aria-label="Scatter x"]', 'config.lr');
    await waitFor(async () => (await option(page, 'scatter'))?.xAxis?.[0]?.name === 'config.lr', { message: 'lr on x' });
    assert.match(decodeURIComponent(page.url()), /[?&]sx=config\.lr(&|$)/);
    assert.equal((await option(page, 'scatter')).xAxis[0].type, 'log');
    await page.$eval('[data-panel="scatter"]', (el) => el.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'compare-scatter');
    await page.context().close();
  });

  it('compares the runs shown in charts side by side, differing rows marked, equal ones hidden on demand', async () => {
    const shown = [...runs.keys()].slice(0, 3);
    const page = await open(browser, `/projects/${sweep}?only=${shown.join(',')}`, { viewport: VIEWPORT });
    await page.waitForSelector('[data-panel="comparer"] table.comparer');
    await page.$eval('[data-panel="comparer"]', (el) => el.scrollIntoView({ block: 'center' }));
    const columns = await page.$$eval('[data-panel="comparer"] thead th[data-run-id]', (ths) => ths.map((t) => t.getAttribute('data-run-id')));
    assert.deepEqual([...columns].sort(), [...shown].sort());
    const rows = () => page.$$eval('[data-panel="comparer"] tbody tr[data-field]', (trs) => trs.map((t) => ({ field: t.getAttribute('data-field'), differs: t.classList.contains('differs') })));
    const only = await rows();
    assert.ok(only.some((r) => r.field === 'config.lr' && r.differs), JSON.stringify(only));
    assert.ok(only.every((r) => r.differs), 'only differences by default');
    assert.ok(!only.some((r) => r.field === 'config.dataset'));
    await page.uncheck('[data-panel="comparer"] input[aria-label="Only differences"]');
    const all = await waitFor(async () => {
      const r = await rows();
      return r.length > only.length ? r : null;
    }, { message: 'every row' });
    assert.deepEqual(all.find((r) => r.field === 'config.dataset'), { field: 'config.dataset', differs: false });
    assert.ok(all.find((r) => r.field === 'config.lr').differs);
    await screenshot(page, 'compare-comparer');
    await page.check('[data-panel="comparer"] input[aria-label="Only differences"]');
    await waitFor(async () => !(await rows()).some((r) => r.field === 'config.dataset'), { message: 'equal rows hidden again' });
    await page.context().close();
  });
});
