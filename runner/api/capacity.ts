/**
 * The programmatic API behind `hotbench capacity`: per strategy, the highest
 * offered rate the hot account sustains within an SLO.
 *
 * Search, per strategy: step the rate up geometrically (×`factor`, from
 * `start` to `max`) until a step breaks the SLO, then bisect (geometric
 * midpoints, `bisect` times, or until the bracket is within 5 %) between the
 * last passing and the first failing rate. When the very first step fails,
 * step down (÷`factor`, at most 4 times) until one passes, then bisect. Each step is a full replay (fresh
 * database, open-loop driver, drain, audit) of the scenario compiled at that
 * rate, recorded as its own replay `<label>@<rate>/s` of ONE run (command
 * `hotbench capacity`, settings in config_json.capacity), and judged by the
 * same function the capacity report uses, on numbers read back from
 * ClickHouse. A step that breaks the SLO only because the harness could not
 * send on time is `driver-limited`: the search stops climbing there and the
 * maximum is reported as a lower bound.
 *
 * Steps last `stepDurationUs`, lengthened at low rates so each plans at
 * least `minStepOps` ops (at most 60 s: a p99 over a few hundred ops is the
 * slowest one or two, and one stall moved row-lock's knee between 13 and
 * 130/s), and shortened at high rates so none plans more than `maxStepOps`
 * ops (never below 1 s): the first failing step is at most `factor` × the
 * ceiling, so the backlog it leaves to work off stays bounded.
 *
 * Each step repeats until its goodput interval is within ±10% AND its
 * repetitions agree on the verdict (all within the SLO or all not), at
 * least {@link STEP_MIN_REPS}, at most {@link STEP_MAX_REPS} times; a step
 * whose repetitions still disagree is judged by the majority and reported as
 * uncertain.
 *
 * It shares the recorded-run lifecycle with `runBenchmark` (run.ts,
 * runner/lifecycle/recorded-run.ts) rather than calling it: a run there
 * replays one plan, here every step has its own.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compilePlan, packageRoot, summarizePlan, type Plan } from '../../scenarios/index.js';
import { loadRunReport } from '../../reports/run/queries.js';
import { writeReports } from '../../reports/run/write-report.js';
import {
  CAPACITY_COMMAND,
  driverKey,
  loadCapacityReport,
  selectDriverFacts,
  stepLabel,
  stepOf,
  mergeRepetitions,
  writeCapacityReports,
  type CapacityReport,
  type CapacitySettings,
  type CapacityStep,
  capacitySlo,
  MAX_STEP_US,
} from '../../reports/capacity/index.js';
import type { Slo as Limits } from '../../reports/common/slo.js';
import { recordedConfig, type ResolvedRunConfig } from '../config/run-config.js';
import { CAPACITY_SCENARIO, commandDefault, flagOf, optionSpec, type OptionKey } from '../config/options.js';
import { oneLine } from '../errors.js';
import { newRunId, plannedForRun, recordedRun, type RunStatus } from '../lifecycle/recorded-run.js';
import { planStrategies, type PlannedStrategy } from '../replay/plan.js';
import { replayStrategy } from '../replay/replay.js';
import { sharedReplayArgs } from '../replay/args.js';
import type { RunBenchmarkOptions } from './run.js';
import { repeatUntilTight } from '../repeat-until-tight.js';

/** Repetitions of a capacity step: at least this many (one value has no spread)... */
const STEP_MIN_REPS = 2;
/** ... and at most this many, stopping once the goodput interval is within ±10% and the repetitions agree on the verdict. */
const STEP_MAX_REPS = 5;

/** How to search. Rates in ops/s, durations in µs. */
export interface CapacitySearch {
  /** The resolved SLO limits (recorded; the report derives the same terms from them). */
  readonly limits: Limits;
  readonly startPerS: number;
  readonly maxPerS: number;
  readonly factor: number;
  readonly stepDurationUs: number;
  /** Fewest ops a step plans: slower steps last longer, up to 60 s (the CLI's default is 1,000; 0 = no minimum). */
  readonly minStepOps: number;
  readonly maxStepOps: number;
  readonly bisect: number;
}

