/**
 * The charts' part of the HTML page: the section markup (one container per
 * chart), the CSS, and the scripts at the end of the body: the chart specs as
 * JSON in a `<script type="application/json">` block (never executed; `<`
 * written as \u003c so no text in it can close the block), uPlot inlined
 * from the npm package, and the drawing script. The page's
 * Content-Security-Policy allows exactly these two scripts by their sha256,
 * so the file still loads nothing and runs nothing else.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { RunReport } from '../../common/report-types.js';
import { escapeHtml } from '../../common/escape.js';
import { CHART_DATA_ID, CHART_HEIGHT, CHART_SCRIPT } from './chart-script.js';
import { chartSpecs, type ChartSpec } from './chart-specs.js';

/** What the page needs from the charts. */
export interface ChartPage {
  /** The charts section's body (trusted markup, every text escaped). */
  readonly section: string;
  /** CSS for the charts (uPlot's own included). */
  readonly css: string;
  /** Script tags for the end of the body ('' when there is nothing to chart). */
  readonly scripts: string;
  /** CSP sources for the executable scripts: `'sha256-…'`. */
  readonly scriptSources: readonly string[];
  /** The specs drawn (for tests and size accounting). */
  readonly specs: readonly ChartSpec[];
}

const CSS = `
.chart { margin: 1rem 0 1.5rem; } .chart h3 { font-size: 1rem; margin: 0 0 .2rem; } .chart .plot { min-height: ${CHART_HEIGHT + 40}px; }
.u-legend { font-size: 12px; text-align: left; } .u-legend .u-marker { width: .8em; height: .8em; }
`;

let uplot: { js: string; css: string } | undefined;

/** uPlot's minified script and stylesheet, read once from `node_modules/uplot/dist`. */
function uplotAssets(): { js: string; css: string } {
  if (!uplot) {
    const require = createRequire(import.meta.url);
    const read = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
    const js = read('uPlot.iife.min.js');
    if (/<\/script|<!--/i.test(js)) throw new Error('uPlot.iife.min.js contains </script or <!--: it cannot be inlined as is');
    uplot = { js, css: read('uPlot.min.css') };
  }
  return uplot;
}

/** JSON safe inside a `<script type="application/json">` block. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function sha256Source(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The charts of `report` as page parts. */
export function chartPage(report: RunReport): ChartPage {
  const specs = chartSpecs(report);
  if (specs.length === 0) {
    return { section: '<p class="note">Nothing to chart: no strategy recorded an op.</p>', css: '', scripts: '', scriptSources: [], specs };
  }
  const assets = uplotAssets();
  const section = specs
    .map((s) => `<div class="chart">\n<h3>${escapeHtml(s.title)}</h3>\n<div class="plot" id="${escapeHtml(s.id)}"></div>\n<p class="note">${escapeHtml(s.note)}</p>\n</div>`)
    .join('\n');
  const scripts = [
    `<script type="application/json" id="${CHART_DATA_ID}">${scriptJson(specs)}</script>`,
    `<script>${assets.js}</script>`,
    `<script>${CHART_SCRIPT}</script>`,
  ].join('\n');
  return { section, css: `${assets.css}\n${CSS}`, scripts, scriptSources: [sha256Source(assets.js), sha256Source(CHART_SCRIPT)], specs };
}
