/**
 * Writes a run's report files into one folder: `report.md`, `report.json`
 * and `report.html` (the same numbers in each).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunReport } from '../common/report-types.js';
import { renderHtml, type HtmlOptions } from './render-html.js';
import { renderJsonText } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';

/** Paths of the files {@link writeReports} wrote. */
export interface ReportFiles {
  readonly md: string;
  readonly json: string;
  readonly html: string;
}

/**
 * Renders `report` and writes the three files into `outDir` (created if
 * absent; existing files are replaced). `html` passes extra sections to the
 * HTML renderer. Resolves with the paths written.
 */
export async function writeReports(report: RunReport, outDir: string, html: HtmlOptions = {}): Promise<ReportFiles> {
  await mkdir(outDir, { recursive: true });
  const files: ReportFiles = { md: join(outDir, 'report.md'), json: join(outDir, 'report.json'), html: join(outDir, 'report.html') };
  await Promise.all([
    writeFile(files.md, renderMarkdown(report)),
    writeFile(files.json, renderJsonText(report)),
    writeFile(files.html, renderHtml(report, html)),
  ]);
  return files;
}
