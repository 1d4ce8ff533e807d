/**
 * The run report for a terminal: the comparison table with aligned columns,
 * why any strategy did not complete, rejects by reason, and provenance.
 * Plain text, no colour codes (it is also piped to files and CI logs).
 */
import type { RunReport } from '../common/report-types.js';
import { provenance, rejectLines, statusLines, summaryTable } from './summary-table.js';
import { alignTable } from '../common/table.js';
import { telemetryTable } from './telemetry-tables.js';
import { bulkJobsTable } from './bulk-jobs-table.js';
import { verdictConstraints, verdictIntervalNotes, verdictLines, verdictPick } from './verdict-render.js';

/** The whole report as terminal text (newline-terminated). */
export function renderTerminal(report: RunReport): string {
  const out = [`hotbench run ${report.run.run_id}: ${report.run.scenario} (${report.run.status})`, '', ...alignTable(summaryTable(report))];
  const statuses = statusLines(report);
  if (statuses.length > 0) out.push('', ...statuses);
  const rejects = rejectLines(report);
  if (rejects.length > 0) out.push('', 'rejects by reason:', ...rejects.map((l) => `  ${l}`));
  out.push('', 'lock waits, stop delivery and lag:', ...alignTable(telemetryTable(report)));
  const jobs = bulkJobsTable(report);
  if (jobs) out.push('', 'bulk jobs (first op intended → last op posted or declined):', ...alignTable(jobs));
  const pairs = provenance(report);
  const labelWidth = Math.max(...pairs.map(([k]) => k.length));
  out.push('', ...pairs.map(([k, v]) => `${k.padEnd(labelWidth)}  ${v}`));
  const lines = verdictLines(report.verdict);
  const titleWidth = Math.max(0, ...lines.map((l) => [...l.title].length));
  out.push('', 'verdict', verdictConstraints(report.verdict), ...lines.map((l) => `${l.mark} ${l.title}${' '.repeat(titleWidth - [...l.title].length)}  ${l.text}`), verdictPick(report.verdict), ...verdictIntervalNotes(report.verdict));
  return `${out.join('\n')}\n`;
}
