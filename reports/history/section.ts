/**
 * The history section of a run's HTML report: the scenario's p99 ack latency
 * across the runs recorded up to this one, with change points, drawn as
 * inline SVG (`./render-svg.ts`). Each earlier run's figure is read from its
 * own report, so the section is skipped (with a note saying how to see it)
 * when those runs are too big to read back quickly.
 */
import type { Store } from '../../results/store.js';
import type { HtmlSection } from '../run/render-html.js';
import type { RunReport } from '../common/report-types.js';
import { loadHistory } from './history.js';
import { historyHtml } from './render-svg.js';

/** Runs drawn, newest first. */
export const REPORT_HISTORY_RUNS = 20;
/** Most ops (planned ops × replays, summed over the runs drawn) read back for the section. */
export const REPORT_HISTORY_MAX_OPS = 5_000_000;

/**
 * The section for `report`, or undefined when this is the scenario's first
 * recorded run (nothing to draw a history of).
 */
export async function historySection(store: Store, report: RunReport): Promise<HtmlSection | undefined> {
  const run = report.run;
  const sizes = await store.query<{ n: number; ops: number }>(
    `SELECT count() AS n, sum(r.planned_ops * s.replays) AS ops FROM (SELECT run_id, planned_ops FROM runs WHERE scenario = {scenario:String} AND started_at <= toDateTime({until:String}, 'UTC') ORDER BY started_at DESC LIMIT {limit:UInt32}) AS r
     ANY LEFT JOIN (SELECT run_id, count() AS replays FROM strategy_runs GROUP BY run_id) AS s USING run_id`,
    { scenario: run.scenario, until: run.started_at, limit: REPORT_HISTORY_RUNS },
  );
  const { n, ops } = sizes[0] ?? { n: 0, ops: 0 };
  if (n < 2) return undefined;
  const title = `History: ack p99 of ${run.scenario} by revision`;
  if (ops > REPORT_HISTORY_MAX_OPS) {
    return { id: 'history', title, after: 'figures', html: `<p class="note">The last ${n} runs of this scenario hold ${ops} ops, too many to read back for this page; see \`hotbench history --scenario ${escape(run.scenario)}\`.</p>` };
  }
  const history = await loadHistory(store, { scenario: run.scenario, until: run.started_at, include: run.run_id, limit: REPORT_HISTORY_RUNS });
  return { id: 'history', title, after: 'figures', html: historyHtml(history) };
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
