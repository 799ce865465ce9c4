// The runs pane against the real stack: headers that tell config from summary, columns moved and
// resized (kept in the URL), one number format, the runtime column, the filter builder, deleting
// runs with an undo, and grouping (the band of the group lines, counts and means per group).
// The runs come from sweep.py (the Python SDK).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  api, chartOption, launch, open, runPython, runsOf, sameSet, screenshot, tableRunIds, uniqueProject, waitFor
} from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const project = uniqueProject('table');
const RUNS = 30;
/** tall enough for every row of the (virtualised) table */
const VIEWPORT = { width: 1440, height: 1400 };
const COLS = 'cols=config.lr,summary.train/lr,summary.val/loss,config.optimizer';
let browser;
/** the sweep's runs as the API lists them */
let runs = [];

/** A line panel's chart option. */
const option = (page, metric) => chartOption(page, `[data-panel="${metric}"] .chart`);

/** The header cells' column ids, left to right. */
function headerOrder(page) {
  return page.$$eval('.rt-head .rt-th[data-col]', (cells) => cells
    .sort((a, b) => a.getBoundingClientRect().left - b.getBoundingClientRect().left)
    .map((c) => c.getAttribute('data-col')));
}

function headerWidth(page, col) {
  return page.$eval(`.rt-th[data-col="${col}"]`, (el) => Math.round(el.getBoundingClientRect().width));
}

/** The texts of one column's cells over the run rows. */
function columnTexts(page, col) {
  return page.$$eval(`.rt-row[data-run-id] [data-col="${col}"]`, (cells) => cells.map((c) => c.textContent.trim()));
}

async function openTable(query = '') {
  const page = await open(browser, `/projects/${project}?${COLS}${query ? `&${query}` : ''}`, { viewport: VIEWPORT });
  await waitFor(async () => (await tableRunIds(page)).length === RUNS, { message: 'the sweep in the table' });
  return page;
}

/** Significant digits of a number as written (exponent left out). */
function significant(text) {
  const mantissa = text.replace(/^-/, '').split('e')[0].replace('.', '').replace(/^0+/, '');
  return mantissa.length;
}

