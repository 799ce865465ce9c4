// Live updates: a run logging while the dashboard is open appears and moves without a reload.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chartSeries, launch, makeRun, open, runsOf, screenshot, startPacedRun, startRun, tableRunIds, uniqueProject, waitFor } from './helpers.mjs';

// 20,000 epochs of 8 batches: the run logs 160,000 steps over a few seconds.
const LONG_EPOCHS = Number(process.env.RUNSTREAM_LIVE_EPOCHS ?? 20000);
let browser;
const children = [];

/** Records, in the page, every (state, steps) a row shows for runs other than `known`. */
function recordRows(known) {
  window.__noReload = true;
  window.__seen = [];
  const body = document.querySelector('.rt-body');
  const look = () => {
    for (const row of body.querySelectorAll('.rt-row[data-run-id]')) {
      const id = row.getAttribute('data-run-id');
      if (id === known) continue;
      const entry = {
        id,
        state: row.querySelector('[data-col="state"]')?.textContent?.trim(),
        steps: row.querySelector('[data-col="lastStep"]')?.textContent?.trim(),
      };
      const last = window.__seen[window.__seen.length - 1];
      if (!last || last.state !== entry.state || last.steps !== entry.steps) window.__seen.push(entry);
    }
  };
  new MutationObserver(look).observe(body, { childList: true, subtree: true, characterData: true });
}

describe('live updates', { timeout: 240000 }, () => {
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill();
    await browser?.close();
  });

  it('a new run appears in the table and charts, and its row follows it to the end', async () => {
    const project = uniqueProject('live');
    const first = await makeRun({ project, seed: 1, learningRate: 0.1, epochs: 10 });
    const page = await open(browser, `/projects/${project}`);
    await waitFor(async () => (await tableRunIds(page)).join() === first, { message: 'the first run' }).catch(async (e) => {
      await screenshot(page, 'live-failure');
      console.log(await page.evaluate(() => document.querySelector('.ws-runs')?.innerText), page.errors);
      throw e;
    });
    await page.waitForSelector('.live.live-live', { timeout: 15000 });
    await page.evaluate(recordRows, first);

    const { child, done } = startRun({ project, seed: 2, learningRate: 0.05, epochs: LONG_EPOCHS });
    children.push(child);
    const id = await waitFor(async () => (await tableRunIds(page)).find((x) => x !== first), { message: 'the new run in the table', timeout: 30000 });
    await screenshot(page, 'workspace-live');
    assert.equal(await done, id);
    const steps = (LONG_EPOCHS * 8).toLocaleString('en-US');
    await waitFor(async () => {
      const state = (await page.textContent(`.rt-row[data-run-id="${id}"] [data-col="state"]`))?.trim();
      const s = (await page.textContent(`.rt-row[data-run-id="${id}"] [data-col="lastStep"]`))?.trim();
      return state === 'finished' && s === steps;
    }, { message: `the new run finished with ${steps} steps`, timeout: 30000 });

    const seen = await page.evaluate(() => window.__seen);
    assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
    assert.ok(seen.some((e) => e.state === 'running'), `the row showed the run running: ${JSON.stringify(seen)}`);
    assert.ok(new Set(seen.map((e) => e.steps)).size >= 2, `the step count moved: ${JSON.stringify(seen)}`);
    await waitFor(async () => (await chartSeries(page, 'loss'))?.some((s) => s.id === id && s.points > 100), { message: 'the new run in the loss chart' });
    assert.equal(await page.textContent('[data-testid="run-count"]'), '2 runs');
    await page.context().close();
  });

  it('the run page follows a running run', async () => {
    // The test sets the run's pace, so the page is open before the run moves on and ends.
    const project = uniqueProject('live-run');
    const run = startPacedRun({ project });
    children.push(run.child);
    const runId = await run.runId;
    run.log(200);
    await waitFor(async () => (await runsOf(project))[0]?.lastStep === 199, { message: 'the run at step 199', timeout: 30000 });
    const page = await open(browser, `/projects/${project}/runs/${runId}`);
    await page.waitForSelector('[data-panel="loss"] .chart');
    await page.evaluate(() => (window.__noReload = true));
    const shows = async (steps, state) => (await page.textContent('td[data-field="Steps"]'))?.trim() === steps
      && (await page.textContent('td[data-field="State"]'))?.trim() === state;
    await waitFor(() => shows('200', 'running'), { message: '200 steps, running' });
    run.log(300);
    await waitFor(() => shows('500', 'running'), { message: '500 steps, running', timeout: 30000 });
    run.finish();
    await run.done;
    await waitFor(() => shows('500', 'finished'), { message: '500 steps, finished', timeout: 30000 });
    assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
    // the chart holds the history (sampled, then the live rows appended)
    await waitFor(async () => (await chartSeries(page, 'loss'))?.[0]?.points === 500, { message: 'the loss chart holds the 500 steps' });
    assert.equal((await chartSeries(page, 'loss')).length, 1);
    await page.context().close();
  });
});
