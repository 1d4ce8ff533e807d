/**
 * The programmatic API behind `hotbench run`: one run = the plan replayed
 * against each chosen strategy (times `repeat`), everything recorded under
 * one run id, then the report rendered from ClickHouse.
 *
 * Nothing measured is lost when a run fails or is interrupted: rows are
 * pushed to the recorder as they happen, the recorder spools what ClickHouse
 * cannot take, and the run ends with a `run_ends` row saying `complete`,
 * `incomplete` or `failed`.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { summarizePlan } from '../scenarios/index.js';
import type { StrategyRunRow } from '../results/rows.js';
import { checkRunId, type RunReport } from '../reports/run/queries.js';
import type { StrategyRegistry } from '../strategies/registry.js';
import { Recorder } from './record/recorder.js';
import { MonotonicClock, wallClockUtc } from './clock.js';
import { recordedConfig, type ResolvedRunConfig } from './config.js';
import type { ProgressMode } from './driver/progress.js';
import { oneLine } from './errors.js';
import { refuseExternalPostgresFaults } from './faults/postgres.js';
import { httpViaOf } from './http/via.js';
import { runRowOf } from './run-row.js';
import { renderRunReports, withRunStack } from './run-stack.js';
import { replayStrategy, type PlannedStrategy } from './replay.js';
import { planStrategies } from './strategy-plan.js';

/** Options for {@link runBenchmark}. */
export interface RunBenchmarkOptions {
  readonly registry: StrategyRegistry;
  /** One line of human progress (not a result). */
  readonly log: (line: string) => void;
  readonly progress: ProgressMode;
  /** Stops the run gracefully (Ctrl-C): partial results recorded, run marked incomplete. */
  readonly abort: AbortSignal;
  /** Recorded as the run's command. Default `hotbench run`. */
  readonly command?: string;
  /** Run id to use (validated); default a new one. */
  readonly runId?: string;
  /** The strategies, already resolved (e.g. by the CLI); default: resolved from `config.strategies`. */
  readonly strategies?: readonly PlannedStrategy[];
}

/** What a run produced. */
export interface RunBenchmarkResult {
  readonly runId: string;
  readonly status: 'complete' | 'incomplete' | 'failed';
  /** The report as loaded back from ClickHouse (undefined if the store could not be read back). */
  readonly report: RunReport | undefined;
  /** Paths of report.md / report.json / report.html. */
  readonly files: { readonly md: string; readonly json: string; readonly html: string } | undefined;
  readonly strategies: readonly StrategyRunRow[];
  /** Where the results live, safe to print. */
  readonly store: string;
}

/** A sortable, readable run id: `20261122-044512-3fa9c1`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Runs the benchmark described by `config`. Throws only before anything is measured (bad input, unreachable server). */
export async function runBenchmark(config: ResolvedRunConfig, options: RunBenchmarkOptions): Promise<RunBenchmarkResult> {
  refuseExternalPostgresFaults(config.faults, config.pgUrl);
  // A run id becomes a report folder and a database name prefix: only the characters `report` accepts.
  const runId = options.runId === undefined ? newRunId() : checkRunId(options.runId);
  const strategies = options.strategies ?? planStrategies(config.strategies, options.registry);
  const summary = summarizePlan(config.plan);

  return withRunStack(config, options.log, async ({ store, postgres, providers }) => {
    const clock = new MonotonicClock();
    // Recorder notes (ClickHouse unavailable, spooling, caught up) go to the terminal AND into the run's
    // events (strategy '' = run-level), so the report says it happened; the recorder writes them like any row.
    const recorder: Recorder = new Recorder(store, {
      spoolDir: join(config.dataDir, 'spool'),
      onNote: (line: string) => {
        options.log(`recorder: ${line}`);
        recorder.push('events', { run_id: runId, strategy: '', rep: 0, at_us: clock.now(), type: 'note', kind: 'recorder', account: -1, detail: line.slice(0, 500) });
      },
    });
    recorder.push(
      'runs',
      await runRowOf({
        runId,
        config,
        recordedConfig: recordedConfig(config, strategies.map((s) => s.label)),
        stream: summary,
        scheduleUs: config.plan.durationUs,
        pgVersion: postgres.version,
        redisVersion: providers.versions().redis ?? '',
        store,
        command: options.command ?? 'hotbench run',
      }),
    );

    const rows: StrategyRunRow[] = [];
    let failure: string | undefined;
    outer: for (let rep = 0; rep < config.repeat; rep++) {
      for (const [idx, planned] of strategies.entries()) {
        if (options.abort.aborted) break outer;
        options.log(`${planned.label}${config.repeat > 1 ? ` (repetition ${rep + 1}/${config.repeat})` : ''}: ${summary.totalOps} ops over ${(config.plan.durationUs / 1e6).toFixed(1)} s`);
        try {
          rows.push(
            await replayStrategy({
              runId,
              rep,
              idx,
              planned,
              plan: config.plan,
              plannedOps: summary.totalOps,
              postgres,
              providers,
              rows: recorder,
              store,
              clock,
              concurrency: config.concurrency,
              connections: config.connections,
              lateThresholdUs: config.lateThresholdUs,
              keepDatabases: config.keepDatabases,
              http: httpViaOf(config),
              faults: config.faults,
              abort: options.abort,
              progress: options.progress,
              log: options.log,
            }),
          );
        } catch (err) {
          failure = oneLine(err); // replayStrategy records its own failures; this is a harness bug
          break outer;
        }
      }
    }

    const status: RunBenchmarkResult['status'] = failure ? 'failed' : options.abort.aborted || rows.some((r) => r.status === 'interrupted') ? 'incomplete' : 'complete';
    recorder.push('run_ends', { run_id: runId, finished_at: wallClockUtc(), status, reason: failure ?? (status === 'incomplete' ? 'interrupted by the user' : '') });
    const closed = await recorder.close();
    if (closed.spooled > 0) {
      options.log(
        `recorder: ClickHouse is still unreachable (${closed.lastError || 'no answer'}): ${closed.spooled} rows are safe in the spool ${closed.spoolDir}; ` +
          `the next \`hotbench run\` with the same --data-dir and --clickhouse writes them first, then \`hotbench report ${runId}\` renders this run`,
      );
    }

    const { report, files } = await renderRunReports(store, runId, join(config.out, runId), options.log);
    return { runId, status, report, files, strategies: rows, store: store.description };
  });
}

