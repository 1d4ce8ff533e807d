/**
 * The programmatic API behind `hotbench sweep`: one cell is one ordinary run
 * of one strategy at one rate scale and pool size, recorded under the run id
 * `<sweep-id>-c<cell>`, plus a `sweep_cells` row placing it in the grid.
 * Cells are independent, so the same call serves a local worker process and
 * a pod of an Indexed Job (`--cell $(JOB_COMPLETION_INDEX)`).
 */
import { randomBytes } from 'node:crypto';
import { openStore } from '../../results/open-store.js';
import type { StrategyRegistry } from '../../strategies/registry.js';
import { wallClockUtc } from '../clock.js';
import { resolveRunConfig } from '../config/run-config.js';
import type { RunOptions } from '../config/options.js';
import type { ProgressMode } from '../driver/progress.js';
import { UserError } from '../errors.js';
import { runBenchmark, type RunBenchmarkResult } from '../api/run.js';
import { resultsStoreOf } from '../lifecycle/run-stack.js';
import type { SweepCell } from './grid.js';

/** A sortable sweep id, `sweep-20261207-183000-3fa9c1`; cell runs are `<id>-c<cell>`. */
export function newSweepId(now = new Date()): string {
  return `sweep-${now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${randomBytes(3).toString('hex')}`;
}

/** The run id of a cell. */
export function cellRunId(sweepId: string, cell: number): string {
  return `${sweepId}-c${cell}`;
}

/** Options for {@link runSweepCell}. */
export interface SweepCellOptions {
  readonly registry: StrategyRegistry;
  readonly sweepId: string;
  readonly cells: readonly SweepCell[];
  /** Which cell (0-based). */
  readonly cell: number;
  /** The run options every cell shares (scenario, duration, servers...); the cell sets strategies, rate scale and connections. */
  readonly base: RunOptions;
  readonly log: (line: string) => void;
  readonly progress: ProgressMode;
  readonly abort: AbortSignal;
}

/** Runs one cell and records where it sits in the grid. */
export async function runSweepCell(o: SweepCellOptions): Promise<RunBenchmarkResult> {
  const cell = o.cells[o.cell];
  if (cell === undefined) throw new UserError(`--cell ${o.cell}: the sweep has cells 0..${o.cells.length - 1}; give one of those (a Job's completions must equal the cell count)`);
  const config = await resolveRunConfig({ ...o.base, strategies: cell.strategy, rateScale: cell.rateScale, connections: cell.connections });
  const runId = cellRunId(o.sweepId, cell.index);
  o.log(`cell ${cell.index}/${o.cells.length}: ${cell.strategy}, rate × ${cell.rateScale}, ${cell.connections} connections (run ${runId})`);
  const result = await runBenchmark(config, { registry: o.registry, log: o.log, progress: o.progress, abort: o.abort, runId, command: 'hotbench sweep --cell' });
  // The run is recorded whatever happened; this row only places it in the grid.
  const store = await openStore(resultsStoreOf(config));
  try {
    await store.migrate();
    await store.insert('sweep_cells', [
      { sweep_id: o.sweepId, cell: cell.index, cells: o.cells.length, run_id: runId, strategy: cell.strategy, rate_scale: cell.rateScale, connections: cell.connections, status: result.status, written_at: wallClockUtc() },
    ]);
  } finally {
    await store.close();
  }
  return result;
}
