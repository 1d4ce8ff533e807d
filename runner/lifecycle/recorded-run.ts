/**
 * One recorded run, from opening its stack to rendering its report, written
 * once for every command that records (`run`, `capacity`, `blast`, and any
 * later one: shards, sweeps, history):
 *
 *   open the stack → recorder → `runs` row → the command's body → `run_ends`
 *   → close the recorder (spooling what ClickHouse could not take) → close
 *   the stack → render the report from ClickHouse.
 *
 * A command supplies only what differs: what its `runs` row describes, the
 * body (which pushes rows to the recorder and says how the run ended), and,
 * if its report is not the plain run report, how to render it.
 *
 * The recorder's notes (ClickHouse unavailable, spooling, caught up) go to
 * the terminal and into the run's events (strategy '' = run-level), for
 * every command, so a report says it happened.
 *
 * To add a recorded command: call {@link recordedRun} (or
 * {@link recordedStoreRun} when it needs no PostgreSQL and no providers, as
 * `blast`), plan its strategies with {@link plannedForRun} so `--via` is
 * honoured, and return a {@link RunEnd} from the body.
 */
import type { Need } from '../../strategies/contract.js';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { RunReport } from '../../reports/run/queries.js';
import type { RunStatus } from '../../reports/common/report-types.js';
import { checkRunId } from '../../reports/run/queries.js';
import { openStore } from '../../results/open-store.js';
import type { Store } from '../../results/store.js';
import type { RunRow } from '../../results/rows.js';
import { MonotonicClock, wallClockUtc } from '../clock.js';
import type { ResolvedRunConfig } from '../config/run-config.js';
import { oneLine, UserError } from '../errors.js';
import { httpViaOf, plannedVia } from '../http/via.js';
import type { PlannedStrategy } from '../replay/plan.js';
import { Recorder } from '../record/recorder.js';
import { runRowOf, type RunRowFacts } from './run-row.js';
import { renderRunReports, resultsStoreOf, withRunStack, type RunStack } from './run-stack.js';

/** How a recorded run ended: the run report's own status type (reports/common/report-types.ts), written once. */
export type { RunStatus } from '../../reports/common/report-types.js';

/** What the body returns: how the run ended, and the command's own result. */
export interface RunEnd<T> {
  readonly status: RunStatus;
  /** Why it failed; default for `incomplete`: interrupted by the user. */
  readonly reason?: string;
  readonly value: T;
}

/** What a body works with. */
export interface RecordedRunContext {
  readonly runId: string;
  readonly store: Store;
  /** Every row goes here; the recorder spools what ClickHouse cannot take. */
  readonly recorder: Recorder;
  /** The run's monotonic clock (time 0 when the recorder opened); replays offset their schedule clocks from it. */
  readonly clock: MonotonicClock;
  /** The run's `runs` row: recorded already, or, for a {@link RecordedRunSpec.partOfRun part}, for the body to pass on. */
  readonly runRow: RunRow;
}

/** The rendered reports' files, e.g. `{ md, json, html }`; `undefined` when they could not be rendered. */
export interface Rendered<R, F> {
  readonly report: R | undefined;
  readonly files: F | undefined;
}

/** What every recorded command gives the lifecycle. */
export interface RecordedRunSpec<S, T, R, F> {
  readonly config: ResolvedRunConfig;
  /** Run id to use (validated); default a new one. */
  readonly runId?: string;
  /** Recorded as the run's command, e.g. `hotbench run`. */
  readonly command: string;
  log(line: string): void;
  /** What the planned strategies need: a part hotbench would start (an embedded Kafka) is started only if needed. Default: everything. */
  readonly needs?: readonly Need[];
  /** What the `runs` row says besides the machine and the versions (called once the stack is open; may measure first, e.g. the noise floor). */
  runRow(stack: S): Pick<RunRowFacts, 'recordedConfig' | 'stream' | 'scheduleUs'> | Promise<Pick<RunRowFacts, 'recordedConfig' | 'stream' | 'scheduleUs'>>;
  /** The run itself; it catches its own failures and returns them as `failed`. Should it throw (a harness bug), the run still ends `failed`, the recorder is closed, and the error is rethrown. */
  body(ctx: RecordedRunContext & { readonly stack: S }): Promise<RunEnd<T>>;
  /** Renders the reports from the store once the recorder is closed. Default: the run report under `<out>/<run-id>/`. */
  render?(store: Store, runId: string, outDir: string): Promise<Rendered<R, F>>;
  /**
   * This process records one part of a run that another command completes:
   * a load shard (`run --shard i/n`), whose run `hotbench finalize` writes
   * once every shard ended. The `runs` row is then handed to the body (which
   * records it where the finisher finds it) instead of being recorded, no
   * `run_ends` row is written, and nothing is rendered. Default false.
   */
  readonly partOfRun?: boolean;
}