/** The default of option `key` for the capacity command, parsed: the option table (runner/config/options.ts) holds it once. */
function capacityDefault<T>(key: OptionKey): T {
  const spec = optionSpec(key);
  return spec.parse(commandDefault(spec, 'capacity')!, flagOf(key)) as T;
}

/**
 * Defaults of {@link CapacitySearch} (fit `row-lock,aggregate` into ~5
 * minutes on 2 cores), the strategies searched, and the concurrency cap used
 * unless --concurrency / HOTBENCH_CONCURRENCY give one: 2,048 rather than
 * run's 512, because a fast batching strategy holds rate × latency ops in
 * flight (25,000/s × 20 ms = 500) and the cap must not be what breaks. All
 * read from the option table, where they are written.
 */
export const CAPACITY_DEFAULTS = {
  startPerS: capacityDefault<number>('start'),
  maxPerS: capacityDefault<number>('max'),
  factor: capacityDefault<number>('factor'),
  stepDurationUs: capacityDefault<number>('stepDuration'),
  minStepOps: capacityDefault<number>('minStepOps'),
  maxStepOps: capacityDefault<number>('maxStepOps'),
  bisect: capacityDefault<number>('bisect'),
  strategies: capacityDefault<string>('strategies'),
  concurrency: capacityDefault<number>('concurrency'),
} as const;

/**
 * The default scenario: all traffic on one hot account, constant arrivals,
 * budget never exhausted. It lives beside the search (not in bench/ or the
 * scenario library) because it is capacity's own input: the search sets its
 * rate (its path is the option table's capacity default of `--scenario`).
 */
export function capacityScenarioPath(): string {
  return join(packageRoot(), CAPACITY_SCENARIO);
}

/** Shortest step the op cap may shrink a step to, µs. */
const MIN_STEP_US = 1_000_000;
/** Bisection stops once last fail / last pass is within this ratio. */
const RESOLUTION = 1.05;
/** Steps down from a failing first step before giving up. */
const MAX_DESCENT = 4;

/** What a capacity run produced. */
export interface CapacityResult {
  readonly runId: string;
  readonly status: RunStatus;
  /** Built from ClickHouse after the run (undefined if it could not be read back). */
  readonly report: CapacityReport | undefined;
  /** The run report and the capacity report files. */
  readonly files: { readonly run: { md: string; json: string; html: string }; readonly capacity: { md: string; json: string; html: string } } | undefined;
  readonly store: string;
}

/**
 * The length of the step at `rate`, µs: `stepDurationUs`, lengthened so it
 * plans at least `minStepOps` ops (up to {@link MAX_STEP_US}), shortened so
 * it plans at most `maxStepOps` (never under 1 s unless `stepDurationUs` is).
 */
export function stepDurationUs(search: Pick<CapacitySearch, 'stepDurationUs' | 'minStepOps' | 'maxStepOps'>, ratePerS: number): number {
  const opsUs = (ops: number) => Math.round(((ops / ratePerS) * 1e6) / 1000) * 1000;
  const wanted = Math.max(search.stepDurationUs, Math.min(MAX_STEP_US, opsUs(search.minStepOps)));
  return Math.max(Math.min(MIN_STEP_US, search.stepDurationUs), Math.min(wanted, opsUs(search.maxStepOps)));
}

/** The scenario's mean offered rate (ops/s) at rate-scale 1 over `durationUs`: step rate / this = the step's rate scale. */
export function baseRateOf(config: ResolvedRunConfig, durationUs: number): number {
  const plan = compilePlan(config.loaded, { seed: config.seed, durationUs, rateScale: 1 });
  return summarizePlan(plan).totalOps / (durationUs / 1e6);
}

