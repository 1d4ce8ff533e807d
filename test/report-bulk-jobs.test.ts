/**
 * Bulk job completion, on chdb and on the ClickHouse 18.16 server: the run
 * report computes each job's first op intended → last op posted or declined
 * exactly, from the postings (not the acks: a deferred strategy acks a job in
 * microseconds and posts it seconds later), counts declines per job, leaves
 * jobs with a lost or timed-out op not completed, and every report format
 * shows the section only when the run has jobs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRunReport, type RunReport } from '../reports/run/queries.js';
import { metricNamed } from '../reports/common/metrics.js';
import { compareReports } from '../reports/compare/compare.js';
import { buildThresholds } from '../reports/compare/thresholds.js';
import { renderTerminal } from '../reports/run/render-terminal.js';
import { renderMarkdown } from '../reports/run/render-markdown.js';
import { renderHtml } from '../reports/run/render-html.js';
import { renderJsonText } from '../reports/run/render-json.js';
import { openStore } from '../results/open-store.js';
import type { Store } from '../results/store.js';
import { testRunId } from './recorder-fixture.js';
import { fakeRunRows, insertFakeRun, quantile, type FakeRows } from './report-fixture.js';
import { bulkJobRunRows } from './report-bulk-jobs-fixture.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const database = `hbt_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'hbt-bulk-jobs-'));
afterAll(async () => {
  await fetch(`${CLICKHOUSE_URL}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
  rmSync(dir, { recursive: true, force: true });
});

/** Completion times of `strategy`'s completed jobs straight from the rows, by the definition (JS, not SQL). */
function completionsFromRows(rows: FakeRows, strategy: string): number[] {
  const jobs = new Map<number, { first: number; last: number; open: number }>();
  for (const o of rows.ops.filter((r) => r.strategy === strategy && r.job >= 0)) {
    const posts = rows.postings.filter((p) => p.strategy === strategy && p.op_id === o.op_id).map((p) => p.posted_us);
    const declined = o.status === 'rejected' && o.reason !== 'timeout' && o.reason !== 'error';
    const settled = posts.length > 0 ? Math.min(...posts) : declined ? o.acked_us : null;
    const j = jobs.get(o.job) ?? { first: Infinity, last: -1, open: 0 };
    jobs.set(o.job, { first: Math.min(j.first, o.intended_us), last: Math.max(j.last, settled ?? -1), open: j.open + (settled === null ? 1 : 0) });
  }
  return [...jobs.values()].filter((j) => j.open === 0).map((j) => j.last - j.first);
}

function expectBulkJobs(report: RunReport, rows: FakeRows): void {
  const [buffer, rowLock, atomic] = report.strategies;
  expect(buffer!.bulk_jobs).toEqual({
    jobs: 4, completed: 3, not_completed: 1, ops: 12, posted_ops: 9, declined_ops: 1, unsettled_ops: 2,
    completion_us: { p50: 700_000, p99: 2_003_000, max: 2_003_000 },
    by_job: [
      // Posted at 3.003 s, acked by 1.0004 s: the job took 2,003,000 µs, not the 400 µs its acks would say.
      { job: 0, ops: 4, first_intended_us: 1_000_000, posted: 4, declined: 0, unsettled: 0, last_settled_us: 3_003_000, last_ack_us: 1_000_400, completion_us: 2_003_000 },
      // The decline (at its ack, 2.7 s) is the job's last answer.
      { job: 1, ops: 3, first_intended_us: 2_000_000, posted: 2, declined: 1, unsettled: 0, last_settled_us: 2_700_000, last_ack_us: 2_700_000, completion_us: 700_000 },
      // A lost op and a timeout: not completed.
      { job: 2, ops: 3, first_intended_us: 3_000_000, posted: 1, declined: 0, unsettled: 2, last_settled_us: 3_000_050, last_ack_us: 3_500_000, completion_us: null },
      // Duplicate postings at 9 s: the first posting is when the op reached the ledger.
      { job: 3, ops: 2, first_intended_us: 4_000_000, posted: 2, declined: 0, unsettled: 0, last_settled_us: 4_100_000, last_ack_us: 4_000_020, completion_us: 100_000 },
    ],
  });
  expect(buffer!.bulk_jobs!.by_job.map((j) => j.completion_us).filter((t) => t !== null).sort((a, b) => a - b)).toEqual(completionsFromRows(rows, 'buffer').sort((a, b) => a - b));

  // 150 jobs completing in (j+1)·100 µs: rank floor(0.5·150) = 75 → 7,600; floor(0.99·150) = 148 → 14,900.
  const j = rowLock!.bulk_jobs!;
  expect([j.jobs, j.completed, j.not_completed, j.ops, j.posted_ops, j.declined_ops, j.unsettled_ops]).toEqual([150, 150, 0, 450, 300, 150, 0]);
  expect(j.completion_us).toEqual({ p50: 7_600, p99: 14_900, max: 15_000 });
  const js = completionsFromRows(rows, 'row-lock');
  expect(j.completion_us).toEqual({ p50: quantile(js, 0.5), p99: quantile(js, 0.99), max: Math.max(...js) });
  expect(j.by_job[42]).toEqual({ job: 42, ops: 3, first_intended_us: 420_000, posted: 2, declined: 1, unsettled: 0, last_settled_us: 424_300, last_ack_us: 424_300, completion_us: 4_300 });

  expect(atomic!.bulk_jobs).toBeNull();

  // The catalog reads them in seconds (compare and history use these names).
  expect(metricNamed('job_completion_p99_s')!.value(buffer!)).toBe(2.003);
  expect(metricNamed('job_completion_p50_s')!.value(rowLock!)).toBe(0.0076);
  expect(metricNamed('jobs_not_completed')!.value(buffer!)).toBe(1);
  expect(metricNamed('job_declined_ops')!.value(rowLock!)).toBe(150);
  expect(metricNamed('job_completion_max_s')!.value(atomic!)).toBeNull();
}