/** What a recorded run produced. */
export interface RecordedRunResult<T, R, F> extends Rendered<R, F> {
  readonly runId: string;
  readonly status: RunStatus;
  readonly value: T;
  /** Where the results live, safe to print. */
  readonly store: string;
}

/** A sortable, readable run id: `20261122-044512-3fa9c1`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * The strategies as this run reaches them: `--via http` / `http-inprocess`
 * wraps each so its replay serves it over HTTP (runner/http/via.ts).
 */
export function plannedForRun(config: Pick<ResolvedRunConfig, 'via' | 'redisUrl' | 'kafkaBrokers' | 'pgReplicaUrl'>, strategies: readonly PlannedStrategy[]): PlannedStrategy[] {
  const via = httpViaOf(config);
  const spread = strategies.find((s) => s.ledgerShards === true);
  // The shard databases are the replay's, handed over in-process; a served child opens one database of its own.
  if (via !== undefined && spread !== undefined) throw new UserError(`${spread.label} cannot be served over --via ${String(config.via)}: its ledger shards are handed over in-process; run it without --via`);
  return plannedVia(strategies, via);
}

/** A recorded run on the whole stack: the store, PostgreSQL (embedded or `--pg`) and the providers of the strategies' needs. */
export async function recordedRun<T, R = RunReport, F = RunFiles>(spec: RecordedRunSpec<RunStack, T, R, F>): Promise<RecordedRunResult<T, R, F>> {
  const runId = spec.runId === undefined ? newRunId() : checkRunId(spec.runId);
  return withRunStack(
    spec.config,
    spec.log,
    (stack) => record(stack.store, stack, runId, spec, { pgVersion: stack.postgres.version, redisVersion: stack.providers.versions().redis ?? '' }),
    spec.needs,
  );
}

/** A recorded run that needs only the results store (e.g. `blast`, against a service hotbench does not own). */
export async function recordedStoreRun<T, R = RunReport, F = RunFiles>(spec: RecordedRunSpec<Store, T, R, F>): Promise<RecordedRunResult<T, R, F>> {
  const runId = spec.runId === undefined ? newRunId() : checkRunId(spec.runId);
  const store = await openStore(resultsStoreOf(spec.config));
  try {
    await store.migrate();
    return await record(store, store, runId, spec, { pgVersion: '', redisVersion: '' });
  } finally {
    await store.close();
  }
}

/** The run report's files. */
export type RunFiles = { readonly md: string; readonly json: string; readonly html: string };

async function record<S, T, R, F>(store: Store, stack: S, runId: string, spec: RecordedRunSpec<S, T, R, F>, versions: { pgVersion: string; redisVersion: string }): Promise<RecordedRunResult<T, R, F>> {
  const { config, log } = spec;
  const clock = new MonotonicClock();
  const recorder: Recorder = new Recorder(store, {
    spoolDir: join(config.dataDir, 'spool'),
    onNote: (line: string) => {
      log(`recorder: ${line}`);
      recorder.push('events', { run_id: runId, strategy: '', rep: 0, at_us: clock.now(), type: 'note', kind: 'recorder', account: -1, detail: line.slice(0, 500) });
    },
  });
  const runRow = await runRowOf({ runId, config, store, command: spec.command, ...versions, ...(await spec.runRow(stack)) });
  const part = spec.partOfRun === true;
  if (!part) recorder.push('runs', runRow);

  let end: RunEnd<T>;
  try {
    end = await spec.body({ runId, store, recorder, clock, stack, runRow });
  } catch (err) {
    if (!part) recorder.push('run_ends', { run_id: runId, finished_at: wallClockUtc(), status: 'failed', reason: oneLine(err) });
    await recorder.close();
    throw err;
  }
  const reason = end.reason ?? (end.status === 'incomplete' ? 'interrupted by the user' : '');
  if (!part) recorder.push('run_ends', { run_id: runId, finished_at: wallClockUtc(), status: end.status, reason });
  const closed = await recorder.close();
  if (closed.spooled > 0) {
    log(
      `recorder: ClickHouse is still unreachable (${closed.lastError || 'no answer'}): ${closed.spooled} rows are safe in the spool ${closed.spoolDir}; ` +
        `the next \`hotbench run\` with the same --data-dir and --clickhouse writes them first, then \`hotbench report ${runId}\` renders this run`,
    );
  }
  if (part) return { runId, status: end.status, value: end.value, report: undefined, files: undefined, store: store.description };
  const outDir = join(config.out, runId);
  const rendered = spec.render ? await spec.render(store, runId, outDir) : ((await renderRunReports(store, runId, outDir, log)) as Rendered<unknown, unknown> as Rendered<R, F>);
  return { runId, status: end.status, value: end.value, report: rendered.report, files: rendered.files, store: store.description };
}
