/**
 * The run report as ONE self-contained HTML file: inline CSS, the charts'
 * scripts inlined (uPlot and the drawing script, see `html/chart-page.ts`),
 * no network (a Content-Security-Policy forbids fetching anything and runs
 * only those two scripts, by hash), so it opens offline and from CI
 * artifacts. It leads with the answer (the pick, "too close to call", or
 * none qualifies, with the reason and one line per strategy), then shows
 * the same tables and figures as the terminal and Markdown reports, the
 * charts, and ends with the verdict in full (the constraints it judged by).
 *
 * Every interpolated string goes through {@link escapeHtml}; chart data goes
 * through a JSON block. Extension point: callers add sections (comparisons)
 * with `options.sections`; a section's `html` is trusted markup, so build it
 * with `escapeHtml` for text and inline SVG for graphics (scripts of their
 * own would be blocked by the policy).
 */
import type { RunReport } from '../common/report-types.js';
import { chartPage } from './html/chart-page.js';
import { escapeHtml } from '../common/escape.js';
import { DEFINITIONS, detailTable, provenance, rejectLines, statusLines, summaryTable } from './summary-table.js';
import { htmlTable } from '../common/table.js';
import { TELEMETRY_DEFINITIONS, telemetryTable } from './telemetry-tables.js';
import { BULK_JOB_DEFINITIONS, bulkJobsTable } from './bulk-jobs-table.js';
import { verdictConstraints, verdictIntervalNotes, verdictLines, verdictPick } from './verdict-render.js';
import { errorBarsSvg } from '../noise/error-bars-svg.js';

/** The built-in sections, in page order; extra sections are placed after one of them. */
export type BuiltInSection = 'summary' | 'figures' | 'details' | 'telemetry' | 'jobs' | 'provenance' | 'verdict';

/** A section added by a caller (e.g. latency charts). */
export interface HtmlSection {
  /** Anchor id, `[a-z0-9-]+`. */
  readonly id: string;
  /** Heading text (escaped here). */
  readonly title: string;
  /** Body markup, trusted: escape every piece of text in it with {@link escapeHtml}. */
  readonly html: string;
  /** The built-in section it follows. Default `summary`. */
  readonly after?: BuiltInSection;
}

/** Options of {@link renderHtml}. */
export interface HtmlOptions {
  readonly sections?: readonly HtmlSection[];
}

