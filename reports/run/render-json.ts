/**
 * The run report as JSON: the RunReport itself (see `report-types.ts` for
 * every field and its unit), with object keys in alphabetical order at every
 * level so two reports diff line by line.
 */
import type { RunReport } from '../common/report-types.js';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** The report with its keys in stable (alphabetical) order: ready for `JSON.stringify`. */
export function renderJson(report: RunReport): RunReport {
  return sortKeys(report) as RunReport;
}

/** `report.json`'s text: {@link renderJson}, two-space indented, newline-terminated. */
export function renderJsonText(report: RunReport): string {
  return `${JSON.stringify(renderJson(report), null, 2)}\n`;
}
