/**
 * The history drawn for the HTML report: one inline SVG (the report's
 * Content-Security-Policy runs no script of a section's own, and an SVG
 * needs none), a line per strategy label over the runs in recorded order,
 * each change point a dashed vertical line at the first run of the new
 * level, labelled with its revision; every point has a tooltip (revision,
 * run, value). Text goes through the report's escaping.
 */
import type { History } from './history.js';
import { describeChange, shortRev } from './render.js';

const WIDTH = 960;
const HEIGHT = 280;
const PAD = { left: 64, right: 40, top: 16, bottom: 40 };
/** Tableau 10, the charts' palette. */
const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a >= 100 ? String(Math.round(v)) : a >= 1 ? v.toFixed(1) : v.toPrecision(2);
}

/** The SVG markup and a list of the change points in words (trusted markup, text escaped). */
export function historyHtml(h: History): string {
  const runs = [...new Map(h.series.flatMap((s) => s.points.map((p) => [p.run_id, p] as const))).values()].sort((a, b) => (a.started_at < b.started_at ? -1 : a.started_at > b.started_at ? 1 : a.run_id < b.run_id ? -1 : 1));
  const xOf = new Map(runs.map((r, i) => [r.run_id, i]));
  const values = h.series.flatMap((s) => s.points.map((p) => p.value)).filter((v): v is number => v !== null);
  if (values.length === 0) return '<p class="note">No recorded run of this scenario has a value for this figure yet.</p>';
  const lo = Math.min(0, ...values);
  const hi = Math.max(...values) * 1.05 || 1;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (runs.length === 1 ? plotW / 2 : (i * plotW) / (runs.length - 1));
  const y = (v: number) => PAD.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const parts: string[] = [];
  for (let t = 0; t <= 4; t++) {
    const v = lo + ((hi - lo) * t) / 4;
    parts.push(`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eaeef2"/>`, `<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#57606a">${esc(fmt(v))}</text>`);
  }
  runs.forEach((r, i) => {
    if (runs.length <= 12 || i % Math.ceil(runs.length / 12) === 0) parts.push(`<text x="${x(i).toFixed(1)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle" font-size="10" fill="#57606a">${esc(shortRev(r.git_rev).slice(0, 7))}</text>`);
  });
  parts.push(`<text x="12" y="${PAD.top + plotH / 2}" font-size="11" fill="#57606a" transform="rotate(-90 12 ${PAD.top + plotH / 2})" text-anchor="middle">${esc(`${h.metric} (${h.unit})`)}</text>`);
  h.series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length]!;
    const pts = s.points.filter((p) => p.value !== null).map((p) => ({ p, px: x(xOf.get(p.run_id)!), py: y(p.value!) }));
    if (pts.length > 1) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((q) => `${q.px.toFixed(1)},${q.py.toFixed(1)}`).join(' ')}"/>`);
    for (const q of pts) parts.push(`<circle cx="${q.px.toFixed(1)}" cy="${q.py.toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${s.label} · ${shortRev(q.p.git_rev)} · ${q.p.run_id} · ${fmt(q.p.value!)} ${h.unit}`)}</title></circle>`);
    for (const c of s.changes) {
      const cx = x(xOf.get(c.run_id)!) - (runs.length > 1 ? plotW / (runs.length - 1) / 2 : 0);
      parts.push(
        `<line class="change-point" x1="${cx.toFixed(1)}" x2="${cx.toFixed(1)}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="${c.worse ? '#cf222e' : '#1a7f37'}" stroke-dasharray="5 4" stroke-width="1.5"><title>${esc(`${s.label}: change at ${shortRev(c.git_rev)}: ${describeChange(c, h.unit)}`)}</title></line>`,
        `<text x="${(cx + 4).toFixed(1)}" y="${PAD.top + 12}" font-size="11" fill="${c.worse ? '#cf222e' : '#1a7f37'}">${esc(`◆ ${shortRev(c.git_rev).slice(0, 7)}`)}</text>`,
      );
    }
  });
  const legend = h.series.map((s, k) => `<span style="color:${COLORS[k % COLORS.length]}">■</span> ${esc(s.label)}`).join(' &nbsp; ');
  const changes = h.series.flatMap((s) => s.changes.map((c) => `<li>${esc(`${s.label}: change at ${shortRev(c.git_rev)} (run ${c.run_id}): ${describeChange(c, h.unit)}`)}</li>`));
  return [
    `<svg class="history" role="img" aria-label="${esc(`${h.metric} by revision`)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" style="max-width:${WIDTH}px" xmlns="http://www.w3.org/2000/svg">`,
    `<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#d0d7de"/>`,
    ...parts,
    '</svg>',
    `<p class="note">${legend}</p>`,
    changes.length > 0 ? `<ul class="history-changes">\n${changes.join('\n')}\n</ul>` : '<p class="note">No change point: no step in this figure stands out from the runs\' noise.</p>',
    `<p class="note">${esc(`${runs.length} complete runs of ${h.scenario}, oldest first, by git revision; change points by ${h.method}.`)}${h.notes.map((n) => ` ${esc(n)}`).join('')}</p>`,
  ].join('\n');
}
