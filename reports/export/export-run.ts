/**
 * `hotbench export <run-id> --format bmf|csv`, as a programmatic API the
 * command (and tests) call: BMF is one JSON document built from the run's
 * report; CSV is the ops streamed from ClickHouse (`./csv.ts`).
 */
import { once } from 'node:events';
import type { Store } from '../../results/store.js';
import { loadRunReport } from '../run/queries.js';
import { runToBmf, verdictIntervals } from './bmf.js';
import { writeOpsCsv } from './csv.js';

/** The formats `export` writes. */
export const EXPORT_FORMATS = ['bmf', 'csv'] as const;

/** One of {@link EXPORT_FORMATS}. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Writes run `runId` in `format` to `out` (not ended: it may be stdout). Resolves with the bytes written. */
export async function exportRun(store: Store, runId: string, format: ExportFormat, out: NodeJS.WritableStream): Promise<number> {
  if (format === 'csv') return (await writeOpsCsv(store, runId, out)).bytes;
  const report = await loadRunReport(store, runId);
  const text = `${JSON.stringify(runToBmf(report, verdictIntervals(report.verdict)), null, 2)}\n`;
  if (!out.write(text)) await once(out as NodeJS.EventEmitter, 'drain');
  return Buffer.byteLength(text);
}
