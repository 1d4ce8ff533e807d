/**
 * The run report as GitHub-flavoured Markdown (for a pull request or a
 * README): the same tables and figures as the terminal and HTML reports.
 */
import type { RunReport } from '../common/report-types.js';
import { DEFINITIONS, detailTable, provenance, rejectLines, statusLines, summaryTable } from './summary-table.js';
import { escapeMarkdown, markdownTable } from '../common/table.js';
import { TELEMETRY_DEFINITIONS, telemetryTable } from './telemetry-tables.js';
import { BULK_JOB_DEFINITIONS, bulkJobsTable } from './bulk-jobs-table.js';
import { verdictConstraints, verdictIntervalNotes, verdictLines, verdictPick } from './verdict-render.js';

/** The whole report as Markdown (newline-terminated). */
export function renderMarkdown(report: RunReport): string {
  const r = report.run;
  const out = [`# hotbench run ${escapeMarkdown(r.run_id)}: ${escapeMarkdown(r.scenario)} (${r.status})`, '', ...markdownTable(summaryTable(report))];
  const statuses = statusLines(report);
  if (statuses.length > 0) out.push('', ...statuses.map((l) => `- ${escapeMarkdown(l)}`));
  out.push('', '## Details', '', ...markdownTable(detailTable(report)));
  const rejects = rejectLines(report);
  if (rejects.length > 0) out.push('', '### Rejects by reason', '', ...rejects.map((l) => `- ${escapeMarkdown(l)}`));
  out.push('', '## Lock waits, stop delivery and lag', '', ...markdownTable(telemetryTable(report)));
  const jobs = bulkJobsTable(report);
  if (jobs) out.push('', '## Bulk jobs', '', ...markdownTable(jobs));
  out.push('', '## Provenance', '', ...provenance(report).map(([k, v]) => `- **${escapeMarkdown(k)}**: ${escapeMarkdown(v)}`));
  out.push('', '## Definitions', '', ...[...DEFINITIONS, ...TELEMETRY_DEFINITIONS, ...(jobs ? BULK_JOB_DEFINITIONS : [])].map((d) => `- ${escapeMarkdown(d)}`));
  const v = report.verdict;
  out.push('', '## Verdict', '', escapeMarkdown(verdictConstraints(v)), '', ...verdictLines(v).map((l) => `- ${l.mark} **${escapeMarkdown(l.title)}**: ${escapeMarkdown(l.text)}`));
  out.push('', `**${escapeMarkdown(verdictPick(v).replace(/\. .*$/s, '.'))}** ${escapeMarkdown(v.reason)}`);
  for (const line of verdictIntervalNotes(v)) out.push('', `<sub>${escapeMarkdown(line)}</sub>`);
  return `${out.join('\n')}\n`;
}
