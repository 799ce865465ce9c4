// Shared by the browser tests: configuration from the environment, runs made through the real
// SDK (the example training program), the API, and a headless Chromium from the system.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '..', '..', '..');

function readKey() {
  if (process.env.RUNSTREAM_API_KEY) return process.env.RUNSTREAM_API_KEY.trim();
  const file = join(REPO, '.platform', 'api.key');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
}

export const QUERY_URL = (process.env.RUNSTREAM_QUERY_URL ?? 'http://127.0.0.1:5102').replace(/\/$/, '');
export const INGEST_URL = (process.env.RUNSTREAM_URL ?? 'http://127.0.0.1:5101').replace(/\/$/, '');
export const DASHBOARD_URL = (process.env.RUNSTREAM_DASHBOARD_URL ?? QUERY_URL).replace(/\/$/, '');
export const API_KEY = readKey();
export const RESULTS = process.env.RUNSTREAM_TEST_RESULTS ?? join(REPO, 'tests', 'TestResults');
export const SCREENSHOTS = join(RESULTS, 'screenshots');
export const EXAMPLE = process.env.RUNSTREAM_EXAMPLE_DLL
  ?? join(REPO, 'examples', 'CatClassification', 'bin', 'Release', 'net10.0', 'CatClassification.dll');
export const CHROMIUM = process.env.RUNSTREAM_CHROMIUM ?? '/usr/bin/chromium';

if (!API_KEY) throw new Error('RUNSTREAM_API_KEY is not set (and there is no .platform/api.key)');

const spool = mkdtempSync(join(tmpdir(), 'runstream-dashboard-tests-'));

/** A project name no earlier test run used. */
export function uniqueProject(prefix) {
  return `dash-${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Spawns a program and keeps what it prints: `output` holds stdout and stderr so far, `exited`
 * resolves with its exit code (and rejects when it cannot be started).
 */
function spawnCollecting(command, args, options) {
  const child = spawn(command, args, options);
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (output.stdout += d));
  child.stderr.on('data', (d) => (output.stderr += d));
  const exited = new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', resolvePromise);
  });
  return { child, output, exited };
}

/**
 * Starts the example training program (the C# SDK): a run in `project` logging accuracy and loss
 * for epochs × 8 steps, then a model artifact. Returns the child and a promise of its run id.
 */
export function startRun({ project, seed = 1, learningRate = 0.1, epochs = 20 }) {
  if (!existsSync(EXAMPLE)) throw new Error(`${EXAMPLE} is missing: build the solution first`);
  const { child, output, exited } = spawnCollecting('dotnet', [EXAMPLE, '--project', project, '--seed', String(seed), '--learning-rate', String(learningRate), '--epochs', String(epochs)], {
    env: { ...process.env, RUNSTREAM_API_KEY: API_KEY, RUNSTREAM_URL: INGEST_URL, RUNSTREAM_DIR: spool, DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = exited.then((code) => {
    const m = /run (\S+) in project/.exec(output.stdout);
    if (code !== 0 || !m) throw new Error(`the example exited with ${code}: ${output.stdout}\n${output.stderr}`);
    return m[1];
  });
  return { child, done };
}

/** A Python process's environment: the SDK of this checkout, against the stack under test. */
function pythonEnv(extra = {}) {
  return { ...process.env, PYTHONPATH: join(REPO, 'sdk', 'python'), RUNSTREAM_API_KEY: API_KEY, RUNSTREAM_URL: INGEST_URL, RUNSTREAM_QUERY_URL: QUERY_URL, RUNSTREAM_DIR: spool, RUNSTREAM_SILENT: '1', ...extra };
}

/**
 * Starts a run whose pace the test sets (paced_run.py, the Python SDK, or another `script` here
 * speaking the same stdin protocol, with `args` after the project): `log(n)` logs n more steps,
 * `finish()` ends the run. `runId` resolves once the run exists; `done` once the program exits.
 */
export function startPacedRun({ project, script = 'paced_run.py', args = [] }) {
  const { child, output, exited } = spawnCollecting('/usr/bin/python3', [join(here, script), project, ...args], {
    env: pythonEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const done = exited.then((code) => {
    if (code !== 0) throw new Error(`${script} exited with ${code}: ${output.stdout}\n${output.stderr}`);
  });
  const runId = waitFor(() => /^run (\S+)$/m.exec(output.stdout)?.[1], { message: 'the paced run to start', timeout: 60000 });
  return {
    child,
    runId,
    done,
    log: (n) => child.stdin.write(`log ${n}\n`),
    finish: () => child.stdin.end('finish\n'),
  };
}

/** Runs a Python script with the SDK of this checkout (Debian's Python); resolves with its exit code and output. */
export async function runPython(script, args = [], { cwd, env = {} } = {}) {
  const { output, exited } = spawnCollecting('/usr/bin/python3', [script, ...args], { cwd, env: pythonEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const code = await exited;
  return { code, ...output };
}

/** Runs the example to the end and waits until the Query API shows the run finished. */
export async function makeRun(options) {
  const runId = await startRun(options).done;
  await waitFor(async () => (await api(`/projects/${options.project}/runs/${runId}`))?.state === 'finished', { message: `run ${runId} to be finished`, timeout: 30000 });
  return runId;
}

export async function api(path, init = {}) {
  const res = await fetch(`${QUERY_URL}/api/v1${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${API_KEY}`, Accept: 'application/json', ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...init.headers },
  });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

/** The runs of a project, whichever shape the server answers with. */
export async function runsOf(project, query = '') {
  const res = await api(`/projects/${encodeURIComponent(project)}/runs?limit=1000${query}`);
  return Array.isArray(res) ? res : res?.runs ?? [];
}

/** Polls `fn` until it returns something truthy. */
export async function waitFor(fn, { timeout = 20000, interval = 200, message = 'a condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${message}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

export async function launch() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/**
 * A page on the dashboard; `withKey` passes the key in the URL fragment the first time, like `./platform demo` prints it.
 * `colorScheme` ('light' or 'dark') is the system preference the page sees (default: light).
 */
export async function open(browser, hashPath = '/', { withKey = true, viewport = { width: 1440, height: 900 }, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport, acceptDownloads: true, colorScheme });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.errors = errors;
  await page.goto(dashboardUrl(hashPath, withKey));
  return page;
}

export function dashboardUrl(hashPath, withKey = true) {
  const sep = hashPath.includes('?') ? '&' : '?';
  return `${DASHBOARD_URL}/#${hashPath}${withKey ? `${sep}key=${encodeURIComponent(API_KEY)}` : ''}`;
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** The run ids of the table's rows in order (every row: the table is tall enough in tests). */
export async function tableRunIds(page) {
  return page.$$eval('.rt-row[data-run-id]', (rows) => rows
    .sort((a, b) => new DOMMatrix(getComputedStyle(a).transform).m42 - new DOMMatrix(getComputedStyle(b).transform).m42)
    .map((r) => r.getAttribute('data-run-id')));
}

/** The option of the chart in `selector` as the page has it (functions left out); null before it is drawn. */
export function chartOption(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const chart = el && window.runstream.echarts.getInstanceByDom(el);
    return chart ? JSON.parse(JSON.stringify(chart.getOption())) : null;
  }, selector);
}

