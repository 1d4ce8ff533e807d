/**
 * The history as text for a terminal or Markdown for a job summary: per
 * strategy, one line per run (revision, run id, start, value), the first
 * run of each new level marked with the change, its size and its p-value.
 */
import type { History, HistoryChange, HistorySeries } from './history.js';

function value(v: number | null, unit: string): string {
  if (v === null) return '–';
  const a = Math.abs(v);
  const text = a >= 100 ? String(Math.round(v)) : a >= 1 ? v.toFixed(2) : v.toPrecision(2);
  return `${text} ${unit}`;
}

/** `+52.3% (12.0 → 18.3 ms), worse, p = 0.005`. */
export function describeChange(c: HistoryChange, unit: string): string {
  const pct = c.relative_change === null ? '' : `${c.relative_change >= 0 ? '+' : ''}${(c.relative_change * 100).toFixed(1)}% `;
  return `${pct}(${value(c.before_mean, unit)} → ${value(c.after_mean, unit)}), ${c.worse ? 'worse' : 'better'}, p = ${c.p_value.toPrecision(2)}`;
}

/** The short form of a recorded revision: 10 hex digits, `+dirty` kept. */
export function shortRev(rev: string): string {
  if (rev === '') return '(no git)';
  const [sha, dirty] = rev.split('+');
  return `${sha!.slice(0, 10)}${dirty ? `+${dirty}` : ''}`;
}

function rowsOf(s: HistorySeries, unit: string): { cells: string[]; change: HistoryChange | undefined }[] {
  return s.points.map((p, i) => {
    const change = s.changes.find((c) => c.index === i);
    return { cells: [shortRev(p.git_rev), p.run_id, p.started_at, value(p.value, unit)], change };
  });
}

function header(h: History): string {
  return `history of ${h.metric} (${h.unit}) for scenario ${h.scenario}${h.branch !== null ? ` on branch ${h.branch}` : ''}, oldest first; change points by ${h.method}`;
}

/** Terminal text. */
export function renderHistoryText(h: History): string {
  const out = [header(h)];
  for (const s of h.series) {
    out.push('', `${s.label}: ${s.changes.length === 0 ? 'no change point' : `${s.changes.length} change point${s.changes.length === 1 ? '' : 's'}`}`);
    const rows = rowsOf(s, h.unit);
    const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r.cells[c]!.length)));
    for (const r of rows) {
      const line = r.cells.map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
      out.push(`  ${r.change ? '◆' : ' '} ${line}${r.change ? `  ◆ change: ${describeChange(r.change, h.unit)}` : ''}`);
    }
  }
  for (const n of h.notes) out.push('', `note: ${n}`);
  return `${out.join('\n')}\n`;
}

/** Markdown (a job summary, a PR comment). */
export function renderHistoryMarkdown(h: History): string {
  const esc = (t: string) => t.replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`);
  const out = [`### ${esc(header(h))}`];
  for (const s of h.series) {
    out.push('', `**${esc(s.label)}**: ${s.changes.length === 0 ? 'no change point' : s.changes.map((c) => `change at ${esc(shortRev(c.git_rev))} (${esc(c.run_id)}): ${esc(describeChange(c, h.unit))}`).join('; ')}`, '');
    out.push('| revision | run | started (UTC) | value | change |', '| --- | --- | --- | ---: | --- |');
    for (const r of rowsOf(s, h.unit)) out.push(`| ${r.cells.map(esc).join(' | ')} | ${r.change ? `◆ ${esc(describeChange(r.change, h.unit))}` : ''} |`);
  }
  for (const n of h.notes) out.push('', `> note: ${esc(n)}`);
  return `${out.join('\n')}\n`;
}