/** Runs the search for every strategy of `config`, in one run. Throws only before anything is measured. */
export async function runCapacity(config: ResolvedRunConfig, search: CapacitySearch, options: RunBenchmarkOptions): Promise<CapacityResult> {
  const runId = options.runId ?? newRunId();
  const slo = capacitySlo(search.limits);
  // Planned for the run like `run`'s strategies, so `--via http` is what is measured as well as what is recorded.
  const strategies = plannedForRun(config, planStrategies(config.strategies ?? CAPACITY_DEFAULTS.strategies, options.registry));
  const baseRate = baseRateOf(config, search.stepDurationUs);
  const planAt = (rate: number): Plan => compilePlan(config.loaded, { seed: config.seed, durationUs: stepDurationUs(search, rate), rateScale: rate / baseRate });
  const settings: CapacitySettings = {
    slo: search.limits,
    start_per_s: search.startPerS,
    max_per_s: search.maxPerS,
    factor: search.factor,
    step_duration_us: search.stepDurationUs,
    min_step_ops: search.minStepOps,
    max_step_ops: search.maxStepOps,
    bisect: search.bisect,
    strategies: strategies.map((s) => s.label),
  };

  const first = summarizePlan(planAt(search.startPerS)); // the run row describes the first step's plan

  const run = await recordedRun<void, CapacityReport, NonNullable<CapacityResult['files']>>({
    config,
    runId,
    command: CAPACITY_COMMAND,
    log: options.log,
    needs: [...new Set(strategies.flatMap((s) => s.needs))],
    runRow: () => ({ recordedConfig: { ...recordedConfig(config, settings.strategies, 'capacity'), capacity: settings }, stream: first, scheduleUs: stepDurationUs(search, search.startPerS) }),
    body: async (ctx) => {
      const { recorder, store } = ctx;
      const shared = sharedReplayArgs(config, ctx, options);
      let idx = 0;
      /**
       * Replays `planned` at `rate` until the step's goodput interval is within
       * ±10% and its repetitions agree on the verdict (2 repetitions at least,
       * {@link STEP_MAX_REPS} at most; one run-to-run jump no longer moves the
       * knee), reads each back from ClickHouse and judges the step over its
       * repetitions.
       */
      const step = async (planned: PlannedStrategy, rate: number): Promise<CapacityStep> => {
        const plan = planAt(rate);
        const plannedOps = summarizePlan(plan).totalOps;
        const label = stepLabel(planned.label, rate);
        const stepIdx = idx++;
        const judgedReps: CapacityStep[] = [];
        const started = performance.now();
        await repeatUntilTight(
          async (rep) => {
            options.log(`${label}${rep > 0 ? ` (repetition ${rep + 1})` : ''}: ${plannedOps} ops over ${(plan.durationUs / 1e6).toFixed(1)} s`);
            await replayStrategy({ ...shared, rep, idx: stepIdx, planned: { ...planned, label }, plan, plannedOps });
            await recorder.flush();
            const report = await loadRunReport(store, runId);
            const replay = report.strategies.find((s) => s.label === label && s.rep === rep);
            if (!replay) throw new Error(`step ${label} repetition ${rep + 1} was not read back from ClickHouse`);
            const driver = (await selectDriverFacts(store, runId, label)).get(driverKey(rep, label));
            const judged = stepOf(replay, rate, slo, driver);
            judgedReps.push(judged);
            // A step that did not run has nothing to repeat.
            return judged.verdict === 'not-run' ? null : judged.goodput_per_s;
          },
          { minReps: STEP_MIN_REPS, maxReps: STEP_MAX_REPS, abort: options.abort, settled: () => verdictsAgree(judgedReps) },
        );
        const judged = mergeRepetitions(judgedReps);
        const why = judged.breaches.map((b) => `${b.term} was ${b.observed}`).join(', ');
        const interval = judged.goodput_interval ? `; goodput ${Math.round(judged.goodput_per_s ?? 0)} ops/s (95% CI ${Math.round(judged.goodput_interval.lo)}–${Math.round(judged.goodput_interval.hi)}, ${judged.reps} repetitions)` : '';
        options.log(`${label}: ${judged.verdict}${why ? ` (${why})` : ''}${judged.note ? `; ${judged.note}` : ''}${interval} [${((performance.now() - started) / 1000).toFixed(1)} s]`);
        return judged;
      };

      let failure: string | undefined;
      try {
        for (const planned of strategies) {
          if (options.abort.aborted) break;
          await searchStrategy(planned, search, (rate) => step(planned, rate), options);
        }
      } catch (err) {
        failure = oneLine(err);
        options.log(`capacity: ${failure}`);
      }
      const status: RunStatus = failure ? 'failed' : options.abort.aborted ? 'incomplete' : 'complete';
      return { status, ...(failure !== undefined ? { reason: failure } : {}), value: undefined };
    },
    render: async (store, id, outDir) => {
      try {
        const report = await loadCapacityReport(store, id);
        const run = await writeReports(await loadRunReport(store, id), outDir);
        const capacity = await writeCapacityReports(report, outDir);
        return { report, files: { run, capacity } };
      } catch (err) {
        options.log(`report: could not be rendered (${oneLine(err)}); the results are recorded: run \`hotbench capacity --report ${id}\` later`);
        return { report: undefined, files: undefined };
      }
    },
  });
  return { runId: run.runId, status: run.status, report: run.report, files: run.files, store: run.store };
}

