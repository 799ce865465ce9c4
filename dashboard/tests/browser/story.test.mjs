// A failing Python training script as the run page shows it: its generated name, the failure and
// its traceback, its console output (and the Logs tab following a running run), its git commit and
// its system metrics.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, launch, open, runPython, screenshot, startPacedRun, uniqueProject, waitFor } from './helpers.mjs';

let browser;
const children = [];

/** The x of the last point of the first line in a metric's panel. */
function lastX(page, metric) {
  return page.evaluate((m) => {
    const el = document.querySelector(`[data-panel="${m}"] .chart`);
    const chart = el && window.runstream.echarts.getInstanceByDom(el);
    const data = chart?.getOption().series[0]?.data ?? [];
    return data.length ? data[data.length - 1][0] : null;
  }, metric);
}

function git(cwd, ...args) {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' }).trim();
}

describe('the run tells its story', { timeout: 180000 }, () => {
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill();
    await browser?.close();
  });

  it('shows a failed run: its name, its failure and traceback, its console output and its git commit', async () => {
    const project = uniqueProject('story');
    const repo = mkdtempSync(join(tmpdir(), 'runstream-story-'));
    git(repo, 'init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'train.py'), [
      'import time',
      'import runstream',
      `with runstream.init(project='${project}', config={'lr': 0.1}) as run:`,
      '    print(run.id, flush=True)',
      "    run.define_metric('val_loss', step_metric='epoch', summary='min')",
      '    for step in range(50):',
      "        run.log({'loss': 1.0 / (step + 1), 'epoch': step // 10, 'val_loss': 2.0 / (step + 1), 'grad_norm': 7e6 if step == 30 else 1.0 + step / 50})",
      "        print(f'step {step}: loss {1.0 / (step + 1):.3f}')",
      '        time.sleep(0.04)',
      "    raise FloatingPointError('loss is NaN at step 50')",
      '',
    ].join('\n'));
    git(repo, 'add', 'train.py');
    git(repo, 'commit', '-q', '-m', 'train');
    const commit = git(repo, 'rev-parse', 'HEAD');
    const done = await runPython(join(repo, 'train.py'), [], { cwd: repo, env: { RUNSTREAM_SYSTEM_INTERVAL: '0.5' } });
    assert.equal(done.code, 1, done.stderr);
    const runId = done.stdout.split('\n')[0].trim();
    const run = await waitFor(async () => {
      const r = await api(`/projects/${project}/runs/${runId}`);
      return r?.state === 'failed' ? r : null;
    }, { message: 'the run to fail' });

    const page = await open(browser, `/projects/${project}/runs/${runId}`);
    await page.waitForSelector('[data-card="failure"]');
    assert.equal((await page.textContent('.run-head h1')).trim(), run.name);
    assert.match(run.name, /^[a-z]+-[a-z]+-1$/);
    assert.match(await page.textContent('[data-card="failure"] .failure-title'), /FloatingPointError: loss is NaN at step 50/);
    assert.match(await page.textContent('[data-testid="traceback"]'), /raise FloatingPointError\('loss is NaN at step 50'\)/);
    await waitFor(async () => (await page.textContent('[data-card="code"] td[data-field="Commit"]'))?.trim() === commit.slice(0, 12),
      { message: 'the git commit' });
    assert.equal((await page.textContent('[data-card="code"] td[data-field="Branch"]')).trim(), 'main');
    // define_metric: val_loss is charted against the epoch, loss against the step; the summary keeps val_loss's minimum
    await waitFor(async () => (await lastX(page, 'val_loss')) === 4 && (await lastX(page, 'loss')) === 49, { message: 'val_loss against the epoch' });
    assert.equal(run.summary.val_loss, 2.0 / 50);
    // a diverging value does not flatten the chart: the y axis leaves it off until the panel shows outliers
    const yMax = () => page.evaluate(() => {
      const chart = window.runstream.echarts.getInstanceByDom(document.querySelector('[data-panel="grad_norm"] .chart'));
      return chart?.getOption().yAxis[0].max ?? null;
    });
    await waitFor(async () => { const max = await yMax(); return max !== null && max < 100; }, { message: 'grad_norm drawn without its outlier' });
    await page.click('[data-panel="grad_norm"] [data-action="outliers"]');
    await waitFor(async () => (await yMax()) === null, { message: 'grad_norm fitted to every value' });
    // system metrics in their own section, apart from the run's own charts
    await page.waitForSelector('[data-section="system"] [data-panel="system/cpu.percent"]');
    await page.waitForSelector('[data-section="system"] [data-panel="system/proc.memory.rss_mb"]');
    assert.equal(await page.$('[data-section="charts"] [data-panel^="system/"]'), null);
    assert.ok(await page.$('[data-section="charts"] [data-panel="loss"]'));
    await screenshot(page, 'run-failure');

    await page.click('[data-tab="logs"]');
    await waitFor(async () => (await page.$$eval('.log-line', (ls) => ls.map((l) => l.textContent))).includes('step 49: loss 0.020'),
      { message: 'the console output' });
    const stderr = await page.$$eval('.log-line.log-stderr', (ls) => ls.map((l) => l.textContent));
    assert.ok(stderr.some((t) => t.includes('FloatingPointError: loss is NaN at step 50')), stderr.join('\n'));
    await screenshot(page, 'run-logs');

    // The Audit tab reads the run's stream: its start and its failure, each sent by the run itself.
    await page.click('[data-tab="audit"]');
    const kinds = () => page.$$eval('.audit-table tbody tr', (rows) => rows.map((r) => r.getAttribute('data-kind')));
    await waitFor(async () => (await kinds()).includes('failed'), { message: 'the audit trail' });
    assert.equal((await kinds())[0], 'started');
    assert.match(await page.textContent('.audit-table tr[data-kind="failed"]'), /exit code 1; FloatingPointError: loss is NaN at step 50/);
    assert.equal(await page.isVisible('.log-line'), false);
    assert.deepEqual(page.errors, []);
    await page.context().close();

    // The workspace keeps system metrics in a section of their own, closed until opened.
    const workspace = await open(browser, `/projects/${project}`);
    await workspace.waitForSelector('.line-grid [data-panel="loss"]');
    // there too, val_loss is drawn against the epoch (its step metric) and loss against the step
    await waitFor(async () => (await lastX(workspace, 'val_loss')) === 4 && (await lastX(workspace, 'loss')) === 49,
      { message: 'the workspace draws val_loss against the epoch' });
    await workspace.waitForSelector('[data-section="system"]:not([hidden])');
    assert.equal(await workspace.$$eval('.line-grid [data-panel^="system/"]', (ps) => ps.filter((p) => !p.closest('[data-section="system"]')).length), 0);
    await workspace.click('[data-section="system"] > summary');
    await workspace.waitForSelector('[data-section="system"] [data-panel="system/cpu.percent"] .chart');
    await screenshot(workspace, 'workspace-system');
    await workspace.context().close();
  });

  it('follows a running run\'s console output in the Logs tab', async () => {
    const project = uniqueProject('story-live');
    const run = startPacedRun({ project });
    children.push(run.child);
    const runId = await run.runId;
    run.log(10);
    const page = await open(browser, `/projects/${project}/runs/${runId}`);
    await page.click('[data-tab="logs"]');
    const lines = () => page.$$eval('.log-line', (ls) => ls.map((l) => l.textContent));
    await waitFor(async () => (await lines()).includes('logged 10'), { message: 'the first lines', timeout: 30000 });
    await page.evaluate(() => (window.__noReload = true));
    run.log(5);
    await waitFor(async () => (await lines()).includes('logged 15'), { message: 'a line written after the tab opened', timeout: 30000 });
    run.finish();
    await run.done;
    assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
    await page.context().close();
  });
});