function expectRendered(withJobs: RunReport, without: RunReport): void {
  const text = renderTerminal(withJobs);
  expect(text).toContain('bulk jobs (first op intended → last op posted or declined):');
  expect(text).toMatch(/buffer \[redis-streams\]\s+4\s+3\s+1\s+12\s+1\s+2\s+0\.700\s+2\.00\s+2\.00/);
  expect(text).toMatch(/row-lock \[postgres\]\s+150\s+150\s+0\s+450\s+150\s+0\s+0\.008\s+0\.015\s+0\.015/);
  const md = renderMarkdown(withJobs);
  expect(md).toContain('## Bulk jobs');
  expect(md).toContain('| buffer \\[redis-streams\\] | 4 | 3 | 1 | 12 | 1 | 2 | 0.700 | 2.00 | 2.00 |');
  expect(md).toContain('declined: job ops rejected with a definite answer');
  const html = renderHtml(withJobs);
  expect(html).toContain('<section id="bulk-jobs">');
  expect(html).toMatch(/<td>buffer \[redis-streams\]<\/td><td class="num">4<\/td><td class="num">3<\/td>/);
  expect(JSON.parse(renderJsonText(withJobs)).strategies[0].bulk_jobs.by_job[0].completion_us).toBe(2_003_000);

  // A run without jobs: no section anywhere, null in the JSON.
  expect(renderTerminal(without)).not.toContain('bulk jobs');
  expect(renderMarkdown(without)).not.toContain('Bulk jobs');
  expect(renderHtml(without)).not.toContain('bulk-jobs');
  expect(without.strategies.every((s) => s.bulk_jobs === null)).toBe(true);
  expect(JSON.parse(renderJsonText(without)).strategies[0].bulk_jobs).toBeNull();
}

/** Compare judges the catalog's job metrics like any other, by name. */
function expectCompared(report: RunReport): void {
  const candidate = { ...report, run: { ...report.run, run_id: 'candidate' } };
  const c = compareReports(report, candidate, buildThresholds({ flags: ['job_completion_p99_s=+10%', 'jobs_not_completed=0'] }));
  const buffer = c.strategies.find((s) => s.label === 'buffer')!;
  const metric = (name: string) => buffer.metrics.find((m) => m.metric === name)!;
  expect(metric('job_completion_p99_s').baseline?.median).toBe(2.003);
  expect(metric('jobs_not_completed').verdict).toBe('regression'); // job 2 never completed: the cap of 0 breaks
  expect(c.breaches).toEqual([{ strategy: 'buffer', metric: 'jobs_not_completed', reason: 'value 1 breaks <= 0' }]);
}

async function check(store: Store): Promise<void> {
  await store.migrate();
  const rows = bulkJobRunRows(testRunId('jobs'));
  await insertFakeRun(store, rows);
  await insertFakeRun(store, bulkJobRunRows(testRunId('jobs-other'))); // another run must not leak in
  const plain = fakeRunRows(testRunId('no-jobs'));
  await insertFakeRun(store, plain);
  const report = await loadRunReport(store, rows.runs[0]!.run_id);
  expectBulkJobs(report, rows);
  expectCompared(report);
  expectRendered(report, await loadRunReport(store, plain.runs[0]!.run_id));
}

describe('bulk job completion', () => {
  it('is exact on chdb', async () => {
    const store = await openStore({ dataDir: join(dir, 'chdb') });
    try {
      await check(store);
    } finally {
      await store.close();
    }
  });

  it('is exact on the ClickHouse 18.16 server', async () => {
    const store = await openStore({ url: CLICKHOUSE_URL, dataDir: join(dir, 'server'), database });
    try {
      await check(store);
    } finally {
      await store.close();
    }
  });
});
