// Takes the pictures of a 200-run sweep's workspace that docs/workspace.md shows, into docs/workspace/.
//   node scripts/screenshots-sweep.mjs [project]
// The project is made with tests/browser/sweep.py when it has fewer than 200 runs. Uses the
// browser tests' environment (RUNSTREAM_DASHBOARD_URL, RUNSTREAM_API_KEY, ...).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, api, chartOption, launch, open, runPython, waitFor } from '../tests/browser/helpers.mjs';

const [project = 'sweep-200'] = process.argv.slice(2);
const out = join(REPO, 'docs', 'workspace');
mkdirSync(out, { recursive: true });

if (((await api(`/projects/${encodeURIComponent(project)}`))?.runCount ?? 0) < 200) {
  const made = await runPython(join(REPO, 'dashboard', 'tests', 'browser', 'sweep.py'), [project, '200']);
  if (made.code !== 0) throw new Error(`sweep.py failed: ${made.stderr}`);
}

const drawn = (page, selector) => waitFor(async () => (await chartOption(page, selector))?.series?.some((s) => s.data?.length > 0),
  { message: `${selector} drawn`, timeout: 30000 });

/** Opens the workspace with a view, waits for rows and the chart in `ready`, scrolls to `scroll`, and shoots. */
async function shoot(browser, name, query, { ready = '[data-panel="train/loss"] .chart', scroll, colorScheme = 'light', before } = {}) {
  const page = await open(browser, `/projects/${project}${query ? `?${query}` : ''}`, { viewport: { width: 1600, height: 1000 }, colorScheme });
  await page.waitForSelector('.rt-row[data-run-id]');
  if (scroll) await page.$eval(scroll, (el) => el.scrollIntoView({ block: 'start' }));
  await drawn(page, ready);
  await before?.(page);
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.screenshot({ path: join(out, `${name}.png`) });
  console.log(`wrote docs/workspace/${name}.png`);
  await page.context().close();
}

const browser = await launch();
try {
  // First sight: sections by prefix, the diverged run's 7e6 left off the y axes.
  await shoot(browser, 'sweep', '');
  // Grouped by the sweep's two groups: mean lines with a standard-deviation band, counts and means in the table.
  await shoot(browser, 'grouped', 'group=group&band=std&smooth=0.6');
  // The compare section: lr on a log axis, a brush on it narrowing the table, importance with correlations.
  await shoot(browser, 'compare', 'brush=config.lr=0.0001~0.01', { ready: '[data-panel-chart="parallel"]', scroll: '.ws-compare' });
  // A scatter of accuracy against the learning rate, and the comparer of the first runs shown.
  await shoot(browser, 'scatter-comparer', 'sx=config.lr&sy=summary.val/acc', { ready: '[data-panel="scatter"] .chart', scroll: '[data-panel="scatter"]' });
  // The filter builder and the JSON it writes.
  await shoot(browser, 'filter', `f=${encodeURIComponent('{"config.optimizer":"adam","summary.val/acc":{"$gt":0.6}}')}`);
  await shoot(browser, 'dark', 'group=group&band=stderr', { colorScheme: 'dark' });
} finally {
  await browser.close();
}
