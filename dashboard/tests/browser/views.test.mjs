// Saved views: the workspace's state saved under a name on the server, opened again from the list
// or from a link that names only the view, saved again, and deleted.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, dashboardUrl, launch, makeRun, open, screenshot, tableRunIds, uniqueProject, waitFor } from './helpers.mjs';

const project = uniqueProject('views');
let browser;
let runIds;

const viewsButton = (page) => page.$eval('[data-views]', (b) => b.textContent.trim());
const params = (page) => new URLSearchParams(new URL(page.url()).hash.split('?')[1] ?? '');

describe('saved views', { timeout: 240000 }, () => {
  before(async () => {
    runIds = [await makeRun({ project, seed: 3, learningRate: 0.05, epochs: 3 }), await makeRun({ project, seed: 4, learningRate: 0.2, epochs: 3 })];
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('saves the workspace under a name, opens it from a link, saves it again and deletes it', async () => {
    // a workspace arranged by hand: one run searched for, grouped, smoothed, sorted by name
    const page = await open(browser, `/projects/${project}?q=${runIds[0]}&group=jobType&smooth=0.6&sort=name`);
    await waitFor(async () => (await tableRunIds(page)).join() === runIds[0], { message: 'the searched run alone' });

    await page.click('[data-views]');
    await page.fill('[aria-label="View name"]', 'one run, smoothed');
    await page.click('[data-save-new]');
    await waitFor(async () => (await viewsButton(page)) === 'View: one run, smoothed', { message: 'the button naming the view' });
    const viewId = params(page).get('view');
    assert.ok(viewId, 'the URL names the view');
    const saved = (await api(`/projects/${project}/views`)).find((v) => v.viewId === viewId);
    assert.equal(saved.name, 'one run, smoothed');
    const savedParams = new URLSearchParams(saved.state);
    assert.equal(savedParams.get('q'), runIds[0]);
    assert.equal(savedParams.get('group'), 'jobType');
    assert.equal(savedParams.get('smooth'), '0.6');
    assert.equal(savedParams.get('sort'), 'name');
    assert.equal(savedParams.has('view'), false, 'a view does not hold its own id');

    // a link with only the view's id opens it as saved, in a browser that never saw it
    const other = await open(browser, `/projects/${project}?view=${viewId}`);
    await waitFor(async () => params(other).get('group') === 'jobType' && params(other).get('q') === runIds[0], { message: 'the view\'s state in the URL' });
    await waitFor(async () => (await tableRunIds(other)).join() === runIds[0], { message: 'the view\'s search applied to the table' });
    assert.equal(await other.$eval('[aria-label="Search runs"]', (i) => i.value), runIds[0]);
    assert.equal(await other.$eval('select[aria-label="Group by"]', (s) => s.value), 'jobType');
    assert.equal(await viewsButton(other), 'View: one run, smoothed');
    await other.context().close();

    // changed: the button says so; "Save" writes the view again under the same id
    await page.fill('[aria-label="Search runs"]', '');
    await waitFor(async () => (await tableRunIds(page)).length === 2, { message: 'both runs once the search is cleared' });
    await waitFor(async () => (await viewsButton(page)).endsWith('•'), { message: 'the view marked as changed' });
    await page.click('[data-views]');
    await page.waitForSelector(`[data-view="${viewId}"]`);
    await screenshot(page, 'views-list');
    await page.click('[data-save-view]');
    await waitFor(async () => {
      const v = await api(`/projects/${project}/views/${viewId}`);
      return v && !new URLSearchParams(v.state).has('q') && new URLSearchParams(v.state).get('group') === 'jobType';
    }, { message: 'the view saved again without the search' });
    await waitFor(async () => (await viewsButton(page)) === 'View: one run, smoothed', { message: 'the view no longer marked as changed' });

    // deleted: gone from the list and from the URL; a link to it says it no longer exists
    await page.click('[data-views]');
    await page.click(`[data-view="${viewId}"] [data-view-delete]`);
    await waitFor(async () => !params(page).has('view'), { message: 'the view dropped from the URL' });
    assert.equal(await viewsButton(page), 'Views');
    assert.equal(await api(`/projects/${project}/views/${viewId}`), null);
    await page.goto(dashboardUrl(`/projects/${project}?view=${viewId}`, false));
    await page.waitForSelector('.toast-error');
    assert.match(await page.$eval('.toast-error', (t) => t.textContent), /no longer exists/);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