const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 80rem; padding: 0 1rem; color: #1b1f24; background: #fff; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; } h2 { font-size: 1.1rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
.sub { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; margin: .5rem 0; font-variant-numeric: tabular-nums; font-size: .9em; }
th, td { padding: .25rem .3rem; border-bottom: 1px solid #eaeef2; text-align: left; white-space: nowrap; }
th { background: #f6f8fa; font-weight: 600; white-space: normal; vertical-align: bottom; min-width: 3.5rem; } td.num, th.num { text-align: right; }
.scroll { overflow-x: auto; } ul { padding-left: 1.2rem; } dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { color: #57606a; } dd { margin: 0; word-break: break-all; } .note { color: #57606a; font-size: .9em; }
.status-complete { color: #1a7f37; } .status-incomplete { color: #9a6700; } .status-failed { color: #cf222e; }
.verdict li { list-style: none; margin-left: -1.2rem; } .mark-ok { color: #1a7f37; } .mark-uncertain { color: #9a6700; } .mark-fail { color: #cf222e; } .mark-none { color: #57606a; }
svg.error-bars { display: block; margin: .6rem 0; font: 12px system-ui, sans-serif; } svg.error-bars .bar { fill: #4e79a7; } svg.error-bars .ci { stroke: #1b1f24; stroke-width: 1.5; }
.pick { font-size: 1.05rem; padding: .5rem .8rem; background: #f6f8fa; border-left: 4px solid #4e79a7; }
#answer { margin: 1rem 0 1.5rem; padding: .8rem 1rem; border: 1px solid #d0d7de; border-left: 6px solid #4e79a7; border-radius: 6px; background: #f6f8fa; }
#answer.answer-none { border-left-color: #cf222e; } #answer.answer-close { border-left-color: #9a6700; }
#answer .headline { font-size: 1.5rem; font-weight: 650; margin: 0 0 .3rem; } #answer p { margin: .3rem 0; } #answer ul { margin: .4rem 0 0; }
`;

/** What the run answers, in three words: a pick, too close to call, or nothing qualifies. */
export function answerHeadline(v: RunReport['verdict']): { readonly kind: 'pick' | 'close' | 'none'; readonly text: string } {
  if (v.pick !== null) return { kind: 'pick', text: `Pick: ${v.pick}` };
  // Strategies qualified but none was picked: the verdict could not separate them.
  if (v.qualified.length > 0 || /too close to call/i.test(v.reason)) return { kind: 'close', text: 'Too close to call' };
  return { kind: 'none', text: 'No strategy meets every constraint' };
}

/** The answer block at the top of the page: headline, reason, the goodput error bars, one line per strategy. */
function answerBlock(v: RunReport['verdict']): string {
  const head = answerHeadline(v);
  const markClass = { '✓': 'mark-ok', '?': 'mark-uncertain', '✗': 'mark-fail', '–': 'mark-none' } as const;
  return [
    `<section id="answer" class="answer-${head.kind}" aria-label="answer">`,
    `<p class="headline">${escapeHtml(head.text)}</p>`,
    `<p>${escapeHtml(v.reason)}</p>`,
    // The answer's error bars: the deciding figures with their 95% intervals.
    errorBarsSvg(v.judged, 'goodput'),
    `<ul class="verdict">\n${verdictLines(v)
      .map((l) => `<li><span class="${markClass[l.mark]}">${escapeHtml(l.mark)}</span> <strong>${escapeHtml(l.title)}</strong>: ${escapeHtml(l.text)}</li>`)
      .join('\n')}\n</ul>`,
    `<p class="note">Details below; the constraints judged by are in the Verdict section at the end.</p>`,
    '</section>',
  ].join('\n');
}

function section(id: string, title: string, body: string): string {
  return `<section id="${escapeHtml(id)}">\n<h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

function list(lines: readonly string[]): string {
  return `<ul>\n${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('\n')}\n</ul>`;
}

/** The whole report as one HTML document. */
export function renderHtml(report: RunReport, options: HtmlOptions = {}): string {
  const r = report.run;
  const statuses = statusLines(report);
  const rejects = rejectLines(report);
  const charts = chartPage(report);
  const verdict = report.verdict;
  const jobs = bulkJobsTable(report);
  const markClass = { '✓': 'mark-ok', '?': 'mark-uncertain', '✗': 'mark-fail', '–': 'mark-none' } as const;
  const builtIn: Record<BuiltInSection, string> = {
    summary: section(
      'summary',
      'Strategies',
      `<div class="scroll">${htmlTable(summaryTable(report), 'summary')}</div>${statuses.length > 0 ? `\n${list(statuses)}` : ''}`,
    ),
    details: section(
      'details',
      'Details',
      `<div class="scroll">${htmlTable(detailTable(report), 'details')}</div>${rejects.length > 0 ? `\n<h3>Rejects by reason</h3>\n${list(rejects)}` : ''}\n<div class="note">${list(DEFINITIONS)}</div>`,
    ),
    figures: section('figures', 'Charts', charts.section),
    telemetry: section('telemetry', 'Lock waits, stop delivery and lag', `<div class="scroll">${htmlTable(telemetryTable(report), 'telemetry')}</div>\n<div class="note">${list(TELEMETRY_DEFINITIONS)}</div>`),
    // Only runs with bulk jobs (a scenario with `jobs`) have this section.
    jobs: jobs ? section('bulk-jobs', 'Bulk jobs', `<div class="scroll">${htmlTable(jobs, 'bulk-jobs')}</div>\n<div class="note">${list(BULK_JOB_DEFINITIONS)}</div>`) : '',
    provenance: section('provenance', 'Provenance', `<dl>\n${provenance(report).map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('\n')}\n</dl>`),
    verdict: section(
      'verdict',
      'Verdict',
      `<p>${escapeHtml(verdictConstraints(verdict))}</p>\n<ul class="verdict">\n${verdictLines(verdict)
        .map((l) => `<li><span class="${markClass[l.mark]}">${escapeHtml(l.mark)}</span> <strong>${escapeHtml(l.title)}</strong>: ${escapeHtml(l.text)}</li>`)
        .join('\n')}\n</ul>\n<p class="pick"><strong>${escapeHtml(verdictPick(verdict).replace(/\. .*$/s, '.'))}</strong> ${escapeHtml(verdict.reason)}</p>` +
        `\n${errorBarsSvg(verdict.judged, 'goodput')}\n${errorBarsSvg(verdict.judged, 'p99_ack_ms')}` +
        verdictIntervalNotes(verdict).map((line) => `\n<p class="note">${escapeHtml(line)}</p>`).join(''),
    ),
  };
  const extra = options.sections ?? [];
  for (const s of extra) if (!/^[a-z0-9-]+$/.test(s.id)) throw new Error(`HTML section id ${JSON.stringify(s.id)} must match [a-z0-9-]+`);
  const body = (['summary', 'figures', 'details', 'telemetry', 'jobs', 'provenance', 'verdict'] as const).flatMap((name) => [
    ...(builtIn[name] ? [builtIn[name]] : []),
    ...extra.filter((s) => (s.after ?? 'summary') === name).map((s) => section(s.id, s.title, s.html)),
  ]);
  const title = `hotbench run ${r.run_id}: ${r.scenario}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:${charts.scriptSources.length > 0 ? `; script-src ${charts.scriptSources.join(' ')}` : ''}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}${charts.css}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="sub"><span class="status-${escapeHtml(r.status)}">${escapeHtml(r.status)}</span> · started ${escapeHtml(r.started_at)} UTC · ${escapeHtml(r.command)}</p>
${answerBlock(verdict)}
${body.join('\n')}
${charts.scripts}
</body>
</html>
`;
}
