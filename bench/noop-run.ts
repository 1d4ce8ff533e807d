/**
 * Shared by the harness's own benchmarks (bench:driver, bench:memory): one
 * hotbench run of the `noop` strategy at a constant offered rate, through the
 * real path (runBenchmark: generator, open-loop driver, record sink,
 * recorder, ClickHouse, report loaded back). Only the strategy is trivial.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StrategyReport } from '../reports/common/report-types.js';
import { StrategyRegistry } from '../strategies/registry.js';
import { resolveRunConfig } from '../runner/config/run-config.js';
import { runBenchmark, type RunBenchmarkResult } from '../runner/api/run.js';
import type { ProgressMode } from '../runner/driver/progress.js';
import { openPostgres } from '../runner/stack/postgres.js';
import { onTeardown } from '../runner/stack/lifecycle.js';
import { noop } from './noop-strategy.js';

/** One noop run. */
export interface NoopRunOptions {
  /** Offered rate, ops/s (constant arrivals). */
  readonly rate: number;
  /** Schedule length, µs. */
  readonly durationUs: number;
  /** Folder for the scenario file, the chdb store (unless `clickhouse`), the spool and the report. */
  readonly dataDir: string;
  /** Max ops in flight. Default 512 (the run default). */
  readonly concurrency?: number;
  /** Late threshold, µs. Default 5,000 (the run default). */
  readonly lateThresholdUs?: number;
  /** External PostgreSQL (a database is created per replay, though noop keeps no ledger); default embedded. */
  readonly pg?: string | undefined;
  /** ClickHouse server URL; default chdb under `dataDir`. */
  readonly clickhouse?: string | undefined;
  /** Recorded as the run's command, e.g. `bench:driver`. */
  readonly command: string;
  readonly progress?: ProgressMode;
  readonly abort: AbortSignal;
  log?(line: string): void;
}

/** What one noop run gave: the run and its only replay, as read back from ClickHouse. */
export interface NoopRun {
  readonly result: RunBenchmarkResult;
  readonly replay: StrategyReport;
}

/** Writes a scenario of 1-unit charges spread uniformly over 1,000 accounts at `rate` ops/s for `durationUs`. */
export function writeConstantScenario(dir: string, rate: number, durationUs: number): string {
  const file = join(dir, `noop-${rate}.yaml`);
  writeFileSync(
    file,
    [
      'name: harness-noop',
      `description: ${rate} charges/s, constant, over 1000 accounts (the harness benchmarks' traffic)`,
      'seed: 1',
      'accounts: { count: 1000, balance: 1000000000000, floor: 0 }',
      `phases: [{ name: steady, duration: ${Math.round(durationUs)}us, arrival: { process: constant, rate: ${rate} } }]`,
      'keys: { hot_share: 0, others: { distribution: uniform } }',
      'mix: { charge: 1 }',
      'amounts: { default: { distribution: fixed, value: 1 } }',
      '',
    ].join('\n'),
  );
  return file;
}

/** Runs `noop` once at `options.rate`; throws when the replay did not complete or the report could not be read back. */
export async function runNoop(options: NoopRunOptions): Promise<NoopRun> {
  const scenario = writeConstantScenario(options.dataDir, options.rate, options.durationUs);
  const config = await resolveRunConfig(
    {
      scenario,
      strategies: 'noop',
      concurrency: options.concurrency ?? 512,
      lateThreshold: `${options.lateThresholdUs ?? 5_000}us`,
      dataDir: options.dataDir,
      out: join(options.dataDir, 'reports'),
      ...(options.pg ? { pg: options.pg } : {}),
      ...(options.clickhouse ? { clickhouse: options.clickhouse } : {}),
    },
    {},
  );
  const result = await runBenchmark(config, {
    registry: new StrategyRegistry().register(noop),
    log: options.log ?? (() => undefined),
    progress: options.progress ?? 'off',
    abort: options.abort,
    command: options.command,
  });
  const replay = result.report?.strategies[0];
  if (replay === undefined) throw new Error(`run ${result.runId} (${result.status}): its report could not be read back from ${result.store}`);
  if (replay.status !== 'completed') throw new Error(`run ${result.runId}: noop ${replay.status}: ${replay.detail}`);
  return { result, replay };
}

/** A PostgreSQL server the bench's runs share: `url` when given, else one embedded server started once (not once per run). */
export interface BenchPostgres {
  /** Pass as each run's `pg` (contains the password: never print it). */
  readonly url: string;
  /** Safe to print. */
  readonly description: string;
  stop(): Promise<void>;
}

/** Opens {@link BenchPostgres}; the embedded server is also stopped on Ctrl-C. */
export async function openBenchPostgres(url: string | undefined): Promise<BenchPostgres> {
  const stack = await openPostgres(url ? { url } : {});
  const unregister = onTeardown(() => stack.stop());
  return {
    url: stack.adminUrl,
    description: stack.description,
    async stop() {
      unregister();
      await stack.stop();
    },
  };
}
