/**
 * A headline figure of every judged strategy as an inline SVG bar chart with
 * 95% error bars, for the HTML report's verdict: no script (the report's
 * Content-Security-Policy stays as it is), one bar per strategy, the whisker
 * from the interval's low to its high end. Values and title in the catalog
 * metric's name and unit (`p99_ack_ms, ms`; `goodput, ops/s`).
 */
import { escapeHtml } from '../common/escape.js';
import { metricNamed } from '../common/metrics.js';
import type { HeadlineFigure, JudgedStrategy } from '../common/verdict-types.js';

/** Width of the drawing, px. */
const WIDTH = 640;
/** Height of one strategy's row, px. */
const ROW = 22;
/** Space for the labels on the left, px. */
const LABEL_W = 200;
/** Space right of the longest whisker for its `1,234 (1,180–1,290)` label, px (12 px text: ~7 px a character). */
const VALUE_W = 140;

const fmt = (v: number): string => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));

/**
 * `<svg>` of `figure` (titled with its catalog name and unit: `goodput, ops/s
 * (95% CI)`) for the strategies that have it; '' when none has. Labels are escaped.
 */
export function errorBarsSvg(judged: readonly JudgedStrategy[], figure: HeadlineFigure): string {
  const title = `${figure}, ${metricNamed(figure)?.unit ?? ''} (95% CI)`;
  const rows = judged.flatMap((j) => {
    const e = j.intervals.figures[figure];
    return e && Number.isFinite(e.point) ? [{ label: j.label, point: e.point, lo: e.lo, hi: e.hi, interval: e.method !== 'none' }] : [];
  });
  if (rows.length === 0) return '';
  const max = Math.max(...rows.map((r) => r.hi), 1e-9);
  const x = (v: number): number => LABEL_W + ((WIDTH - LABEL_W - VALUE_W) * Math.max(0, v)) / max;
  const height = 20 + rows.length * ROW;
  const body = rows
    .map((r, i) => {
      const y = 20 + i * ROW;
      const mid = y + ROW / 2;
      const whisker = r.interval
        ? `<line class="ci" x1="${x(r.lo).toFixed(1)}" x2="${x(r.hi).toFixed(1)}" y1="${mid}" y2="${mid}"/><line class="ci" x1="${x(r.lo).toFixed(1)}" x2="${x(r.lo).toFixed(1)}" y1="${mid - 5}" y2="${mid + 5}"/><line class="ci" x1="${x(r.hi).toFixed(1)}" x2="${x(r.hi).toFixed(1)}" y1="${mid - 5}" y2="${mid + 5}"/>`
        : '';
      const text = r.interval ? `${fmt(r.point)} (${fmt(r.lo)}–${fmt(r.hi)})` : fmt(r.point);
      return (
        `<text x="${LABEL_W - 6}" y="${mid + 4}" text-anchor="end">${escapeHtml(r.label)}</text>` +
        `<rect class="bar" x="${LABEL_W}" y="${y + 4}" width="${(x(r.point) - LABEL_W).toFixed(1)}" height="${ROW - 8}" opacity="0.55"/>${whisker}` +
        `<text x="${(x(r.hi) + 6).toFixed(1)}" y="${mid + 4}">${escapeHtml(text)}</text>`
      );
    })
    .join('');
  return `<svg class="error-bars" role="img" aria-label="${escapeHtml(title)}" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" xmlns="http://www.w3.org/2000/svg"><text x="0" y="13" font-weight="600">${escapeHtml(title)}</text>${body}</svg>`;
}