/** The series ids of the chart in a line panel. */
export async function chartSeries(page, metric) {
  return page.evaluate((m) => {
    const el = document.querySelector(`[data-panel="${m}"] .chart`);
    const chart = el && window.runstream.echarts.getInstanceByDom(el);
    if (!chart) return null;
    return chart.getOption().series.map((s) => ({ id: s.id, name: s.name, points: s.data.length }));
  }, metric);
}

/** The colours of a line panel's chart as drawn: axis labels, grid lines, the tooltip's background. */
export async function chartColors(page, metric) {
  return page.evaluate((m) => {
    const el = document.querySelector(`[data-panel="${m}"] .chart`);
    const chart = el && window.runstream.echarts.getInstanceByDom(el);
    if (!chart) return null;
    const o = chart.getOption();
    return {
      axisLabel: o.yAxis[0].axisLabel.color,
      splitLine: o.yAxis[0].splitLine.lineStyle.color,
      tooltip: o.tooltip[0].backgroundColor,
    };
  }, metric);
}

/** Relative luminance (0 black - 1 white) of `#rgb`, `#rrggbb` or `rgb(a)(r, g, b...)`. */
export function luminance(color) {
  let rgb;
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (hex) {
    const h = hex[1].length === 3 ? [...hex[1]].map((c) => c + c).join('') : hex[1];
    rgb = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
  } else {
    const m = /^rgba?\(([^)]+)\)$/.exec(color.trim());
    if (!m) throw new Error(`not a colour: ${color}`);
    rgb = m[1].split(/[ ,/]+/).slice(0, 3).map(Number);
  }
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export const sameSet = (a, b) => a.length === b.length && [...a].sort().join() === [...b].sort().join();
