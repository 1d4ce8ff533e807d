/**
 * The run's verdict as Markdown for a CI job summary (`GITHUB_STEP_SUMMARY`):
 * the answer first (the pick, or none, with the reason), then one line per
 * strategy and how its intervals were made, from the same verdict lines every report
 * renders, so the summary never says something the report does not.
 */
import type { RunReport } from '../common/report-types.js';
import { escapeMarkdown } from '../common/table.js';
import { verdictConstraints, verdictIntervalNotes, verdictLines } from '../run/verdict-render.js';

/** `### hotbench run <id> (<scenario>): pick <label>` and the verdict under it. */
export function renderVerdictMarkdown(report: Pick<RunReport, 'run' | 'verdict'>): string {
  const v = report.verdict;
  const out = [
    `### hotbench run ${escapeMarkdown(report.run.run_id)} (${escapeMarkdown(report.run.scenario)}): pick ${escapeMarkdown(v.pick ?? 'none')}`,
    '',
    `**pick: ${escapeMarkdown(v.pick ?? 'none')}.** ${escapeMarkdown(v.reason)}`,
    '',
    ...verdictLines(v).map((l) => `- ${l.mark} **${escapeMarkdown(l.title)}**: ${escapeMarkdown(l.text)}`),
  ];
  for (const line of verdictIntervalNotes(v)) out.push('', `> ${escapeMarkdown(line)}`);
  out.push('', escapeMarkdown(verdictConstraints(v)));
  return `${out.join('\n')}\n`;
}
