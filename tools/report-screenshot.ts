/**
 * `npm run docs:screenshot`: makes docs/report.png, the picture of the HTML
 * report the README shows, from a real run, so the picture is refreshed by a
 * command and never drawn or edited by hand.
 *
 * It runs the CLI as a user would (`hotbench run`, a few strategies for a
 * few seconds, into a throw-away data folder), opens the run's report.html in
 * headless Chromium (playwright-core driving the system's browser, no
 * download) 1280 px wide, waits for the charts to draw, and saves the top of
 * the page: the verdict, the strategies table and the first chart.
 *
 * Flags after `--` go to `hotbench run` and replace the defaults below, e.g.
 * `npm run docs:screenshot -- --pg postgres://postgres@127.0.0.1:5432/test`.
 * `CHROMIUM_PATH` names the browser (default /usr/bin/chromium).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { packageRoot } from '../scenarios/index.js';

/** Width of the picture, CSS px (a laptop browser window). */
export const SCREENSHOT_WIDTH = 1280;

/**
 * Most height of the picture, CSS px. The picture ends below the report's
 * first chart (the verdict, the strategies table, the ack-latency chart),
 * wherever that falls: the verdict's height varies with the run.
 */
export const SCREENSHOT_MAX_HEIGHT = 1600;

/** Room kept below the first chart's container, CSS px (its caption line). */
const BELOW_CHART_PX = 40;

/**
 * The run the picture shows: the default scenario, three strategies with
 * different verdicts (a pick, one too slow, one that overdraws), shortened
 * and at a third of the rate so it takes about a minute even on a busy
 * 2-core machine. The latency limits are the scenario's (50 ms, 1 s) times
 * ten: on a machine where PostgreSQL shares two busy cores with the driver no
 * strategy meets 50 ms, and the picture is there to show a verdict with a
 * pick. The report prints the limits it judged by.
 */
export const SCREENSHOT_RUN_FLAGS: Readonly<Record<string, string>> = {
  scenario: 'advertiser-burst',
  strategies: 'row-lock,aggregate,wal',
  duration: '8s',
  'rate-scale': '0.3',
  slo: 'p99_ack_ms<500ms,posting_delay_p99_ms<10s,overdraft_amount=0',
  progress: 'plain',
};

/** Where the picture is committed. */
export function screenshotPath(): string {
  return join(packageRoot(), 'docs', 'report.png');
}

/**
 * `hotbench run` flags: the defaults, with `--name value` (or a bare
 * `--name`, a switch) from `args` replacing the default of the same name.
 */
export function runArgs(args: readonly string[], dataDir: string, outDir: string): string[] {
  const flags = new Map<string, string | true>(Object.entries(SCREENSHOT_RUN_FLAGS));
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!;
    if (!name.startsWith('--')) throw new Error(`unexpected ${JSON.stringify(name)}: give hotbench run flags as --name value`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) flags.set(name.slice(2), true);
    else {
      flags.set(name.slice(2), value);
      i++;
    }
  }
  flags.set('data-dir', dataDir);
  flags.set('out', outDir);
  return ['run', ...[...flags].flatMap(([k, v]) => (v === true ? [`--${k}`] : [`--${k}`, v]))];
}

/** Runs `hotbench <args>` with its progress on this terminal; rejects unless the run completed (exit 0). */
function runHotbench(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'hotbench.js'), ...args], { cwd: packageRoot(), stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`hotbench ${args.join(' ')} ended with ${signal ?? `exit code ${code}`}`))));
  });
}

/** Saves the top of `html` as a PNG at `png`, once every chart of the page has drawn. */
export async function screenshotReport(html: string, png: string): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'hotbench-shot-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: SCREENSHOT_WIDTH, height: SCREENSHOT_MAX_HEIGHT },
    deviceScaleFactor: 1,
  });
  try {
    const page = await context.newPage();
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    const charts = await page.$$eval('.plot[id]', (els) => els.length);
    // The report draws its charts after load (uPlot); each registers itself in hbCharts when drawn.
    await page.waitForFunction((n) => ((globalThis as unknown as { hbCharts?: unknown[] }).hbCharts ?? []).length >= n, charts, { timeout: 30_000 });
    const chartBottom = await page.$eval('.plot[id]', (el) => el.getBoundingClientRect().bottom + (globalThis as unknown as { scrollY: number }).scrollY).catch(() => SCREENSHOT_MAX_HEIGHT);
    const height = Math.min(SCREENSHOT_MAX_HEIGHT, Math.ceil(chartBottom + BELOW_CHART_PX));
    await page.screenshot({ path: png, clip: { x: 0, y: 0, width: SCREENSHOT_WIDTH, height } });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The whole command: run, render, save to `png`; the run's data is thrown away. */
export async function writeReportScreenshot(args: readonly string[], png = screenshotPath()): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'hotbench-shot-'));
  try {
    const out = join(work, 'out');
    await runHotbench(runArgs(args, join(work, 'data'), out));
    const runs = readdirSync(out);
    if (runs.length !== 1) throw new Error(`expected one run folder in ${out}, found ${runs.length}`);
    await screenshotReport(join(out, runs[0]!, 'report.html'), png);
    return png;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeReportScreenshot(process.argv.slice(2)).then(
    (path) => process.stdout.write(`wrote ${path}\n`),
    (err: unknown) => {
      process.stderr.write(`report-screenshot: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
