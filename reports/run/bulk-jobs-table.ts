/**
 * The bulk-jobs table every human-facing report shows when the run has bulk
 * jobs (a scenario with `jobs`): per replay, how many jobs completed and how
 * long they took, first op intended → last op posted or declined. Built once
 * from a RunReport, laid out by each renderer; absent for other scenarios.
 */
import type { RunReport } from '../common/report-types.js';
import { NONE, formatInt, formatSeconds } from '../common/format.js';
import { strategyTitle } from './summary-table.js';
import type { Column, Table } from '../common/table.js';

const left = (header: string): Column => ({ header, align: 'left' });
const right = (header: string): Column => ({ header, align: 'right' });
const seconds = (us: number | null) => (us === null ? NONE : formatSeconds(us / 1e6));

/** One row per replay; null when no replay recorded an op of a bulk job. */
export function bulkJobsTable(report: RunReport): Table | null {
  if (!report.strategies.some((s) => s.bulk_jobs !== null)) return null;
  const columns = [
    left('strategy [backend]'), right('jobs'), right('completed'), right('not completed'), right('job ops'), right('declined'), right('unsettled'),
    right('completion p50 s'), right('completion p99 s'), right('completion max s'),
  ];
  const repeated = report.strategies.some((s) => s.rep > 0);
  const rows = report.strategies.map((s) => {
    const j = s.bulk_jobs;
    if (j === null) return [strategyTitle(s, repeated), ...columns.slice(1).map(() => NONE)];
    return [
      strategyTitle(s, repeated),
      formatInt(j.jobs),
      formatInt(j.completed),
      formatInt(j.not_completed),
      formatInt(j.ops),
      formatInt(j.declined_ops),
      formatInt(j.unsettled_ops),
      seconds(j.completion_us.p50),
      seconds(j.completion_us.p99),
      seconds(j.completion_us.max),
    ];
  });
  return { columns, rows };
}

/** What the bulk-jobs table's columns mean, printed under it. */
export const BULK_JOB_DEFINITIONS = [
  'completion: per job, the first op\'s intended send time → the job\'s last op posted (in the ledger, not just acked: deferred strategies post later) or declined; percentiles over the completed jobs (rank floor(q·n), no interpolation)',
  'declined: job ops rejected with a definite answer (insufficient funds, rate limited); they settle the op at its ack, so a job with declines still completes; unsettled: ops lost (accepted, never posted), of unknown fate (timeout, error) or never sent, and a job with any is not completed; per-job figures are in report.json (strategies[].bulk_jobs.by_job)',
];
