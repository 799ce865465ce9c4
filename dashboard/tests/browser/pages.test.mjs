// The other pages (projects, a run, an artifact) and the API key form.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  api, API_KEY, chartSeries, dashboardUrl, launch, makeRun, open, screenshot, uniqueProject, waitFor,
} from './helpers.mjs';

const project = uniqueProject('pages');
let producer;
let second;
let browser;

describe('pages', { timeout: 180000 }, () => {
  before(async () => {
    producer = await makeRun({ project, seed: 11, learningRate: 0.1, epochs: 15 });
    second = await makeRun({ project, seed: 12, learningRate: 0.05, epochs: 15 });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('lists the projects, and opens a workspace', async () => {
    // the project's counts are updated a moment after its runs
    await waitFor(async () => (await api(`/projects/${project}`))?.runsByState?.finished === 2, { message: 'the project to count two finished runs' });
    const page = await open(browser, '/');
    const row = `tr[data-project="${project}"]`;
    await page.waitForSelector(row);
    assert.match(await page.textContent(`${row} td:nth-child(2)`), /^2$/);
    assert.match(await page.textContent(row), /2 finished/);
    await screenshot(page, 'projects');
    await page.click(`${row} a.project-link`);
    await page.waitForSelector('.workspace .rt-row[data-run-id]');
    assert.match(page.url(), new RegExp(`#/projects/${project}`));
    await page.context().close();
  });

  it('shows a run: overview, config, summary, notes, tags, charts and artifacts', async () => {
    const run = await api(`/projects/${project}/runs/${producer}`);
    const page = await open(browser, `/projects/${project}/runs/${producer}`);
    await page.waitForSelector('td[data-field="Run id"]');
    assert.equal((await page.textContent('td[data-field="Run id"]')).trim(), producer);
    assert.equal((await page.textContent('td[data-field="State"]')).trim(), 'finished');
    assert.equal((await page.textContent('td[data-field="Steps"]')).trim(), (15 * 8).toLocaleString('en-US'));
    assert.equal((await page.textContent('[data-card="config"] td[data-key="learning_rate"]')).trim(), '0.1');
    assert.equal((await page.textContent('[data-card="config"] td[data-key="seed"]')).trim(), '11');
    assert.equal((await page.textContent('[data-card="summary"] td[data-key="accuracy"]')).trim(), String(Number(run.summary.accuracy.toPrecision(4))));
    assert.equal((await page.textContent('[data-card="notes"] .notes-text')).trim(), 'My first experiment');
    assert.deepEqual(await page.$$eval('[data-card="tags"] .tag', (t) => t.map((x) => x.textContent)), ['baseline', 'paper1']);
    for (const metric of ['accuracy', 'loss']) {
      await waitFor(async () => (await chartSeries(page, metric))?.[0]?.points === 15 * 8, { message: `the ${metric} chart` });
    }
    await page.waitForSelector('[data-artifacts="produced"] a');
    assert.match(await page.textContent('[data-artifacts="produced"]'), /trained-model:v\d+/);
    await screenshot(page, 'run');

    // notes edited on the run page persist
    await page.click('[data-card="notes"] button:has-text("Edit")');
    await page.fill('[data-card="notes"] textarea', 'notes from the run page');
    await page.press('[data-card="notes"] textarea', 'Control+Enter');
    await waitFor(async () => (await api(`/projects/${project}/runs/${producer}`)).notes === 'notes from the run page', { message: 'the notes saved' });
    await page.context().close();
  });

  it('shows an artifact: versions, aliases, files to download, lineage', async () => {
    const run = await api(`/projects/${project}/runs/${producer}`);
    const logged = run.artifacts?.logged ?? run.artifactsLogged;
    const version = logged[0].version;
    const page = await open(browser, `/projects/${project}/artifacts/trained-model/${version}`);
    await page.waitForSelector('[data-card="lineage"]');
    assert.ok((await page.$$('.version-list li')).length >= 1);
    assert.match(await page.textContent(`.version-list li[data-version="${version}"]`), new RegExp(version));
    // the producing run, by name (the server named it: the example gives none)
    assert.match(run.name, /^[a-z]+-[a-z]+-\d+$/);
    await waitFor(async () => (await page.textContent(`[data-card="lineage"] .run-node[data-run-id="${producer}"]`))?.trim() === run.name,
      { message: `the lineage names the run ${run.name}` });
    const versionInfo = await api(`/projects/${project}/artifacts/trained-model/${version}`);
    if (versionInfo.aliases.length) assert.match(await page.textContent('[data-card="version"]'), new RegExp(versionInfo.aliases[0]));

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('button[data-download="cat-classifier.model.json"]'),
    ]);
    assert.equal(download.suggestedFilename(), 'cat-classifier.model.json');
    const content = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.ok(content && typeof content === 'object');
    await screenshot(page, 'artifact');

    // the producing run's link opens the run
    await page.click(`[data-card="lineage"] a[data-run-id="${producer}"]`);
    await page.waitForSelector('td[data-field="Run id"]');
    assert.match(page.url(), new RegExp(`/runs/${producer}`));

    // the project's artifacts
    await page.goto(dashboardUrl(`/projects/${project}/artifacts`, false));
    await page.waitForSelector('tr[data-artifact="trained-model"]');
    await page.context().close();
  });

  it('asks for a key without one, refuses a bad one, and goes back to the form on a 401', async () => {
    const page = await open(browser, `/projects/${project}`, { withKey: false });
    await page.waitForSelector('form.key-form');
    await screenshot(page, 'key-form');
    await page.fill('form.key-form input', 'rs_not_a_real_key');
    await page.click('form.key-form button[type="submit"]');
    await page.waitForSelector('form.key-form .form-error:has-text("refused")');
    await page.fill('form.key-form input', API_KEY);
    await page.click('form.key-form button[type="submit"]');
    await page.waitForSelector(`.rt-row[data-run-id="${second}"]`);

    // a stored key the server no longer accepts
    await page.evaluate(() => localStorage.setItem('runstream.apiKey', 'rs_revoked'));
    await page.reload();
    await page.waitForSelector('form.key-form');
    assert.match(await page.textContent('form.key-form .form-error'), /refused/);
    await page.context().close();
  });
});
