/**
 * The capacity report's public API: load it from ClickHouse, render it,
 * write `capacity.md`, `capacity.json` and `capacity.html` next to a run's
 * other reports. The search itself is in `runner/capacity.ts`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderCapacityHtml } from './render-html.js';
import { renderCapacityJson, renderCapacityMarkdown } from './render.js';
import type { CapacityReport } from './types.js';

export { buildCapacityReport, capacitySettingsOf, loadCapacityReport, parseStepLabel, ratiosOf, stepLabel, stepOf, mergeRepetitions, summarizeSteps } from './build.js';
export { capacityChart, renderCapacityHtml } from './render-html.js';
export { maxText, ratioText, renderCapacityJson, renderCapacityMarkdown, renderCapacityTerminal } from './render.js';
export { capacitySlo, DEFAULT_SLO, defaultLimits, judgeStep, type BreachCategory, type DriverFacts, type CapacitySlo, type SloTerm, type StepJudgement } from './slo.js';
export { driverKey, selectDriverFacts } from './step-sql.js';
export { CAPACITY_COMMAND, CAPACITY_FORMAT, MAX_STEP_US, type CapacityReport, type CapacitySettings, type CapacityStep, type CapacityStrategy } from './types.js';

/** Paths {@link writeCapacityReports} wrote. */
export interface CapacityFiles {
  readonly md: string;
  readonly json: string;
  readonly html: string;
}

/** Writes the three renderings into `outDir` (created if absent). */
export async function writeCapacityReports(report: CapacityReport, outDir: string): Promise<CapacityFiles> {
  await mkdir(outDir, { recursive: true });
  const files: CapacityFiles = { md: join(outDir, 'capacity.md'), json: join(outDir, 'capacity.json'), html: join(outDir, 'capacity.html') };
  await Promise.all([writeFile(files.md, renderCapacityMarkdown(report)), writeFile(files.json, renderCapacityJson(report)), writeFile(files.html, renderCapacityHtml(report))]);
  return files;
}
