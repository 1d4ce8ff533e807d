/**
 * Times what `hotbench report` does for one run: `loadRunReport` (the
 * ClickHouse queries) and each renderer (terminal, Markdown, JSON, HTML).
 */
import { loadRunReport, type RunReport } from '../reports/run/queries.js';
import type { Store } from '../results/store.js';
import { renderHtml } from '../reports/run/render-html.js';
import { renderJsonText } from '../reports/run/render-json.js';
import { renderMarkdown } from '../reports/run/render-markdown.js';
import { renderTerminal } from '../reports/run/render-terminal.js';

/** Wall times in ms. */
export interface ReportTiming {
  readonly loadMs: number;
  readonly renderMs: { readonly terminal: number; readonly markdown: number; readonly json: number; readonly html: number };
  /** load + every renderer. */
  readonly totalMs: number;
  readonly report: RunReport;
}

/** Loads the report of `runId` from `store` and renders it four ways, timing each step. */
export async function timeReport(store: Store, runId: string): Promise<ReportTiming> {
  const t0 = performance.now();
  const report = await loadRunReport(store, runId);
  const loadMs = performance.now() - t0;
  const time = (render: (r: RunReport) => string): number => {
    const start = performance.now();
    if (render(report).length === 0) throw new Error('a renderer returned nothing');
    return performance.now() - start;
  };
  const renderMs = { terminal: time(renderTerminal), markdown: time(renderMarkdown), json: time(renderJsonText), html: time((r) => renderHtml(r)) };
  return { loadMs, renderMs, totalMs: loadMs + renderMs.terminal + renderMs.markdown + renderMs.json + renderMs.html, report };
}
