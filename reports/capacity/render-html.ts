/**
 * The capacity report as ONE self-contained HTML file: inline CSS and an
 * inline SVG chart (offered rate → p99 ack latency, both axes logarithmic,
 * the SLO's latency bound dashed, each strategy's knee ringed, failing steps
 * hollow), no script, no network, so it opens offline and from CI artifacts.
 * Same tables and figures as the terminal and Markdown renderings.
 */
import { formatInt } from '../common/format.js';
import { escapeHtml } from '../common/escape.js';
import { htmlTable } from '../common/table.js';
import { curveTable, maxText, ratioText, stepLengthText, summaryTable } from './render.js';
import { capacitySlo } from './slo.js';
import type { CapacityReport, CapacityStrategy } from './types.js';

const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const W = 760;
const H = 380;
const PAD = { left: 64, right: 16, top: 16, bottom: 44 };

/** Tick values on a log axis between lo and hi: 1, 2, 5 × powers of ten. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  return ticks;
}

function tickText(v: number): string {
  return v >= 1000 ? `${v / 1000}k` : String(v);
}

/** The rate → p99 chart as inline SVG ('' when no step has a latency). */
export function capacityChart(c: CapacityReport): string {
  const points = c.strategies.flatMap((s) => s.steps.filter((st) => st.ack_us.p99 !== null && st.ack_us.p99 > 0));
  if (points.length === 0) return '';
  const bound = capacitySlo(c.settings.slo).terms.find((t) => t.metric === 'p99_ack_ms');
  const ys = points.map((p) => p.ack_us.p99! / 1000).concat(bound ? [bound.bound / 1000] : []);
  const xs = points.map((p) => p.rate_per_s);
  const [x0, x1] = [Math.min(...xs) / 1.3, Math.max(...xs) * 1.3];
  const [y0, y1] = [Math.max(0.01, Math.min(...ys) / 1.5), Math.max(...ys) * 1.5];
  const px = (x: number) => PAD.left + ((Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * (W - PAD.left - PAD.right);
  const py = (y: number) => H - PAD.bottom - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [];
  for (const t of logTicks(x0, x1)) parts.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#eaeef2"/><text x="${px(t)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${tickText(t)}</text>`);
  for (const t of logTicks(y0, y1)) parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${py(t)}" y2="${py(t)}" stroke="#eaeef2"/><text x="${PAD.left - 6}" y="${py(t) + 4}" text-anchor="end">${tickText(t)}</text>`);
  if (bound) parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${py(bound.bound / 1000)}" y2="${py(bound.bound / 1000)}" stroke="#cf222e" stroke-dasharray="6 4"/><text x="${W - PAD.right}" y="${py(bound.bound / 1000) - 5}" text-anchor="end" fill="#cf222e">SLO ${escapeHtml(bound.text)}</text>`);
  c.strategies.forEach((s, i) => parts.push(strategyMarks(s, COLORS[i % COLORS.length]!, px, py)));
  parts.push(`<text x="${(W + PAD.left) / 2}" y="${H - 8}" text-anchor="middle">offered rate, ops/s (log)</text>`);
  parts.push(`<text transform="translate(14 ${(H - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">p99 ack latency, ms (log)</text>`);
  const legend = c.strategies
    .map((s, i) => `<span style="color:${COLORS[i % COLORS.length]}">●</span> ${escapeHtml(s.label)} (max ${escapeHtml(maxText(s, c.settings.start_per_s))})`)
    .join(' &nbsp; ');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-size="11" font-family="system-ui, sans-serif" role="img" aria-label="offered rate against p99 ack latency">${parts.join('')}</svg>
<p class="note">${legend}<br>Filled: step within the SLO; hollow: step broke it; ringed: the knee (highest rate within the SLO).</p>`;
}

function strategyMarks(s: CapacityStrategy, color: string, px: (x: number) => number, py: (y: number) => number): string {
  const steps = s.steps.filter((st) => st.ack_us.p99 !== null && st.ack_us.p99 > 0);
  const line = steps.map((st) => `${px(st.rate_per_s).toFixed(1)},${py(st.ack_us.p99! / 1000).toFixed(1)}`).join(' ');
  const dots = steps
    .map((st) => {
      const [x, y] = [px(st.rate_per_s).toFixed(1), py(st.ack_us.p99! / 1000).toFixed(1)];
      const title = `<title>${escapeHtml(`${s.label} at ${st.rate_per_s}/s: p99 ${(st.ack_us.p99! / 1000).toFixed(1)} ms, ${st.verdict}`)}</title>`;
      const knee = s.knee_per_s === st.rate_per_s && st.verdict === 'pass' ? `<circle cx="${x}" cy="${y}" r="8" fill="none" stroke="${color}" stroke-width="2"/>` : '';
      return `${knee}<circle cx="${x}" cy="${y}" r="4" fill="${st.verdict === 'pass' ? color : '#fff'}" stroke="${color}" stroke-width="2">${title}</circle>`;
    })
    .join('');
  return `<polyline points="${line}" fill="none" stroke="${color}" stroke-width="1.5"/>${dots}`;
}

const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 80rem; padding: 0 1rem; color: #1b1f24; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; margin: .5rem 0; font-variant-numeric: tabular-nums; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #eaeef2; text-align: left; white-space: nowrap; }
th { background: #f6f8fa; } td.num, th.num { text-align: right; } .scroll { overflow-x: auto; } .note { color: #57606a; font-size: .9em; }
.summary td:last-child { white-space: normal; min-width: 24rem; }
`;

/** The whole page. */
export function renderCapacityHtml(c: CapacityReport): string {
  const s = c.settings;
  const sections = [
    `<h1>hotbench capacity ${escapeHtml(c.run.run_id)}: ${escapeHtml(c.run.scenario)} (${escapeHtml(c.run.status)})</h1>`,
    `<p class="note">SLO ${escapeHtml(c.slo)} · steps from ${formatInt(s.start_per_s)}/s ×${s.factor} up to ${formatInt(s.max_per_s)}/s, ${s.bisect} bisection steps; ${escapeHtml(stepLengthText(s))} · git ${escapeHtml(c.run.git.branch)} @ ${escapeHtml(c.run.git.rev)} · host ${escapeHtml(c.run.host.name)} (${c.run.host.cores} cores)</p>`,
    `<div class="scroll">${htmlTable(summaryTable(c), 'summary')}</div>`,
    c.ratios.length > 0 ? `<p><strong>${c.ratios.map((r) => escapeHtml(ratioText(r))).join('<br>')}</strong></p>` : '',
    capacityChart(c),
    ...c.strategies.map((st) => `<h2>${escapeHtml(`${st.label} [${st.backend || '?'}]`)}</h2><div class="scroll">${htmlTable(curveTable(st))}</div>`),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>hotbench capacity ${escapeHtml(c.run.run_id)}</title><style>${CSS}</style></head>
<body>
${sections.filter((x) => x !== '').join('\n')}
</body></html>
`;
}
