// Dark mode: the dashboard follows the system's preference, the top bar's toggle chooses light,
// dark or system (remembered in the browser), and the charts follow the page.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  chartColors, chartSeries, dashboardUrl, launch, luminance, makeRun, open, screenshot, uniqueProject, waitFor,
} from './helpers.mjs';

const project = uniqueProject('theme');
let browser;

/** What the page shows: the body's background, the loss chart's colours (null before it is drawn), the setting. */
async function look(page) {
  const state = await page.evaluate(() => ({
    body: getComputedStyle(document.body).backgroundColor,
    attr: document.documentElement.dataset.theme ?? null,
    stored: localStorage.getItem('runstream.theme'),
    pressed: [...document.querySelectorAll('[data-theme-choice][aria-pressed="true"]')].map((b) => b.dataset.themeChoice),
  }));
  const chart = await chartColors(page, 'loss');
  return { ...state, chart, bodyLum: luminance(state.body), chartTextLum: chart ? luminance(chart.axisLabel) : null };
}

const isDark = (l) => l.bodyLum < 0.05 && l.chart && l.chartTextLum > 0.35 && luminance(l.chart.splitLine) < 0.1 && luminance(l.chart.tooltip) < 0.05;
const isLight = (l) => l.bodyLum > 0.8 && l.chart && l.chartTextLum < 0.25 && luminance(l.chart.splitLine) > 0.8 && luminance(l.chart.tooltip) > 0.9;

describe('theme', { timeout: 240000 }, () => {
  before(async () => {
    await makeRun({ project, seed: 7, learningRate: 0.1, epochs: 4 });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('follows a dark system, switches with the toggle and keeps the choice', async () => {
    const page = await open(browser, '/', { colorScheme: 'dark' });

    // the projects page, dark with nothing chosen
    await page.waitForSelector(`tr[data-project="${project}"]`);
    let l = await look(page);
    assert.ok(l.bodyLum < 0.05, `a dark page: body ${l.body}`);
    assert.equal(l.attr, null);
    assert.deepEqual(l.pressed, ['system']);
    const textColor = await page.$eval('.page-slot', (el) => getComputedStyle(el).color);
    assert.ok(luminance(textColor) > 0.5, `light text: ${textColor}`);
    await screenshot(page, 'projects-dark');

    // a workspace: its chart in dark colours
    await page.goto(dashboardUrl(`/projects/${project}`, false));
    await waitFor(async () => (await chartSeries(page, 'loss'))?.length === 1, { message: 'the loss chart' });
    l = await waitFor(async () => { const x = await look(page); return isDark(x) && x; }, { message: 'a dark workspace and chart' });
    const panelBg = await page.$eval('.panel', (el) => getComputedStyle(el).backgroundColor);
    assert.ok(luminance(panelBg) < 0.05, `a dark panel: ${panelBg}`);
    await screenshot(page, 'workspace-dark');

    // light, chosen: the page and the chart flip, and the choice is stored
    await page.click('[data-theme-choice="light"]');
    l = await waitFor(async () => { const x = await look(page); return isLight(x) && x; }, { message: 'a light workspace and chart' });
    assert.equal(l.attr, 'light');
    assert.equal(l.stored, 'light');
    assert.deepEqual(l.pressed, ['light']);
    await screenshot(page, 'workspace-light');

    // ... and kept after a reload, though the system is still dark
    await page.reload();
    await waitFor(async () => (await chartSeries(page, 'loss'))?.length === 1, { message: 'the loss chart after a reload' });
    l = await waitFor(async () => { const x = await look(page); return isLight(x) && x; }, { message: 'still light after a reload' });
    assert.deepEqual(l.pressed, ['light']);

    // system again: dark, nothing stored; then the system turns light and the page follows
    await page.click('[data-theme-choice="system"]');
    l = await waitFor(async () => { const x = await look(page); return isDark(x) && x; }, { message: 'dark again with the system' });
    assert.equal(l.stored, null);
    assert.equal(l.attr, null);
    await page.emulateMedia({ colorScheme: 'light' });
    await waitFor(async () => isLight(await look(page)), { message: 'light with a light system' });

    // dark, chosen, wins over a light system, after a reload too
    await page.click('[data-theme-choice="dark"]');
    await waitFor(async () => isDark(await look(page)), { message: 'dark, chosen' });
    await page.reload();
    await waitFor(async () => (await chartSeries(page, 'loss'))?.length === 1, { message: 'the loss chart after the second reload' });
    l = await waitFor(async () => { const x = await look(page); return isDark(x) && x; }, { message: 'still dark after a reload' });
    assert.equal(l.stored, 'dark');
    assert.deepEqual(l.pressed, ['dark']);

    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
