/**
 * Every report format ends with the same verdict: the terminal text, the
 * Markdown, the HTML page and the JSON (its last key), for a hand-made run
 * recorded with an SLO in its config.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadRunReport, type RunReport } from '../reports/run/queries.js';
import { escapeHtml } from '../reports/common/escape.js';
import { renderHtml } from '../reports/run/render-html.js';
import { renderJsonText } from '../reports/run/render-json.js';
import { renderMarkdown } from '../reports/run/render-markdown.js';
import { escapeMarkdown } from '../reports/common/table.js';
import { renderTerminal } from '../reports/run/render-terminal.js';
import { openStore } from '../results/open-store.js';
import { judge } from '../reports/run/verdict.js';
import { verdictIntervalNotes, verdictLines, verdictPick } from '../reports/run/verdict-render.js';
import { writeReports } from '../reports/run/write-report.js';
import { testRunId } from './recorder-fixture.js';
import { CACHE_LABEL, fakeRunRows, insertFakeRun } from './report-fixture.js';
import { made } from './report-verdict-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-verdict-'));
let report: RunReport;
let files: { md: string; json: string; html: string };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const store = await openStore({ dataDir: join(dir, 'ch') });
  try {
    await store.migrate();
    const rows = fakeRunRows(testRunId('verdict'));
    // Recorded in the shape runs had before the metric catalog's names (µs): it must still be judged by.
    rows.runs[0]!.config_json = JSON.stringify({ seed: 42, slo: { p99_ack_us: 50_000, max_overdraft: 0 } });
    await insertFakeRun(store, rows);
    report = await loadRunReport(store, rows.runs[0]!.run_id);
    files = await writeReports(report, join(dir, 'out'));
  } finally {
    await store.close();
  }
});

it("judges the recorded run against the SLO in its config", () => {
  // row-lock: p99 98.1 ms > 50 ms, 2 overdrafts of 500, 1 lost and 3 duplicated ops; the cache lost an op and broke conservation; buffer skipped.
  const v = report.verdict;
  expect(v.slo).toEqual({ p99_ack_ms: 50, overdraft_amount: 0 });
  expect(v.judged.find((j) => j.label === 'row-lock')!.checks.filter((c) => !c.ok).map((c) => c.text)).toEqual([
    'p99_ack_ms 98.1 ms > 50.0 ms', 'overdraft_amount 500 > 0', 'lost ops 1 > 0', 'duplicated ops 3 > 0',
  ]);
  expect(v.judged.find((j) => j.label === CACHE_LABEL)!.checks.filter((c) => !c.ok).map((c) => c.text)).toEqual([
    'lost ops 1 > 0', 'phantom postings 1 > 0', 'mismatched postings 1 > 0', 'conservation broken on 1 account(s)',
  ]);
  expect(v.not_judged.map((n) => [n.label, n.status])).toEqual([['buffer', 'skipped']]);
  expect(v.pick).toBeNull();
});

it('ends the terminal, Markdown, HTML and JSON reports with that verdict', () => {
  const lines = verdictLines(report.verdict);
  const notes = verdictIntervalNotes(report.verdict);
  expect(notes.length).toBeGreaterThan(0);
  const terminal = renderTerminal(report).trimEnd().split('\n');
  expect(terminal.slice(-(lines.length + 3 + notes.length))[0]).toBe('verdict');
  expect(terminal.slice(-(notes.length + 1))).toEqual([`pick: none. ${report.verdict.reason}`, ...notes]);
  for (const l of lines) expect(terminal.some((t) => t.startsWith(`${l.mark} ${l.title}`) && t.endsWith(l.text))).toBe(true);

  const md = readFileSync(files.md, 'utf8').trimEnd();
  const verdictAt = md.indexOf('## Verdict');
  expect(verdictAt).toBeGreaterThan(md.indexOf('## Definitions'));
  expect(md.endsWith([`**pick: none.** ${escapeMarkdown(report.verdict.reason)}`, ...notes.map((n) => `<sub>${escapeMarkdown(n)}</sub>`)].join('\n\n'))).toBe(true);
  for (const l of lines) expect(md.slice(verdictAt)).toContain(`- ${l.mark} **${escapeMarkdown(l.title)}**: ${escapeMarkdown(l.text)}`);

  const html = readFileSync(files.html, 'utf8');
  const section = html.slice(html.indexOf('<section id="verdict">'));
  expect(section.indexOf('</section>')).toBe(section.lastIndexOf('</section>')); // the last section
  for (const l of lines) expect(section).toContain(`<strong>${escapeHtml(l.title)}</strong>: ${escapeHtml(l.text)}`);

  const text = readFileSync(files.json, 'utf8');
  expect(Object.keys(JSON.parse(text) as object).at(-1)).toBe('verdict');
  expect((JSON.parse(text) as RunReport).verdict).toEqual(report.verdict);
});

it('says too close to call after the constraints, in every format, escaped, with error bars in HTML', () => {
  // A label never reaches a report with markup in it (labels are validated); this one is made by hand to prove the escaping.
  const reps = (label: string, goodputs: number[]) => goodputs.map((goodput, rep) => made({ label, goodput, rep }));
  const verdict = judge({ strategies: [...reps('aggregate', [1_900, 2_050, 1_950]), ...reps('cache:<b>', [2_000, 1_920, 2_080])] }, {});
  expect(verdict.pick).toBeNull();
  expect(verdict.too_close_to_call?.labels).toEqual(['cache:<b>', 'aggregate']);
  const pick = verdictPick(verdict);
  expect(pick).toMatch(/^pick: too close to call \(cache:<b>, aggregate\)\. Too close to call: cache:<b>, aggregate: their goodput intervals overlap/);
  const withVerdict: RunReport = { ...report, verdict };
  expect(renderTerminal(withVerdict)).toContain(pick);
  expect(renderMarkdown(withVerdict)).toContain(`**pick: too close to call (cache:<b>, aggregate).** ${escapeMarkdown(verdict.reason)}`.replace('cache:<b>', escapeMarkdown('cache:<b>')));
  const html = renderHtml(withVerdict);
  expect(html).toContain('<svg class="error-bars"');
  expect(html).toContain('goodput, ops/s (95% CI)');
  expect(html).not.toContain('cache:<b>');
  expect((JSON.parse(renderJsonText(withVerdict)) as RunReport).verdict.too_close_to_call).toEqual(verdict.too_close_to_call);
});
