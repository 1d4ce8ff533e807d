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
import { summarizePlan } from '../../scenarios/index.js';
import type { StrategyRunRow } from '../../results/rows.js';
import type { RunReport } from '../../reports/run/queries.js';
import type { StrategyRegistry } from '../../strategies/registry.js';
import { recordedConfig, type ResolvedRunConfig } from '../config/run-config.js';
import type { ProgressMode } from '../driver/progress.js';
import { roundOrder } from '../interleave.js';
import { isolateServers, sharedLayout, type IsolationRecord } from '../isolate.js';
import { measureNoiseFloor } from '../noise-floor.js';
import type { PortProviders } from '../stack/needs.js';
import type { PostgresStack } from '../stack/postgres.js';
import { oneLine } from '../errors.js';
import { refuseExternalPostgresFaults } from '../faults/postgres.js';
import { plannedForRun, recordedRun, type RunStatus } from '../lifecycle/recorded-run.js';
import { planStrategies, type PlannedStrategy } from '../replay/plan.js';
import { replayStrategy } from '../replay/replay.js';
import { sharedReplayArgs } from '../replay/args.js';

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
  readonly status: RunStatus;
  /** The report as loaded back from ClickHouse (undefined if the store could not be read back). */
  readonly report: RunReport | undefined;
  /** Paths of report.md / report.json / report.html. */
  readonly files: { readonly md: string; readonly json: string; readonly html: string } | undefined;
  readonly strategies: readonly StrategyRunRow[];
  /** Where the results live, safe to print. */
  readonly store: string;
}

/**
 * What a run records about the machine besides its host facts: the CPU
 * layout (`--isolate` pins the servers and the driver first) and the noise
 * floor (`--noise-floor`, by default with --repeat 2+), measured on the
 * run's own PostgreSQL before the first replay.
 */
async function machineFacts(config: ResolvedRunConfig, postgres: PostgresStack, providers: PortProviders, options: RunBenchmarkOptions): Promise<{ cpu_layout: IsolationRecord; noise_floor: NoiseFloorRecord | null }> {
  // Every server the run has opened by now: PostgreSQL, and Redis and Kafka when a strategy needs them
  // (a replica starts later, on first use, and is not pinned).
  const servers = [{ name: postgres.kind === 'embedded' ? 'embedded PostgreSQL' : 'PostgreSQL (external)', pid: postgres.serverPid?.() }, ...providers.servers()];
  const layout = config.isolate ? isolateServers(servers) : sharedLayout();
  if (config.isolate) options.log(`CPU layout: ${layout.text}`);
  const wanted = config.noiseFloor === 'on' || (config.noiseFloor === 'auto' && config.repeat >= 2);
  if (!wanted) return { cpu_layout: layout, noise_floor: null };
  if (!config.plan.accounts.some((a) => a.hot)) {
    options.log('noise floor: not measured (the scenario names no hot account for pgbench to run on)');
    return { cpu_layout: layout, noise_floor: { measured: false, text: 'not measured: the scenario names no hot account', tps: [], cv: null } };
  }
  options.log(`noise floor: pgbench, atomic's statement on the hot account, ${NOISE_FLOOR_REPEAT} × ${NOISE_FLOOR_SECONDS} s`);
  try {
    const floor = await measureNoiseFloor({ stack: postgres, accounts: config.plan.accounts, clients: config.connections, seconds: NOISE_FLOOR_SECONDS, repeat: NOISE_FLOOR_REPEAT, abort: options.abort, database: `hb_noise_floor_${process.pid}` });
    options.log(`noise floor: ${floor.text}`);
    return { cpu_layout: layout, noise_floor: { measured: true, text: floor.text, tps: floor.tps, cv: floor.cv } };
  } catch (err) {
    options.log(`noise floor: not measured (${oneLine(err)})`);
    return { cpu_layout: layout, noise_floor: { measured: false, text: `not measured: ${oneLine(err)}`, tps: [], cv: null } };
  }
}

/** Repetitions and seconds of the noise floor's pgbench runs (15 s in all: short against a repeated run). */
const NOISE_FLOOR_REPEAT = 3;
const NOISE_FLOOR_SECONDS = 5;

/** The noise floor as recorded in a run's config (`noise_floor`). */
export interface NoiseFloorRecord {
  readonly measured: boolean;
  /** `this machine varies ±X% on its own (...)`, or why it was not measured. */
  readonly text: string;
  /** pgbench tps per repetition. */
  readonly tps: readonly number[];
  /** Their coefficient of variation; null when not measured. */
  readonly cv: number | null;
}

/** Runs the benchmark described by `config`. Throws only before anything is measured (bad input, unreachable server). */
export async function runBenchmark(config: ResolvedRunConfig, options: RunBenchmarkOptions): Promise<RunBenchmarkResult> {
  refuseExternalPostgresFaults(config.faults, config.pgUrl);
  // A run id becomes a report folder and a database name prefix: only the characters `report` accepts.
  const strategies = plannedForRun(config, options.strategies ?? planStrategies(config.strategies, options.registry));
  const summary = summarizePlan(config.plan);

  const run = await recordedRun({
    config,
    ...(options.runId !== undefined ? { runId: options.runId } : {}),
    command: options.command ?? 'hotbench run',
    log: options.log,
    needs: [...new Set(strategies.flatMap((s) => s.needs))],
    // The broker's release: an embedded Kafka is known exactly; an external one says what kafkajs could tell.
    runRow: async ({ postgres, providers }) => ({
      recordedConfig: { ...recordedConfig(config, strategies.map((s) => s.label)), kafka_version: providers.versions().kafka ?? null, ...(await machineFacts(config, postgres, providers, options)) },
      stream: summary,
      scheduleUs: config.plan.durationUs,
    }),
    body: async (ctx) => {
      const shared = sharedReplayArgs(config, ctx, options);
      const rows: StrategyRunRow[] = [];
      let failure: string | undefined;
      outer: for (let rep = 0; rep < config.repeat; rep++) {
        // Rounds rotate the order (A B C, C A B, B C A, ...) so the machine's drift lands on no strategy in particular;
        // `idx` stays the strategy's place in the list, and every replay gets a fresh database (a fresh ledger).
        for (const idx of roundOrder(strategies.length, rep)) {
          const planned = strategies[idx]!;
          if (options.abort.aborted) break outer;
          options.log(`${planned.label}${config.repeat > 1 ? ` (repetition ${rep + 1}/${config.repeat})` : ''}: ${summary.totalOps} ops over ${(config.plan.durationUs / 1e6).toFixed(1)} s`);
          try {
            rows.push(
              await replayStrategy({ ...shared, rep, idx, planned, plan: config.plan, plannedOps: summary.totalOps }),
            );
          } catch (err) {
            failure = oneLine(err); // replayStrategy records its own failures; this is a harness bug
            break outer;
          }
        }
      }
      const status: RunStatus = failure ? 'failed' : options.abort.aborted || rows.some((r) => r.status === 'interrupted') ? 'incomplete' : 'complete';
      return { status, ...(failure !== undefined ? { reason: failure } : {}), value: rows };
    },
  });
  return { runId: run.runId, status: run.status, report: run.report, files: run.files, strategies: run.value, store: run.store };
}
