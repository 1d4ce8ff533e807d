/**
 * The terminal, Markdown, HTML and JSON reports of one run carry the same
 * figures; the HTML is one self-contained file that escapes a `<script>`
 * scenario name and strategy label and loads nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadRunReport, type RunReport, type StrategyReport } from '../reports/run/queries.js';
import { formatMs, formatSeconds } from '../reports/common/format.js';
import { escapeHtml } from '../reports/common/escape.js';
import { renderHtml } from '../reports/run/render-html.js';
import { renderMarkdown } from '../reports/run/render-markdown.js';
import { renderTerminal } from '../reports/run/render-terminal.js';
import { openStore } from '../results/open-store.js';
import { writeReports } from '../reports/run/write-report.js';
import { testRunId } from './recorder-fixture.js';
import { CACHE_LABEL, SCENARIO, SKIP_REASON, fakeRunRows, insertFakeRun } from './report-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-render-'));
let report: RunReport;
let files: { md: string; json: string; html: string };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const store = await openStore({ dataDir: join(dir, 'ch') });
  try {
    await store.migrate();
    const rows = fakeRunRows(testRunId('render'));
    await insertFakeRun(store, rows);
    report = await loadRunReport(store, rows.runs[0]!.run_id);
    files = await writeReports(report, join(dir, 'out'));
  } finally {
    await store.close();
  }
});

/** The cells of the row whose first cell starts with `title`. */
function terminalRow(text: string, title: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`${title} `));
  expect(line, title).toBeDefined();
  return line!.slice(title.length).trim().split(/\s{2,}/);
}
function markdownRow(text: string, title: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`| ${title} |`));
  expect(line, title).toBeDefined();
  return line!.slice(2 + title.length + 3, -2).split(' | ');
}

it('writes report.json as the RunReport itself, keys sorted', () => {
  const text = readFileSync(files.json, 'utf8');
  expect(JSON.parse(text)).toEqual(report);
  expect(text.indexOf('"events"')).toBeLessThan(text.indexOf('"format"'));
});

it('terminal and Markdown rows show the JSON figures', () => {
  const json = JSON.parse(readFileSync(files.json, 'utf8')) as RunReport;
  const rowLock = json.strategies[0] as StrategyReport;
  // By hand: 1,000 ops / 1 s; 940 / 1.239 s = 758.7 → 759; money-safe (940 − 1 lost − 3 duplicated − 2 overdrawn) / 1.239 s = 753.8 → 754;
  // 49,600 / 98,100 / 250,000 / 250,000 µs; 50 rejects of 1,000.
  const waits = [rowLock.lock_wait, rowLock.pool_wait].map((w) => `${formatSeconds(w.total_s)} / ${formatMs(w.p99_us)}`);
  const expected = ['1,000', '759', '754', '49.6', '98.1', '250', '250', ...waits, '50 (5.00%)', '2 / 500', '1', '3', '✓'];
  expect(rowLock.lock_wait.p99_us).toBe(600);
  expect(rowLock.pool_wait.p99_us).toBe(200);
  const terminal = renderTerminal(report);
  const markdown = readFileSync(files.md, 'utf8');
  expect(markdown).toBe(renderMarkdown(report));
  expect(terminalRow(terminal, 'row-lock [postgres]')).toEqual(expected);
  expect(markdownRow(markdown, 'row-lock \\[postgres\\]')).toEqual(expected);
  // Cache: 4 ops in 1 s, 1 of them lost (money-safe 3.0); 300 / 400 / 400 / 400 µs; no lock (n/a), pool wait not measured (—); conservation broken.
  const cache = ['4.0', '4.0', '3.0', '0.300', '0.400', '0.400', '0.400', 'n/a', '—', '0', '0 / 0', '1', '0', '✗'];
  expect(terminalRow(terminal, `${CACHE_LABEL} [redis+postgres]`)).toEqual(cache);
  expect(terminal).toContain(`buffer [kafka] skipped: ${SKIP_REASON}`);
  expect(markdown).toContain('insufficient\\_funds 30 (3.0%), timeout 12 (1.2%), error 8 (0.8%)');
  expect(terminal).toContain('insufficient_funds 30 (3.0%), timeout 12 (1.2%), error 8 (0.8%)');
  const html = readFileSync(files.html, 'utf8');
  for (const cell of expected) expect(html).toContain(`<td class="num">${escapeHtml(cell)}</td>`);
  // Every format says what n/a and — mean in the wait columns.
  for (const text of [terminal, markdown, html]) expect(text).toContain('n/a = not applicable');
});

it('escapes a <script> scenario name and strategy label in the HTML, and loads nothing', () => {
  const html = readFileSync(files.html, 'utf8');
  // The only scripts are the charts' (a JSON data block, uPlot, the drawing script); the labels' <script> stays text.
  expect(html.match(/<script/gi)).toHaveLength(3);
  expect(html).not.toMatch(/<script>alert/i);
  expect(html).toContain('&lt;script&gt;alert(&quot;scenario&quot;)&lt;/script&gt; &amp; co');
  expect(html).toContain('cache:note=&lt;script&gt;alert(&quot;label&quot;)&lt;/script&gt; [redis+postgres]');
  expect(html).toContain(escapeHtml(SCENARIO));
  expect(html).not.toMatch(/\b(src|href)\s*=|url\(|@import/i);
  expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+'">/);
  expect(readFileSync(files.md, 'utf8')).not.toMatch(/<script/i);
});

it('takes extra sections after the built-in one they name', () => {
  const html = renderHtml(report, { sections: [{ id: 'charts', title: 'Latency <charts>', html: '<svg></svg>', after: 'details' }] });
  const order = ['id="summary"', 'id="details"', 'id="charts"', 'id="provenance"'].map((s) => html.indexOf(s));
  expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
  expect(html).toContain('<h2>Latency &lt;charts&gt;</h2>');
  expect(() => renderHtml(report, { sections: [{ id: 'x"><b', title: 't', html: '' }] })).toThrow('must match');
});
