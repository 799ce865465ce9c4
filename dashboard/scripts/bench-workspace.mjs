// How fast the workspace of a 200-run sweep comes up in headless Chromium: from navigation to the
// first rows of the runs table, and to every line chart in view drawn. Median of 3 cold loads
// (a new browser context each: no cache), with the API requests' overlap, since the page should
// ask for what it can in parallel.
//   node scripts/bench-workspace.mjs [project] [runs]
// The project is made with tests/browser/sweep.py when it has fewer runs. Writes
// bench/results/dashboard-workspace-<runs>-runs.md. Uses the browser tests' environment
// (RUNSTREAM_DASHBOARD_URL, RUNSTREAM_API_KEY, ...).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, api, launch, open, runPython } from '../tests/browser/helpers.mjs';

const [project = 'sweep-200', runsWanted = '200'] = process.argv.slice(2);
const LOADS = 3;

const have = (await api(`/projects/${encodeURIComponent(project)}`))?.runCount ?? 0;
if (have < Number(runsWanted)) {
  console.log(`making ${runsWanted} runs in '${project}'...`);
  const made = await runPython(join(REPO, 'dashboard', 'tests', 'browser', 'sweep.py'), [project, runsWanted]);
  if (made.code !== 0) throw new Error(`sweep.py failed: ${made.stderr}`);
}

/** Resolves with performance.now() in the page once `condition` holds (polled every animation frame). */
async function when(page, condition) {
  const handle = await page.waitForFunction(condition, null, { polling: 'raf', timeout: 30000 });
  return handle.jsonValue();
}

const rowsShown = () => document.querySelector('.rt-row[data-run-id]') ? performance.now() : null;

// Every line chart that is in view has its instance and a series with points; there is at least one.
const chartsDrawn = () => {
  const inView = [...document.querySelectorAll('.panel[data-panel] .chart')].filter((el) => {
    const r = el.getBoundingClientRect();
    return r.bottom > 0 && r.top < innerHeight && r.width > 0 && !el.closest('details:not([open])') && !el.closest('.ws-compare');
  });
  if (!inView.length) return null;
  const drawn = inView.every((el) => {
    const chart = window.runstream?.echarts.getInstanceByDom(el);
    return chart && chart.getOption().series?.some((s) => s.data?.length > 0);
  });
  return drawn ? { at: performance.now(), charts: inView.length } : null;
};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const browser = await launch();
const loads = [];
try {
  for (let i = 0; i < LOADS; i++) {
    const page = await open(browser, '/', { viewport: { width: 1600, height: 1000 } });
    await page.waitForSelector('.page');
    let inFlight = 0;
    let peak = 0;
    let requests = 0;
    const started = (r) => { if (r.url().includes('/api/')) { requests++; peak = Math.max(peak, ++inFlight); } };
    const ended = (r) => { if (r.url().includes('/api/')) inFlight--; };
    // From the projects page to the workspace, as a user clicks: the navigation is timed in the page.
    const t0 = await page.evaluate((p) => {
      const t = performance.now();
      location.hash = `#/projects/${encodeURIComponent(p)}`;
      return t;
    }, project);
    page.on('request', started);
    page.on('requestfinished', ended);
    page.on('requestfailed', ended);
    const rows = (await when(page, rowsShown)) - t0;
    const charts = await when(page, chartsDrawn);
    loads.push({ rows, charts: charts.at - t0, chartCount: charts.charts, requests, peak });
    console.log(`load ${i + 1}: rows ${rows.toFixed(0)} ms, ${charts.charts} charts ${(charts.at - t0).toFixed(0)} ms, ${requests} API requests, up to ${peak} at once`);
    await page.context().close();
  }
} finally {
  await browser.close();
}

const rowsMedian = median(loads.map((l) => l.rows));
const chartsMedian = median(loads.map((l) => l.charts));
const report = `# Dashboard: the workspace of a ${runsWanted}-run sweep

\`node dashboard/scripts/bench-workspace.mjs ${project} ${runsWanted}\` on ${new Date().toISOString().slice(0, 10)}: headless Debian Chromium,
the stack of \`./platform up\` on this machine (2 cores), the sweep of \`dashboard/tests/browser/sweep.py\`
(12 metrics, ${runsWanted} runs, 40 steps each). Each load starts in a new browser context (nothing cached)
on the projects page and navigates to the workspace; times are from that navigation.

| load | rows shown | line charts in view drawn | charts | API requests | most at once |
|---|---|---|---|---|---|
${loads.map((l, i) => `| ${i + 1} | ${l.rows.toFixed(0)} ms | ${l.charts.toFixed(0)} ms | ${l.chartCount} | ${l.requests} | ${l.peak} |`).join('\n')}

Median of ${LOADS}: rows in **${rowsMedian.toFixed(0)} ms** (target 1,500 ms), every chart in view in
**${chartsMedian.toFixed(0)} ms** (target 2,500 ms).
`;
const out = join(REPO, 'bench', 'results', `dashboard-workspace-${runsWanted}-runs.md`);
writeFileSync(out, report);
console.log(`median: rows ${rowsMedian.toFixed(0)} ms, charts ${chartsMedian.toFixed(0)} ms; wrote ${out}`);
