/**
 * The HTML run report leads with the answer: in Debian's Chromium at 1280 px
 * wide, the pick (or "too close to call", or none qualifies) with its reason
 * is the first thing under the title, above the tables; the scenario's
 * history is drawn (one point per recorded run); a screenshot is kept in
 * test-artifacts/. Two short runs recorded in-process (real PostgreSQL,
 * chdb in a folder of their own).
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { answerHeadline } from '../reports/run/render-html.js';
import type { RunReport } from '../reports/common/report-types.js';
import { resolveRunConfig } from '../runner/config/run-config.js';
import { runBenchmark } from '../runner/api/run.js';
import { packageRoot } from '../scenarios/index.js';
import { builtinRegistry } from '../strategies/registry.js';
import { tempDataDir } from './compare-fixture.js';
import { CHROMIUM } from './report-html-browser.js';
import { PG_URL } from './support/database.js';

const dir = tempDataDir('hbt-answer-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let report: RunReport;
let htmlFile: string;

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const config = await resolveRunConfig({ strategies: 'atomic,row-lock', duration: '2s', rateScale: 0.1, pg: PG_URL, dataDir: join(dir, 'home'), out: join(dir, 'out') }, {});
    const result = await runBenchmark(config, { registry: builtinRegistry(), log: () => undefined, progress: 'off', abort: new AbortController().signal });
    expect(result.status).toBe('complete');
    report = result.report!;
    htmlFile = result.files!.html;
  }
}, 300_000);

it('shows the answer first, above the tables, and draws the history; screenshot at 1280 px', async () => {
  const artifacts = join(packageRoot(), 'test-artifacts');
  mkdirSync(artifacts, { recursive: true });
  const shot = join(artifacts, `report-answer-first-${report.run.run_id}.png`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`file://${htmlFile}`, { waitUntil: 'load' });
    const answer = await page.locator('#answer').boundingBox();
    const summary = await page.locator('#summary').boundingBox();
    expect(answer!.y).toBeLessThan(200);
    expect(answer!.y + answer!.height).toBeLessThanOrEqual(summary!.y);
    expect(await page.locator('#answer .headline').innerText()).toBe(answerHeadline(report.verdict).text);
    expect(await page.locator('#answer').innerText()).toContain(report.verdict.reason);
    expect(await page.locator('#history svg circle').count()).toBe(4); // 2 runs × 2 strategies
    await page.screenshot({ path: shot, fullPage: true });
  } finally {
    await browser.close();
  }
  const png = readFileSync(shot);
  expect(png.readUInt32BE(16)).toBe(1280); // IHDR width
  console.log(`screenshot ${shot}`);
});
