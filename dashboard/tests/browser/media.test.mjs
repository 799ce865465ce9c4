// Rich media against the real stack: images, tables and histograms logged by the Python SDK
// (media_run.py: solid colours the test knows) drawn in the workspace's media panels and on the
// run page. Panels are screenshotted (to a temporary directory, and the results' screenshots) and
// the screenshots' pixels read back, so a test fails when a panel draws the wrong file or nothing.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, API_KEY, chartOption, launch, open, QUERY_URL, REPO, runPython, SCREENSHOTS, startPacedRun, uniqueProject, waitFor } from './helpers.mjs';

const project = uniqueProject('media');
const SCRIPT = new URL('./media_run.py', import.meta.url).pathname;
const COLORS = {
  red: [255, 0, 0], green: [0, 255, 0], blue: [0, 0, 255], yellow: [255, 255, 0], magenta: [255, 0, 255], cyan: [0, 255, 255], grey: [128, 128, 128],
};
const STEP_COLORS = ['red', 'green', 'blue', 'yellow', 'magenta', 'cyan'];
const shots = mkdtempSync(join(tmpdir(), 'runstream-media-shots-'));
let browser;
/** a blank page that reads screenshots' pixels (a canvas in a page of its own, out of the app's way) */
let decoder;
const ids = {};

/** A screenshot of the element, kept in the temporary directory and with the results' screenshots. */
async function shot(locator, name) {
  const png = await locator.screenshot();
  writeFileSync(join(shots, `${name}.png`), png);
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(join(SCREENSHOTS, `media-${name}.png`), png);
  return png;
}

/**
 * Pixels of a PNG: how many there are, how many are within `tolerance` of `rgb` (per channel),
 * and how many differ from `background` by more than it.
 */
function pixels(png, { rgb = null, background = null, tolerance = 40 } = {}) {
  return decoder.evaluate(async ({ b64, rgb, background, tolerance }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const near = (i, col) => Math.abs(d[i] - col[0]) <= tolerance && Math.abs(d[i + 1] - col[1]) <= tolerance && Math.abs(d[i + 2] - col[2]) <= tolerance;
    let total = 0;
    let matching = 0;
    let unlike = 0;
    for (let i = 0; i < d.length; i += 4) {
      total++;
      if (rgb && near(i, rgb)) matching++;
      if (background && !near(i, background)) unlike++;
    }
    return { total, matching, unlike };
  }, { b64: png.toString('base64'), rgb, background, tolerance });
}

/**
 * Whether a screenshot of an image scaled up `k` times (pixelated) shows the pixels of `file` (a
 * PNG): the middle of each scaled pixel against the file's pixel. Null when they differ.
 */
function samePixels(screenshot, file, k) {
  return decoder.evaluate(async ({ shot, file, k }) => {
    const read = async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      return { w: c.width, h: c.height, d: g.getImageData(0, 0, c.width, c.height).data };
    };
    const [s, f] = [await read(shot), await read(file)];
    // (an element at a fractional position takes a pixel more; the middles of scaled pixels are still inside)
    if (s.w - f.w * k > 1 || s.w < f.w * k || s.h - f.h * k > 1 || s.h < f.h * k) return { sizes: [s.w, s.h, f.w, f.h] };
    let worst = 0;
    const distinct = new Set();
    for (let y = 0; y < f.h; y++) {
      for (let x = 0; x < f.w; x++) {
        const i = (y * f.w + x) * 4;
        const j = ((y * k + (k >> 1)) * s.w + x * k + (k >> 1)) * 4;
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(f.d[i + c] - s.d[j + c]));
        distinct.add(f.d[i]);
      }
    }
    return { worst, distinct: distinct.size };
  }, { shot: screenshot.toString('base64'), file: file.toString('base64'), k });
}

/** A media file's bytes, as the API serves them (with the key). */
async function mediaFile(url) {
  const res = await fetch(`${QUERY_URL}${url}`, { headers: { Authorization: `Bearer ${API_KEY}` } });
  assert.equal(res.status, 200, url);
  return Buffer.from(await res.arrayBuffer());
}

/** Whether the screenshot of `locator` is (almost) all `color` (within a few seconds: an image may be redrawn meanwhile); null if not. */
async function isSolid(locator, name, color) {
  try {
    return await waitFor(async () => {
      const p = await pixels(await shot(locator, name), { rgb: COLORS[color] });
      return p.total > 0 && p.matching / p.total > 0.9 ? p : null;
    }, { timeout: 5000, message: `${name} in ${color}` });
  } catch {
    return null;
  }
}