describe('runs table', { timeout: 300000 }, () => {
  before(async () => {
    const res = await runPython(join(here, 'sweep.py'), [project, String(RUNS), '12']);
    assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
    runs = await waitFor(async () => {
      const list = await runsOf(project);
      return list.length === RUNS && list.every((r) => r.state !== 'running') ? list : null;
    }, { message: 'the sweep to be listed', timeout: 60000 });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('tells config from summary in headers, writes numbers one way and shows the runtime', async () => {
    const page = await openTable();
    for (const [col, prefix, label] of [['config.lr', 'config', 'lr'], ['summary.train/lr', 'summary', 'train/lr']]) {
      assert.equal((await page.textContent(`.rt-th[data-col="${col}"] .rt-prefix`)).trim(), prefix);
      assert.equal((await page.textContent(`.rt-th[data-col="${col}"] .rt-label`)).trim(), label);
      assert.equal(await page.getAttribute(`.rt-th[data-col="${col}"]`, 'title'), col);
    }
    const number = /^-?(\d+(\.\d+)?|\d(\.\d+)?e-?\d+)$/;
    const lrs = await columnTexts(page, 'config.lr');
    assert.equal(lrs.length, RUNS);
    for (const col of ['config.lr', 'summary.train/lr', 'summary.val/loss']) {
      for (const t of await columnTexts(page, col)) {
        assert.match(t, number, `${col}: ${t}`);
        assert.ok(significant(t) <= 4, `${col}: ${t} has more than 4 significant digits`);
        const v = Number(t);
        // below 1e-3 and from 1e5 up: exponent notation, else none
        assert.equal(t.includes('e'), v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5), `${col}: ${t}`);
      }
    }
    // the sweep's learning rates span 1e-5 to 1e-1: both notations are in the column
    assert.ok(lrs.some((t) => t.includes('e-')) && lrs.some((t) => !t.includes('e')), lrs.join(' '));
    // each cell is the run's value, rounded
    const byName = new Map(runs.map((r) => [r.runId, r]));
    const ids = await tableRunIds(page);
    for (const [i, id] of ids.entries()) {
      const want = byName.get(id).config.lr;
      assert.ok(Math.abs(Number(lrs[i]) - want) <= Math.abs(want) * 1e-3, `${lrs[i]} vs ${want}`);
    }
    const runtimes = await columnTexts(page, 'runtime');
    assert.equal(runtimes.length, RUNS);
    for (const t of runtimes) assert.match(t, /^(\d+s|\d+m \d\ds|\d+h \d\dm|\d+d \d\dh)$/);
    assert.equal((await page.textContent('.rt-th[data-col="runtime"]')).trim(), 'Runtime');
    await screenshot(page, 'table-headers');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('moves and resizes columns, and keeps both in the URL', async () => {
    const page = await openTable();
    assert.deepEqual((await headerOrder(page)).filter((c) => /^(config|summary)\./.test(c)),
      ['config.lr', 'summary.train/lr', 'summary.val/loss', 'config.optimizer']);

    // the Columns chooser's move buttons
    await page.click('button:has-text("Columns")');
    await page.click('[aria-label="Move summary.val/loss left"]');
    await page.click('[aria-label="Move summary.val/loss left"]');
    await page.keyboard.press('Escape');
    const moved = ['summary.val/loss', 'config.lr', 'summary.train/lr', 'config.optimizer'];
    await waitFor(async () => JSON.stringify((await headerOrder(page)).filter((c) => c.includes('.'))) === JSON.stringify(moved), { message: 'the moved column' });

    // dragging a header onto another (the table widened, so both headers are in view)
    await page.click('button:has-text("Expand table")');
    await page.dragAndDrop('.rt-th[data-col="config.optimizer"]', '.rt-th[data-col="config.lr"]');
    const dragged = ['summary.val/loss', 'config.optimizer', 'config.lr', 'summary.train/lr'];
    await waitFor(async () => JSON.stringify((await headerOrder(page)).filter((c) => c.includes('.'))) === JSON.stringify(dragged), { message: 'the dragged column' });
    assert.match(decodeURIComponent(page.url()), /cols=summary\.val\/loss,config\.optimizer,config\.lr,summary\.train\/lr/);
    // the cells moved with their headers
    const headerX = await page.$eval('.rt-th[data-col="config.lr"]', (el) => el.getBoundingClientRect().left);
    const cellX = await page.$eval('.rt-row[data-run-id] [data-col="config.lr"]', (el) => el.getBoundingClientRect().left);
    assert.ok(Math.abs(headerX - cellX) < 1, `${headerX} vs ${cellX}`);

    // resizing by the header's right edge
    const before = await headerWidth(page, 'summary.train/lr');
    const box = await page.locator('.rt-th[data-col="summary.train/lr"] .rt-resize').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 30, box.y + box.height / 2, { steps: 3 });
    await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2, { steps: 3 });
    await page.mouse.up();
    await waitFor(async () => /colw=summary\.train\/lr:\d+/.test(decodeURIComponent(page.url())), { message: 'the width in the URL' });
    const after = await headerWidth(page, 'summary.train/lr');
    assert.ok(Math.abs(after - (before + 60)) <= 2, `${before} -> ${after}`);
    const cellWidth = await page.$eval('.rt-row[data-run-id] [data-col="summary.train/lr"]', (el) => Math.round(el.getBoundingClientRect().width));
    assert.equal(cellWidth, after);
    // sorting still works from the header, and the resize did not sort
    assert.ok(!/sort=/.test(page.url()), page.url());

    await page.reload();
    await waitFor(async () => (await tableRunIds(page)).length === RUNS, { message: 'rows after a reload' });
    assert.deepEqual((await headerOrder(page)).filter((c) => c.includes('.')), dragged);
    assert.equal(await headerWidth(page, 'summary.train/lr'), after);
    await screenshot(page, 'table-columns');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('filters with the builder, and the JSON box shows the same filter', async () => {
    const page = await openTable();
    await page.click('.ws-filterbar button:has-text("Filter")');
    await page.click('.filter-builder button:has-text("Add condition")');
    await page.selectOption('.filter-builder [aria-label="Filter field"]', 'config.optimizer');
    await page.selectOption('.filter-builder [aria-label="Filter operator"]', 'eq');
    await page.fill('.filter-builder [aria-label="Filter value"]', 'adam');
    await page.click('.filter-builder button:has-text("Apply")');
    const expected = runs.filter((r) => r.config.optimizer === 'adam').map((r) => r.runId);
    assert.ok(expected.length > 0 && expected.length < RUNS);
    await waitFor(async () => sameSet(await tableRunIds(page), expected), { message: 'the rows of adam runs' });
    assert.equal(await page.textContent('[data-testid="run-count"]'), `${expected.length} runs`);
    assert.deepEqual(JSON.parse(await page.inputValue('textarea[aria-label="Filter (JSON)"]')), { 'config.optimizer': 'adam' });
    assert.match(decodeURIComponent(page.url()), /f=\{"config\.optimizer":"adam"\}/);

    // a second condition through the JSON box shows up as a builder row
    await page.fill('textarea[aria-label="Filter (JSON)"]', '{"config.optimizer": "adam", "config.batch_size": {"$gte": 64}}');
    await page.click('.filter-box [data-testid="filter-json-apply"]');
    const both = runs.filter((r) => r.config.optimizer === 'adam' && r.config.batch_size >= 64).map((r) => r.runId);
    await waitFor(async () => sameSet(await tableRunIds(page), both), { message: 'the rows of both conditions' });
    await waitFor(async () => (await page.$$('.filter-builder .fb-row')).length === 2, { message: 'two builder rows' });
    assert.equal(await page.inputValue('.filter-builder .fb-row:nth-child(2) [aria-label="Filter field"]'), 'config.batch_size');
    await screenshot(page, 'table-filter-builder');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('groups: the band switches, counts match the table, and headers show means', async () => {
    const page = await openTable('group=group&panels=val/loss&legend=val/loss');
    await waitFor(async () => (await page.$$('.rt-group')).length === 2, { message: 'two group rows' });
    const groups = await waitFor(async () => (await api(`/projects/${project}/history/grouped?key=${encodeURIComponent('val/loss')}&groupBy=group&samples=400&x=_step`))?.groups, { message: 'grouped history' });
    const bandOf = async (value) => {
      const o = await option(page, 'val/loss');
      return o?.series.find((s) => s.id === `band:${value}:range`)?.data ?? null;
    };
    // min-max by default: the band's height is max - min
    const g = groups.find((x) => x.value === 'sweep-a');
    const idx = g.x.length - 1;
    await waitFor(async () => {
      const d = await bandOf('sweep-a');
      return d && d.length === g.x.length && Math.abs(d[idx][1] - (g.max[idx] - g.min[idx])) < 1e-6 * Math.max(1, g.max[idx]);
    }, { message: 'the min-max band' });

    // std dev: mean ± std, so a height of 2 std
    await page.selectOption('[aria-label="Group band"]', 'std');
    await waitFor(async () => {
      const d = await bandOf('sweep-a');
      return d && Math.abs(d[idx][1] - 2 * g.std[idx]) < 1e-6 * Math.max(1, g.std[idx]);
    }, { message: 'the std band' });
    assert.match(page.url(), /band=std/);
    // std error: 2 std / sqrt(n)
    await page.selectOption('[aria-label="Group band"]', 'stderr');
    await waitFor(async () => {
      const d = await bandOf('sweep-a');
      const n = g.count?.[idx] ?? g.runs;
      return d && Math.abs(d[idx][1] - 2 * g.std[idx] / Math.sqrt(n)) < 1e-6 * Math.max(1, g.std[idx]);
    }, { message: 'the std error band' });
    await page.selectOption('[aria-label="Group band"]', 'none');
    await waitFor(async () => (await bandOf('sweep-a'))?.every((p) => p[1] === null), { message: 'no band' });
    await page.reload();
    await waitFor(async () => (await page.inputValue('[aria-label="Group band"]')) === 'none', { message: 'the band after a reload' });
    await page.selectOption('[aria-label="Group band"]', 'std');

    // the group counts: legend and tooltip (the series names) equal the table's group rows
    for (const value of ['sweep-a', 'sweep-b']) {
      const tableCount = Number((await page.textContent(`.rt-group[data-group="${value}"] [data-testid="group-count"]`)).match(/(\d+) runs?/)[1]);
      assert.equal(tableCount, runs.filter((r) => r.group === value).length);
      await waitFor(async () => {
        const o = await option(page, 'val/loss');
        const s = o?.series.find((x) => x.id === `group:${value}`);
        return s && s.name === `${value} (${tableCount})` && o.legend[0].data.includes(s.name);
      }, { message: `the chart's count of ${value}` });
      // the mean of a summary column in the group's header row
      const mean = (await page.textContent(`.rt-group[data-group="${value}"] [data-col="summary.train/lr"]`)).trim();
      assert.match(mean, /^μ /);
      const members = runs.filter((r) => r.group === value).map((r) => r.summary['train/lr']);
      const want = members.reduce((a, b) => a + b, 0) / members.length;
      assert.ok(Math.abs(Number(mean.slice(2)) - want) <= Math.abs(want) * 1e-3, `${mean} vs ${want}`);
      // and the range of a config column
      assert.match((await page.textContent(`.rt-group[data-group="${value}"] [data-col="config.lr"]`)).trim(), /^\S+ – \S+$/);
    }
    // a run hidden from the charts: its group's line is of one run fewer, and its header row says so
    const all = runs.filter((r) => r.group === 'sweep-a').length;
    const hidden = runs.find((r) => r.group === 'sweep-a').runId;
    await page.click(`.rt-row[data-run-id="${hidden}"] .vis-btn`);
    await waitFor(async () => (await page.textContent('.rt-group[data-group="sweep-a"] [data-testid="group-shown"]').catch(() => ''))?.trim() === `(${all - 1} in charts)`, { message: 'the shown count in the group row' });
    await waitFor(async () => (await option(page, 'val/loss'))?.series.find((x) => x.id === 'group:sweep-a')?.name === `sweep-a (${all - 1})`, { message: 'the chart count after hiding a run' });
    await screenshot(page, 'table-grouped');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('deletes picked runs at once, and Undo brings them back', async () => {
    const page = await openTable();
    const ids = await tableRunIds(page);
    const picked = ids.slice(1, 3);
    for (const id of picked) await page.check(`.rt-row[data-run-id="${id}"] input.row-select`);
    assert.equal((await page.textContent('[data-testid="delete-runs"]')).trim(), 'Delete 2 runs');
    await page.click('[data-testid="delete-runs"]');
    await waitFor(async () => sameSet(await tableRunIds(page), ids.filter((id) => !picked.includes(id))), { message: 'the rows gone', timeout: 3000 });
    assert.equal(await page.textContent('[data-testid="run-count"]'), `${RUNS - 2} runs`);
    await waitFor(async () => {
      const listed = (await runsOf(project)).map((r) => r.runId);
      return listed.length === RUNS - 2 && picked.every((id) => !listed.includes(id));
    }, { message: 'the runs gone from the API' });
    const bin = (await runsOf(project, '&deleted=true')).map((r) => r.runId);
    assert.ok(picked.every((id) => bin.includes(id)), bin.join());
    // live events of the deletes do not bring them back
    await page.waitForSelector('.toast:has-text("Deleted 2 runs")');
    await screenshot(page, 'table-deleted');
    assert.equal((await tableRunIds(page)).length, RUNS - 2);

    await page.click('.toast button:has-text("Undo")');
    await waitFor(async () => sameSet(await tableRunIds(page), ids), { message: 'the rows back' });
    await waitFor(async () => (await runsOf(project)).length === RUNS, { message: 'the runs back in the API' });
    assert.equal(await page.textContent('[data-testid="run-count"]'), `${RUNS} runs`);

    // deleted elsewhere (the API): the live event takes the row out; restored, it comes back
    const other = ids[0];
    await api(`/projects/${project}/runs/${other}`, { method: 'DELETE' });
    await waitFor(async () => !(await tableRunIds(page)).includes(other), { message: 'the run deleted elsewhere to leave' });
    await api(`/projects/${project}/runs/${other}/restore`, { method: 'POST' });
    await waitFor(async () => (await tableRunIds(page)).includes(other), { message: 'the restored run to come back' });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('moves picked runs to another project, with their history', async () => {
    const page = await openTable();
    const ids = await tableRunIds(page);
    const picked = ids.slice(0, 2);
    const target = uniqueProject('moved');
    for (const id of picked) await page.check(`.rt-row[data-run-id="${id}"] input.row-select`);
    await page.click('[data-testid="move-runs"]');
    await page.fill('[aria-label="Move to project"]', target);
    await page.click('[data-testid="move-runs-go"]');
    await waitFor(async () => sameSet(await tableRunIds(page), ids.filter((id) => !picked.includes(id))), { message: 'the moved rows gone' });
    await page.waitForSelector(`.toast:has-text("Moved 2 runs to ${target}")`);
    assert.ok(sameSet((await runsOf(target)).map((r) => r.runId), picked), 'the runs in the other project');
    assert.ok((await runsOf(project)).every((r) => !picked.includes(r.runId)), 'and out of this one');
    assert.equal((await api(`/projects/${project}/runs/${picked[0]}`)).movedTo, target);

    // the old address says where the run went
    const oldPage = await open(browser, `/projects/${project}/runs/${picked[0]}`);
    await oldPage.waitForSelector('[data-notice="moved"]');
    assert.equal(await oldPage.getAttribute('[data-notice="moved"] a', 'href'), `#/projects/${target}/runs/${picked[0]}`);
    await oldPage.context().close();

    // the toast opens the other project: the runs are there, charted
    await page.click('.toast button:has-text("Open")');
    await waitFor(async () => sameSet(await tableRunIds(page), picked), { message: 'the moved runs in their new workspace' });
    await waitFor(async () => (await chartOption(page, '[data-panel="val/loss"] .chart'))?.series?.filter((x) => x.data?.length > 0).length === 2,
      { message: 'their history charted there' });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