/** Whether every repetition that ran reached the same side of the SLO (within it, or not): a split says the check is uncertain at this rate. */
export function verdictsAgree(reps: readonly Pick<CapacityStep, 'verdict'>[]): boolean {
  const ran = reps.filter((r) => r.verdict !== 'not-run');
  return ran.every((r) => (r.verdict === 'pass') === (ran[0]!.verdict === 'pass'));
}

/** Steps up until a failure, then bisects. `run` replays and judges one step. */
export async function searchStrategy(planned: PlannedStrategy, search: CapacitySearch, run: (rate: number) => Promise<CapacityStep>, options: Pick<RunBenchmarkOptions, 'abort' | 'log'>): Promise<void> {
  let pass: number | undefined;
  let fail: number | undefined;
  for (let rate = Math.round(search.startPerS); ; ) {
    if (options.abort.aborted) return;
    const st = await run(rate);
    if (st.verdict === 'not-run') return options.log(`${planned.label}: search stopped: the step did not run (${st.note})`);
    if (st.verdict !== 'pass') {
      fail = rate;
      break;
    }
    pass = rate;
    if (rate >= search.maxPerS) return options.log(`${planned.label}: sustained the SLO up to --max ${search.maxPerS}/s`);
    rate = Math.min(Math.round(search.maxPerS), Math.max(rate + 1, Math.round(rate * search.factor)));
  }
  for (let k = 0; pass === undefined && k < MAX_DESCENT; k++) {
    if (options.abort.aborted) return;
    const rate = Math.max(1, Math.round(fail / search.factor));
    if (rate >= fail) break;
    const st = await run(rate);
    if (st.verdict === 'not-run') return;
    if (st.verdict === 'pass') pass = rate;
    else fail = rate;
  }
  if (pass === undefined) return options.log(`${planned.label}: breaks the SLO even at ${fail}/s: try a lower --start`);
  for (let i = 0; i < search.bisect && fail / pass > RESOLUTION; i++) {
    if (options.abort.aborted) return;
    const mid = Math.round(Math.sqrt(pass * fail));
    if (mid <= pass || mid >= fail) break;
    const st = await run(mid);
    if (st.verdict === 'not-run') return;
    if (st.verdict === 'pass') pass = mid;
    else fail = mid;
  }
}