/**
 * The images of a run in a media panel once drawn from fetched files: caption, sizes, how drawn.
 * (Queried and read in one evaluation: $$eval's two steps could read images a redraw replaced.)
 */
function runImages(page, key, runId) {
  return page.evaluate((sel) => [...document.querySelectorAll(sel)].map((img) => ({
    loaded: img.complete && img.naturalWidth > 0,
    src: img.src,
    caption: img.closest('figure')?.querySelector('figcaption')?.textContent ?? null,
    natural: [img.naturalWidth, img.naturalHeight],
    shown: [img.getBoundingClientRect().width, img.getBoundingClientRect().height],
    rendering: getComputedStyle(img).imageRendering,
  })), `[data-media-panel="${key}"] .media-run-cell[data-run="${runId}"] img.media-img`);
}

async function imagesLoaded(page, key, runId, captions) {
  const imgs = await runImages(page, key, runId);
  return imgs.length === captions.length && imgs.every((i, n) => i.loaded && i.caption === captions[n]) ? imgs : null;
}

/** The rows of the predictions table as shown: index, label, score and its thumbnail's natural size. */
function tableRows(page) {
  return page.evaluate(() => [...document.querySelectorAll('[data-media-panel="predictions"] tbody tr[data-row]')].map((tr) => {
    const img = tr.querySelector('td[data-column="image"] img');
    return {
      index: Number(tr.querySelector('td[data-column="index"]').textContent),
      label: tr.querySelector('td[data-column="label"]').textContent,
      score: Number(tr.querySelector('td[data-column="score"]').textContent),
      // an <img> without a src yet is `complete` too
      natural: img && img.complete && img.naturalWidth > 0 ? [img.naturalWidth, img.naturalHeight] : null,
    };
  }));
}

async function openWorkspace(name = project) {
  const page = await open(browser, `/projects/${name}`);
  await page.waitForSelector('[data-testid="media"]:not([hidden])', { timeout: 30000 });
  return page;
}

