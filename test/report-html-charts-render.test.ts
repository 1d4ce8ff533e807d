/**
 * The HTML report of a real `budget-exhaustion` run with five strategies,
 * opened in headless Chromium: every chart container holds a uPlot chart
 * whose canvas carries its lines' colours, nothing is logged as an error,
 * nothing is fetched, and a full-page screenshot is saved to
 * `test-artifacts/report-<run>.png` (gitignored). One run shared by the file.
 */
import { escapeHtml } from '../reports/common/escape.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chartSpecs } from '../reports/run/html/chart-specs.js';
import { CHART_DATA_ID } from '../reports/run/html/chart-script.js';
import type { RunReport } from '../reports/common/report-types.js';
import { resolveRunConfig } from '../runner/config/run-config.js';
import { runBenchmark } from '../runner/api/run.js';
import { packageRoot } from '../scenarios/index.js';
import { builtinRegistry } from '../strategies/registry.js';
import { PG_URL } from './support/database.js';
import { launchReportBrowser, type PageLoad } from './report-html-browser.js';

const STRATEGIES = ['row-lock', 'atomic', 'aggregate', 'wal', 'split'];
const dir = mkdtempSync(join(tmpdir(), 'hbt-html-'));
const artifacts = join(packageRoot(), 'test-artifacts');
let report: RunReport;
let html: string;
let htmlFile: string;
let load: PageLoad;
let screenshot: string;

beforeAll(async () => {
  const config = await resolveRunConfig({ scenario: 'budget-exhaustion', strategies: STRATEGIES.join(','), duration: '5s', pg: PG_URL, dataDir: join(dir, 'home'), out: join(dir, 'out') }, {});
  const result = await runBenchmark(config, { registry: builtinRegistry(), log: () => undefined, progress: 'off', abort: new AbortController().signal });
  expect(result.status).toBe('complete');
  report = result.report!;
  htmlFile = result.files!.html;
  html = readFileSync(htmlFile, 'utf8');
  mkdirSync(artifacts, { recursive: true });
  screenshot = join(artifacts, `report-${report.run.run_id}.png`);
  const browser = await launchReportBrowser();
  try {
    const colours = [...new Set(chartSpecs(report).flatMap((s) => s.lines.map((l) => l.color)))];
    load = await browser.open(htmlFile, colours, screenshot);
  } finally {
    await browser.close();
  }
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('ran every strategy of the budget-exhaustion run to completion', () => {
  expect(report.strategies.map((s) => [s.label, s.status])).toEqual(STRATEGIES.map((s) => [s, 'completed']));
});

it('draws every chart: a uPlot instance per container, lines painted in their colours', () => {
  const hot = report.series.strategies[0]!;
  const expected = ['chart-ack-latency', 'chart-posting-delay', 'chart-rates', 'chart-lock-waiters', 'chart-pg-commits', ...Object.keys(hot.balances).map((a) => `chart-balance-${a}`)];
  expect(Object.keys(hot.balances).length).toBeGreaterThan(0); // the hot account's balance was sampled
  expect(load.containers).toEqual(expect.arrayContaining(expected));
  expect(load.charts.map((c) => c.id)).toEqual(load.containers);
  for (const chart of load.charts) {
    expect(chart.width, chart.id).toBeGreaterThan(300);
    expect(chart.colouredPixels, chart.id).toBeGreaterThan(50);
  }
  // One line per strategy in the latency chart; offered + one per strategy in the rate chart.
  expect(load.charts.find((c) => c.id === 'chart-ack-latency')!.series).toBe(STRATEGIES.length);
  expect(load.charts.find((c) => c.id === 'chart-rates')!.series).toBe(STRATEGIES.length + 1);
});

it('loads with no console error and no request, and saves a screenshot', () => {
  expect(load.consoleErrors).toEqual([]);
  expect(load.requests).toEqual([]);
  expect(statSync(screenshot).size).toBeGreaterThan(20_000);
  console.log(`report.html ${html.length} bytes for ${report.run.planned_ops} ops × ${STRATEGIES.length} strategies; charts drawn in ${load.renderMs} ms; screenshot ${screenshot}`);
});

it('is one self-contained file: scripts allowed by hash only, chart data in an escaped JSON block', () => {
  expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+'">/);
  expect(html).not.toMatch(/\b(src|href)\s*=|url\(|@import/i);
  expect(html.match(/<script/g)).toHaveLength(3);
  const block = new RegExp(`<script type="application/json" id="${CHART_DATA_ID}">([^]*?)</script>`).exec(html)![1]!;
  expect(block).not.toContain('<');
  expect(JSON.parse(block)).toEqual(JSON.parse(JSON.stringify(chartSpecs(report))));
  // Bounded: the series have at most 200 points, whatever the op count.
  expect(report.series.points).toBeLessThanOrEqual(200);
  expect(html.length).toBeLessThan(400_000);
});

it('ends with the verdict, in the words every renderer uses (a pick, too close to call, or none)', () => {
  const at = html.indexOf('<section id="verdict">');
  expect(at).toBeGreaterThan(html.indexOf('<section id="provenance">'));
  const v = report.verdict;
  expect(html.slice(at)).toContain(v.too_close_to_call ? `pick: too close to call (${v.too_close_to_call.labels.map(escapeHtml).join(', ')})` : `pick: ${v.pick ?? 'none'}.`);
});
