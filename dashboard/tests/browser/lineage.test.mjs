// A forked run (fork_from, the Python SDK: forked_run.py) on the run page: its Lineage card links
// to the parent, whose page lists it among its forks; its chart holds the parent's history up to
// the fork and its own after, with the fork step marked.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, chartOption, launch, open, runPython, screenshot, uniqueProject, waitFor } from './helpers.mjs';

const SCRIPT = new URL('./forked_run.py', import.meta.url).pathname;
const FORK_STEP = 49;

let browser;

/** The option of the loss chart's line: its points and the marks it carries; null before it is drawn. */
async function lossLine(page) {
  const option = await chartOption(page, '[data-panel="loss"] .chart');
  const line = option?.series?.[0];
  if (!line) return null;
  return { points: line.data, markLines: line.markLine?.data ?? [], markAreas: line.markArea?.data ?? [] };
}

describe('run lineage', { timeout: 180000 }, () => {
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('links a forked run and its parent both ways and marks the fork on the chart', async () => {
    const project = uniqueProject('lineage');
    const done = await runPython(SCRIPT, [project]);
    assert.equal(done.code, 0, `${done.stdout}\n${done.stderr}`);
    const { parent, child } = JSON.parse(done.stdout.trim().split('\n').pop());

    // The dashboard reads each of these once: wait until the API has all of it.
    for (const runId of [parent, child]) {
      await waitFor(async () => (await api(`/projects/${project}/runs/${runId}`))?.state === 'finished', { message: `run ${runId} to be finished` });
    }
    const childRun = await api(`/projects/${project}/runs/${child}`);
    assert.equal(childRun.forkedFrom?.runId, parent);
    assert.equal(childRun.forkedFrom?.step, FORK_STEP);
    await waitFor(async () => (await api(`/projects/${project}/runs/${parent}/lineage`))?.forks?.some((f) => f.runId === child),
      { message: 'the parent\'s lineage to list the fork' });
    await waitFor(async () => (await api(`/projects/${project}/runs/${child}/history?keys=loss&samples=1000&x=_step`))?.series?.loss?.x?.length === 100,
      { message: 'the child\'s history: the parent\'s 50 steps and its own 50' });

    const page = await open(browser, `/projects/${project}/runs/${child}`);
    const parentLink = `[data-card="lineage"] [data-lineage="ancestors"] a[data-run-id="${parent}"]`;
    await page.waitForSelector(parentLink);
    // the parent's name comes with the lineage, a moment after the card shows its id
    await waitFor(async () => (await page.textContent(parentLink))?.trim() === 'parent', { message: 'the parent link named "parent"' });
    assert.equal(await page.getAttribute(parentLink, 'href'), `#/projects/${encodeURIComponent(project)}/runs/${encodeURIComponent(parent)}`);
    assert.match(await page.textContent('[data-card="lineage"] [data-lineage="ancestors"]'), new RegExp(`^Forked from parent at step ${FORK_STEP}$`));
    assert.equal(await page.$('[data-card="lineage"] [data-lineage="forks"]'), null);
    assert.equal(await page.$('[data-card="lineage"] [data-lineage="rewinds"]'), null);

    // One line from step 0 to 99: the parent's points up to the fork, the child's own after.
    const line = await waitFor(async () => {
      const l = await lossLine(page);
      return l?.points.length === 100 && l.markLines.length ? l : null;
    }, { message: 'the loss chart with the fork marked' });
    assert.deepEqual(line.points.map((p) => p[0]), Array.from({ length: 100 }, (_, i) => i));
    const at = (step) => line.points.find((p) => p[0] === step)[1];
    assert.ok(Math.abs(at(FORK_STEP) - 1 / (1 + FORK_STEP)) < 1e-9, `step ${FORK_STEP} is the parent's: ${at(FORK_STEP)}`);
    assert.ok(Math.abs(at(FORK_STEP + 1) - 0.5 / (2 + FORK_STEP)) < 1e-9, `step ${FORK_STEP + 1} is the child's: ${at(FORK_STEP + 1)}`);
    assert.deepEqual(line.markLines.map((m) => [m.xAxis, m.name]), [[FORK_STEP, 'forked from parent']]);
    assert.equal(line.markAreas.length, 1);
    assert.equal(line.markAreas[0][1].xAxis, FORK_STEP);
    await screenshot(page, 'run-lineage-child');

    // Against time the fork step has no place: no marks.
    await page.selectOption('.run-charts select[aria-label="X axis"]', '_timestamp');
    await waitFor(async () => {
      const option = await chartOption(page, '[data-panel="loss"] .chart');
      return option?.xAxis?.[0]?.type === 'time' && !(option.series[0].markLine?.data ?? []).length && !(option.series[0].markArea?.data ?? []).length;
    }, { message: 'the time chart without the fork marks' });

    // The link leads to the parent, which lists the child among its forks.
    await page.click(parentLink);
    await waitFor(async () => (await page.textContent('.run-head h1'))?.trim() === 'parent', { message: 'the parent\'s page' });
    const fork = `[data-card="lineage"] [data-lineage="forks"] li[data-run-id="${child}"]`;
    await page.waitForSelector(fork);
    assert.equal((await page.textContent(`${fork} a[data-run-id="${child}"]`)).trim(), 'child');
    assert.equal(await page.getAttribute(`${fork} a`, 'href'), `#/projects/${encodeURIComponent(project)}/runs/${encodeURIComponent(child)}`);
    assert.match(await page.textContent(fork), new RegExp(`at step ${FORK_STEP}`));
    assert.equal((await page.textContent(`${fork} [data-state]`)).trim(), 'finished');
    assert.equal(await page.$('[data-card="lineage"] [data-lineage="ancestors"]'), null);
    // the parent's own chart: its 100 steps, nothing marked
    const parentLine = await waitFor(async () => {
      const l = await lossLine(page);
      return l?.points.length === 100 ? l : null;
    }, { message: 'the parent\'s loss chart' });
    assert.deepEqual(parentLine.markLines, []);
    assert.deepEqual(parentLine.markAreas, []);
    await screenshot(page, 'run-lineage-parent');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