describe('media panels', { timeout: 300000 }, () => {
  before(async () => {
    const done = await runPython(SCRIPT, [project]);
    assert.equal(done.code, 0, done.stderr);
    for (const m of done.stdout.matchAll(/^run (\S+) (\S+)$/gm)) ids[m[1]] = m[2];
    assert.ok(ids['media-a'] && ids['media-b'], done.stdout);
    // Files and frames go up in the background: wait until the Query API lists every key.
    await waitFor(async () => {
      const a = await api(`/projects/${project}/runs/${ids['media-a']}/media`);
      const b = await api(`/projects/${project}/runs/${ids['media-b']}/media`);
      const steps = (r, k) => r?.keys?.find((x) => x.key === k)?.steps;
      return steps(a, 'samples') === 6 && steps(a, 'predictions') === 1 && steps(a, 'weights/fc1') === 10 && steps(b, 'samples') === 6 && steps(b, 'weights/fc1') === 10;
    }, { message: 'the media keys of both runs', timeout: 60000 });
    browser = await launch();
    decoder = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    browser = decoder = undefined;
    console.log(`media screenshots in ${shots}`);
  });

  it('shows each run\'s images side by side in sections by prefix, from the files logged, at the step chosen', async () => {
    const page = await openWorkspace();
    const [a, b] = [ids['media-a'], ids['media-b']];
    // sections of their own, by prefix
    await page.waitForSelector('[data-section="media:charts"] [data-media-panel="samples"][data-kind="images"]');
    await page.waitForSelector('[data-section="media:charts"] [data-media-panel="predictions"][data-kind="table"]');
    await page.waitForSelector('[data-section="media:weights"] [data-media-panel="weights/fc1"][data-kind="histogram"]');
    const panel = page.locator('[data-media-panel="samples"]');
    await panel.scrollIntoViewIfNeeded();

    // the last step by default: a's list of two (a grid), b's one image
    const lastA = await waitFor(() => imagesLoaded(page, 'samples', a, ['a-5', 'grey']), { message: 'media-a\'s images at step 5' });
    await waitFor(() => imagesLoaded(page, 'samples', b, ['b-5']), { message: 'media-b\'s image at step 5' });
    assert.equal(await panel.getAttribute('data-step'), '5');
    assert.ok(lastA.every((i) => i.src.startsWith('blob:')), 'files fetched with the key, shown by object URLs');
    // run name and colour above each run's images
    const chips = await panel.locator('.media-run-cell > .media-run').evaluateAll((els) => els.map((e) => ({
      run: e.getAttribute('data-run'), name: e.textContent, color: getComputedStyle(e.querySelector('.swatch')).backgroundColor,
    })));
    assert.deepEqual(chips.map((c) => [c.run, c.name]).sort(), [[a, 'media-a'], [b, 'media-b']].sort());
    assert.notEqual(chips[0].color, chips[1].color);
    // side by side: one row
    const boxes = await panel.locator('.media-run-cell').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
    assert.equal(boxes.length, 2);
    assert.ok(Math.abs(boxes[0] - boxes[1]) < 2, `cells at ${boxes}`);
    // a small image scaled up by a whole factor, pixelated
    const [small] = lastA;
    assert.deepEqual(small.natural, [8, 8]);
    assert.ok(small.shown[0] >= 32 && small.shown[0] % 8 === 0, `shown ${small.shown}`);
    assert.equal(small.rendering, 'pixelated');

    const cellA = `[data-media-panel="samples"] .media-run-cell[data-run="${a}"]`;
    const cellB = `[data-media-panel="samples"] .media-run-cell[data-run="${b}"]`;
    assert.ok(await isSolid(page.locator(`${cellA} figure:nth-child(1) img`), 'images-a-step5', 'cyan'), 'a-5 is cyan');
    assert.ok(await isSolid(page.locator(`${cellA} figure:nth-child(2) img`), 'images-a-grey', 'grey'), 'the second image is grey');
    assert.ok(await isSolid(page.locator(`${cellB} img`), 'images-b-step5', 'blue'), 'b-5 is blue');
    await shot(panel, 'images-panel');

    // the slider: the first step, then one on
    const slider = panel.locator('input[type="range"]');
    assert.equal(await slider.getAttribute('max'), '5');
    await slider.focus();
    await page.keyboard.press('Home');
    await waitFor(() => imagesLoaded(page, 'samples', a, ['a-0', 'grey']), { message: 'step 0' });
    await waitFor(() => imagesLoaded(page, 'samples', b, ['b-0']), { message: 'b at step 0' });
    assert.equal(await panel.getAttribute('data-step'), '0');
    assert.ok(await isSolid(page.locator(`${cellA} figure:nth-child(1) img`), 'images-a-step0', STEP_COLORS[0]), 'a-0 is red');
    assert.ok(await isSolid(page.locator(`${cellB} img`), 'images-b-step0', STEP_COLORS[3]), 'b-0 is yellow');
    await page.keyboard.press('ArrowRight');
    await waitFor(() => imagesLoaded(page, 'samples', a, ['a-1', 'grey']), { message: 'step 1' });
    assert.ok(await isSolid(page.locator(`${cellA} figure:nth-child(1) img`), 'images-a-step1', STEP_COLORS[1]), 'a-1 is green');

    // a click opens it large (still pixelated), Esc closes it
    await page.click(`${cellA} figure:nth-child(1) img`);
    const large = page.locator('.media-lightbox img');
    await waitFor(() => large.evaluate((img) => img.complete && img.naturalWidth === 8), { message: 'the large image' });
    const size = await large.evaluate((img) => img.getBoundingClientRect().width);
    assert.ok(size > small.shown[0], `large: ${size}px`);
    assert.ok(await isSolid(large, 'images-large', STEP_COLORS[1]), 'the large image is green');
    await page.keyboard.press('Escape');
    await waitFor(async () => (await page.$('.media-lightbox')) === null, { message: 'the large image closed' });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('shows a table\'s rows with thumbnails, sorted by a header, filtered and paged by the server', async () => {
    const page = await openWorkspace();
    const panel = page.locator('[data-media-panel="predictions"]');
    await panel.scrollIntoViewIfNeeded();
    const count = panel.locator('[data-testid="table-rows"]');
    await waitFor(async () => (await count.textContent()) === '1–20 of 25', { message: 'the first page' });
    const first = await waitFor(async () => {
      const rows = await tableRows(page);
      return rows.length === 20 && rows.every((r) => r.natural) ? rows : null;
    }, { message: 'thumbnails of the first page' });
    // each thumbnail is the row's own file: its natural size is the size logged for that index
    for (const r of first) assert.deepEqual(r.natural, [10 + r.index, 6 + r.index], `row ${r.index}`);
    assert.deepEqual(first.map((r) => r.index), [...Array(20).keys()]);
    for (const r of first.slice(0, 3)) {
      assert.ok(await isSolid(panel.locator(`tbody tr[data-row="${r.index}"] img`), `table-thumb-${r.index}`, r.label), `row ${r.index} is ${r.label}`);
    }
    await shot(panel, 'table-panel');

    // sort by score: ascending, then descending
    await panel.locator('th[data-column="score"] button').click();
    await waitFor(async () => (await panel.locator('th[data-column="score"]').getAttribute('aria-sort')) === 'ascending', { message: 'sorted ascending' });
    const asc = await waitFor(async () => {
      const rows = await tableRows(page);
      return rows.length === 20 && rows[0].score === 0 && rows.every((r, i) => i === 0 || rows[i - 1].score <= r.score) ? rows : null;
    }, { message: 'rows by score ascending' });
    assert.equal(asc[0].index, 0);
    await panel.locator('th[data-column="score"] button').click();
    await waitFor(async () => {
      const rows = await tableRows(page);
      return rows.length === 20 && rows[0].score === 0.96 && rows[0].index === 7 && rows.every((r, i) => i === 0 || rows[i - 1].score >= r.score);
    }, { message: 'rows by score descending' });
    // the next page: the five left
    await panel.locator('[aria-label="Next rows"]').click();
    await waitFor(async () => (await count.textContent()) === '21–25 of 25' && (await tableRows(page)).length === 5, { message: 'the second page' });
    assert.ok((await tableRows(page)).every((r) => r.score <= 0.2), 'the lowest scores last');

    // a filter: the green rows only, from the first page
    await panel.locator('input[type="search"]').fill('green');
    const green = await waitFor(async () => {
      const rows = await tableRows(page);
      return (await count.textContent()) === '1–4 of 4' && rows.length === 4 && rows.every((r) => r.natural) ? rows : null;
    }, { message: 'the green rows' });
    assert.deepEqual(green.map((r) => r.label), ['green', 'green', 'green', 'green']);
    assert.deepEqual(green.map((r) => r.index).sort((x, y) => x - y), [1, 7, 13, 19]);
    for (const r of green) assert.deepEqual(r.natural, [10 + r.index, 6 + r.index]);
    assert.ok(await isSolid(panel.locator(`tbody tr[data-row="0"] img`), 'table-thumb-green', 'green'));
    await shot(panel, 'table-filtered');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('draws histograms as a heat map per run over steps, re-binned on one grid', async () => {
    const page = await openWorkspace();
    const [a, b] = [ids['media-a'], ids['media-b']];
    const panel = page.locator('[data-media-panel="weights/fc1"]');
    await panel.scrollIntoViewIfNeeded();
    const option = async (run) => {
      const o = await chartOption(page, `[data-media-panel="weights/fc1"] .media-heatmap[data-run="${run}"]`);
      return o?.series?.[0]?.data?.length ? o : null;
    };
    const [oa, ob] = [await waitFor(() => option(a), { message: 'a\'s heat map' }), await waitFor(() => option(b), { message: 'b\'s heat map' })];
    for (const o of [oa, ob]) {
      assert.equal(o.series[0].type, 'heatmap');
      assert.deepEqual(o.xAxis[0].data, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      // the same y grid for both runs
      assert.deepEqual(o.yAxis[0].data, oa.yAxis[0].data);
      // every step's 1,000 values are still there after re-binning
      const perStep = new Array(10).fill(0);
      for (const [x, , c] of o.series[0].data) perStep[x] += c;
      for (const total of perStep) assert.ok(Math.abs(total - 1000) < 1e-6, `a step holds ${total}`);
    }
    // a's values move up step by step, b's down: each map is its own run's
    const meanBin = (o, step) => {
      const cells = o.series[0].data.filter(([x]) => x === step);
      return cells.reduce((s, [, y, c]) => s + y * c, 0) / cells.reduce((s, [, , c]) => s + c, 0);
    };
    assert.ok(meanBin(oa, 9) > meanBin(oa, 0) + 10, `a: ${meanBin(oa, 0)} -> ${meanBin(oa, 9)}`);
    assert.ok(meanBin(ob, 9) < meanBin(ob, 0) - 10, `b: ${meanBin(ob, 0)} -> ${meanBin(ob, 9)}`);

    // pixels drawn on the canvas, in the run's colour at the densest cells
    for (const run of [a, b]) {
      const color = await panel.locator(`.media-run-cell[data-run="${run}"] .swatch`).evaluate((el) => getComputedStyle(el).backgroundColor);
      const rgb = color.match(/\d+/g).slice(0, 3).map(Number);
      const background = await panel.evaluate((el) => getComputedStyle(el).backgroundColor.match(/\d+/g).slice(0, 3).map(Number));
      const heat = page.locator(`[data-media-panel="weights/fc1"] .media-heatmap[data-run="${run}"]`);
      const p = await waitFor(async () => {
        const r = await pixels(await shot(heat, `histogram-${run === a ? 'a' : 'b'}`), { rgb, background, tolerance: 24 });
        return r.unlike / r.total > 0.1 && r.matching > 20 ? r : null;
      }, { message: `the heat map of ${run} drawn` });
      assert.ok(p.unlike > p.matching, 'shades besides the darkest');
    }
    await shot(panel, 'histogram-panel');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('lists a run\'s media on its page, for that run only', async () => {
    const a = ids['media-a'];
    const page = await open(browser, `/projects/${project}/runs/${a}`);
    const section = page.locator('[data-testid="run-media"]');
    await section.waitFor({ state: 'visible', timeout: 30000 });
    await section.scrollIntoViewIfNeeded();
    const keys = await waitFor(async () => {
      const k = await section.locator('[data-media-panel]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-media-panel')}:${e.getAttribute('data-kind')}`));
      return k.length === 3 ? k : null;
    }, { message: 'three media panels' });
    assert.deepEqual(keys.sort(), ['predictions:table', 'samples:images', 'weights/fc1:histogram']);
    await waitFor(() => imagesLoaded(page, 'samples', a, ['a-5', 'grey']), { message: 'the run\'s images' });
    assert.equal(await section.locator('[data-media-panel="samples"] .media-run-cell').count(), 1);
    assert.ok(await isSolid(page.locator(`[data-media-panel="samples"] .media-run-cell[data-run="${a}"] figure:nth-child(1) img`), 'run-page-image', 'cyan'));
    await page.locator('[data-media-panel="predictions"]').scrollIntoViewIfNeeded();
    await waitFor(async () => (await section.locator('[data-media-panel="predictions"] [data-testid="table-rows"]').textContent()) === '1–20 of 25', { message: 'the table' });
    await page.locator('[data-media-panel="weights/fc1"]').scrollIntoViewIfNeeded();
    await waitFor(async () => (await chartOption(page, `[data-media-panel="weights/fc1"] .media-heatmap[data-run="${a}"]`))?.series?.[0]?.data?.length > 0, { message: 'the heat map' });
    await shot(section, 'run-page');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('follows a run logging images live: new steps and new keys without a reload', async () => {
    const live = uniqueProject('media-live');
    const run = startPacedRun({ project: live, script: 'media_run.py', args: ['--paced'] });
    try {
      const runId = await run.runId;
      // the workspace open before any media: none shown
      const page = await open(browser, `/projects/${live}`);
      await page.waitForSelector(`.rt-row[data-run-id="${runId}"]`, { timeout: 30000 });
      assert.equal(await page.locator('[data-testid="media"]').isHidden(), true);

      // the first steps: a panel for the new key
      run.log(2);
      await page.waitForSelector('[data-testid="media"]:not([hidden])', { timeout: 30000 });
      const panel = page.locator('[data-media-panel="live"]');
      await panel.scrollIntoViewIfNeeded();
      await waitFor(() => imagesLoaded(page, 'live', runId, ['live-1']), { message: 'the image of step 1' });
      assert.ok(await isSolid(page.locator(`[data-media-panel="live"] .media-run-cell[data-run="${runId}"] img`), 'live-step1', STEP_COLORS[1]));

      run.log(2);
      // the slider was at its end: it follows the new steps
      await waitFor(() => imagesLoaded(page, 'live', runId, ['live-3']), { message: 'the image of step 3, live', timeout: 30000 });
      assert.equal(await panel.getAttribute('data-step'), '3');
      assert.equal(await panel.locator('input[type="range"]').getAttribute('max'), '3');
      assert.ok(await isSolid(page.locator(`[data-media-panel="live"] .media-run-cell[data-run="${runId}"] img`), 'live-step3', STEP_COLORS[3]));
      assert.deepEqual(page.errors, []);
      await page.context().close();
    } finally {
      run.finish();
      await run.done;
    }
  });
});

describe('media panels of the example (examples/media.py)', { timeout: 300000 }, () => {
  const digits = uniqueProject('media-example');
  let runId;
  before(async () => {
    const done = await runPython(join(REPO, 'examples', 'media.py'), ['--project', digits, '--epochs', '2']);
    assert.equal(done.code, 0, done.stderr);
    runId = /^run (\S+):/m.exec(done.stdout)?.[1];
    assert.ok(runId, done.stdout);
    await waitFor(async () => {
      const keys = (await api(`/projects/${digits}/runs/${runId}/media`))?.keys ?? [];
      return ['predictions', 'misclassified', 'weights/fc1', 'weights/fc2'].every((k) => keys.find((x) => x.key === k)?.steps === 2);
    }, { message: 'the example\'s media', timeout: 60000 });
    browser ??= await launch();
    decoder ??= await browser.newPage();
  });
  after(async () => {
    await browser?.close();
  });

  it('draws the digits pixel for pixel from their files, the misclassified table and the weights', async () => {
    const last = (await api(`/projects/${digits}/runs/${runId}/media`)).keys.find((k) => k.key === 'predictions').lastStep;
    const logged = (await api(`/projects/${digits}/runs/${runId}/media?key=predictions&step=${last}`)).steps[0].images;
    assert.equal(logged.length, 16);
    const page = await openWorkspace(digits);
    await page.waitForSelector('[data-section="media:weights"] [data-media-panel="weights/fc2"][data-kind="histogram"]');
    const panel = page.locator('[data-media-panel="predictions"]');
    await panel.scrollIntoViewIfNeeded();
    const imgs = await waitFor(() => imagesLoaded(page, 'predictions', runId, logged.map((i) => i.caption)), { message: 'the 16 digits' });
    // a grid of four by four, each 28 x 28 scaled up a whole number of times
    const k = imgs[0].shown[0] / 28;
    assert.ok(Number.isInteger(k) && k >= 2, `scaled ${k} times`);
    const rows = new Set(await panel.locator('img.media-img').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top))));
    assert.equal(rows.size, 4);
    for (const n of [0, 5, 15]) {
      const shotPng = await shot(panel.locator(`figure[data-index="${n}"] img`), `example-digit-${n}`);
      const same = await samePixels(shotPng, await mediaFile(logged[n].url), k);
      assert.ok(same.worst !== undefined && same.worst <= 2 && same.distinct > 5, `digit ${n}: ${JSON.stringify(same)}`);
    }
    await shot(panel, 'example-predictions');

    const table = page.locator('[data-media-panel="misclassified"]');
    await table.scrollIntoViewIfNeeded();
    await waitFor(async () => /of \d+$/.test((await table.locator('[data-testid="table-rows"]').textContent()) ?? ''), { message: 'the misclassified rows' });
    const thumbs = await waitFor(async () => {
      const t = await table.locator('tbody img').evaluateAll((els) => els.map((e) => [e.naturalWidth, e.naturalHeight]));
      return t.length && t.every(([w]) => w > 0) ? t : null;
    }, { message: 'thumbnails' });
    assert.ok(thumbs.every(([w, h]) => w === 28 && h === 28));
    const labels = await table.locator('tbody td[data-column="label"]').allTextContents();
    const guesses = await table.locator('tbody td[data-column="guess"]').allTextContents();
    assert.ok(labels.every((l, i) => l !== guesses[i]), 'every row a mistake');
    await shot(table, 'example-misclassified');

    const weights = page.locator('[data-media-panel="weights/fc1"]');
    await weights.scrollIntoViewIfNeeded();
    const o = await waitFor(async () => {
      const option = await chartOption(page, `[data-media-panel="weights/fc1"] .media-heatmap[data-run="${runId}"]`);
      return option?.series?.[0]?.data?.length ? option : null;
    }, { message: 'the fc1 heat map' });
    const perStep = new Map();
    for (const [x, , c] of o.series[0].data) perStep.set(x, (perStep.get(x) ?? 0) + c);
    assert.equal(perStep.size, 2);
    for (const total of perStep.values()) assert.ok(Math.abs(total - 784 * 64) < 1e-3, `a step holds ${total} weights`);
    await shot(weights, 'example-weights');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
