// Takes the README's picture: a project's workspace, to docs/screenshot.png.
//   node scripts/screenshot.mjs [project] [view query] [out]
// e.g. node scripts/screenshot.mjs cat-classification 'smooth=0.6' ../docs/screenshot.png
// Uses the same environment as the browser tests (RUNSTREAM_DASHBOARD_URL, RUNSTREAM_API_KEY, ...).

import { join } from 'node:path';
import { REPO, chartSeries, launch, open, waitFor } from '../tests/browser/helpers.mjs';

const [project = 'cat-classification', query = 'smooth=0.6', out = join(REPO, 'docs', 'screenshot.png')] = process.argv.slice(2);
const browser = await launch();
try {
  const page = await open(browser, `/projects/${project}${query ? `?${query}` : ''}`, { viewport: { width: 1600, height: Number(process.env.SCREENSHOT_HEIGHT ?? 800) } });
  await page.waitForSelector('.rt-row[data-run-id]');
  await waitFor(async () => (await chartSeries(page, 'loss'))?.length > 0, { message: 'the loss chart' });
  await page.waitForFunction(() => document.querySelector('[data-panel-chart="parallel"]')?.hasAttribute('_echarts_instance_'));
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.screenshot({ path: out, scale: 'css' });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
