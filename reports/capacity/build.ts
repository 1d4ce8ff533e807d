/**
 * Builds the capacity report of a run from ClickHouse alone: the run report
 * (every step is a replay), the driver facts of each step, and the search
 * settings recorded in the run's config. The capacity search in the runner
 * judges its steps with the same functions, so what it decided and what the
 * report says cannot differ.
 */
import { loadRunReport } from '../run/queries.js';
import type { RunReport, StrategyReport } from '../common/report-types.js';
import { bootstrapInterval } from '../noise/interval.js';
import { StoreError } from '../../results/errors.js';
import type { Store } from '../../results/store.js';
import { sloOfConfig } from '../common/slo.js';
import { capacitySlo, judgeStep, type BreachCategory, type DriverFacts, type CapacitySlo } from './slo.js';
import { driverKey, selectDriverFacts } from './step-sql.js';
import { CAPACITY_FORMAT, type BrokeFirst, type CapacityRatio, type CapacityReport, type CapacitySettings, type CapacityStep, type CapacityStrategy } from './types.js';

/** The replay label of a step. */
export function stepLabel(strategyLabel: string, ratePerS: number): string {
  return `${strategyLabel}@${ratePerS}/s`;
}

const STEP = /^(.+)@(\d+)\/s$/;

/** Splits a step label into the strategy label and the rate; undefined for other labels. */
export function parseStepLabel(label: string): { strategy: string; rate: number } | undefined {
  const m = STEP.exec(label);
  return m ? { strategy: m[1]!, rate: Number(m[2]) } : undefined;
}

/** Loads and builds the capacity report of `runId`. Throws a one-line `StoreError` when it is not a capacity run. */
export async function loadCapacityReport(store: Store, runId: string): Promise<CapacityReport> {
  const report = await loadRunReport(store, runId);
  const settings = capacitySettingsOf(report);
  return buildCapacityReport(report, settings, await selectDriverFacts(store, runId));
}

/** The search settings recorded with a capacity run. */
export function capacitySettingsOf(report: RunReport): CapacitySettings {
  const config = report.run.config as { capacity?: CapacitySettings } | null;
  if (typeof config !== 'object' || config === null || typeof config.capacity !== 'object') {
    throw new StoreError(`run ${report.run.run_id} is not a capacity run (its command was \`${report.run.command}\`); see \`hotbench runs\``);
  }
  // Runs recorded before the catalog names carry `p99_ack_us`...: read them as today's keys.
  return { ...config.capacity, slo: sloOfConfig({ slo: config.capacity.slo }) };
}

/** Judges one recorded step. */
export function stepOf(s: StrategyReport, rate: number, slo: CapacitySlo, driver: DriverFacts | undefined): CapacityStep {
  const j = judgeStep(slo, s, driver);
  return {
    label: s.label,
    rate_per_s: rate,
    order: s.idx + 1,
    status: s.status,
    schedule_us: s.schedule_us,
    planned_ops: s.ops.planned,
    offered_per_s: s.offered_per_s,
    goodput_per_s: s.goodput_per_s,
    kept_up: driver?.steady && driver.steady.intended > 0 ? driver.steady.acked / driver.steady.intended : null,
    ack_us: { p50: s.ack_latency_us.p50, p99: s.ack_latency_us.p99, p999: s.ack_latency_us.p999, max: s.ack_latency_us.max },
    posting_p99_us: s.posting_delay_us.p99,
    reject_share: s.rejects.share,
    overdrafts: s.overdrafts.count,
    lost: s.incidents.lost,
    late_ops: s.ops.late,
    late_share: s.ops.planned > 0 ? s.ops.late / s.ops.planned : 0,
    service_p99_us: driver?.service_us?.p99 ?? null,
    max_in_flight: driver?.max_in_flight ?? 0,
    concurrency: s.ops.concurrency,
    verdict: j.verdict,
    breaches: j.breaches,
    note: j.note,
    reps: 1,
    goodput_interval: null,
  };
}

/**
 * One step from its repetitions (the same label replayed again until its
 * goodput interval was tight): the repetition with the median goodput stands
 * for the step, with the goodput's bootstrap interval; the step passes when
 * more than half of its repetitions passed, else it takes the verdict of its
 * first repetition that did not; a split is called uncertain in the note.
 */
export function mergeRepetitions(reps: readonly CapacityStep[]): CapacityStep {
  if (reps.length === 1) return reps[0]!;
  const byGoodput = [...reps].sort((a, b) => (a.goodput_per_s ?? -1) - (b.goodput_per_s ?? -1));
  const middle = byGoodput[(byGoodput.length - 1) >> 1]!;
  const goodputs = reps.map((r) => r.goodput_per_s).filter((g): g is number => g !== null);
  const e = bootstrapInterval(goodputs);
  const passed = reps.filter((r) => r.verdict === 'pass').length;
  const notPass = reps.find((r) => r.verdict !== 'pass');
  const majority = passed * 2 > reps.length || notPass === undefined;
  // The step's verdict, breaches and note come from a repetition that reached it: the median one when it did.
  const verdictOf = majority ? (middle.verdict === 'pass' ? middle : reps.find((r) => r.verdict === 'pass')!) : middle.verdict !== 'pass' ? middle : notPass!;
  return {
    ...verdictOf,
    goodput_per_s: e.point,
    order: Math.min(...reps.map((r) => r.order)),
    reps: reps.length,
    goodput_interval: e.method === 'none' ? null : { lo: e.lo, hi: e.hi },
    note: [verdictOf.note, `${passed} of ${reps.length} repetitions within the SLO${passed > 0 && passed < reps.length ? ' (uncertain at this rate: decided by the majority)' : ''}`].filter((t) => t !== '').join('; '),
  };
}

/** Which category to name first when one step breaks several terms: money before time. */
const PRIORITY: readonly BreachCategory[] = ['failed', 'overdraft', 'loss', 'rejects', 'latency', 'lag', 'driver-limited'];

/** Summarises a strategy's steps (any order). */
export function summarizeSteps(label: string, name: string, backend: string, steps: readonly CapacityStep[]): CapacityStrategy {
  const sorted = [...steps].sort((a, b) => a.rate_per_s - b.rate_per_s || a.order - b.order);
  const failing = sorted.filter((s) => s.verdict !== 'pass');
  const firstFail = failing[0];
  const passes = sorted.filter((s) => s.verdict === 'pass' && (firstFail === undefined || s.rate_per_s < firstFail.rate_per_s));
  const best = passes[passes.length - 1];
  let brokeFirst: BrokeFirst | null = null;
  if (firstFail) {
    const categories = firstFail.verdict === 'driver-limited' ? ['driver-limited' as const] : firstFail.breaches.map((b) => b.category);
    const category = PRIORITY.find((c) => categories.includes(c)) ?? 'failed';
    const terms = firstFail.breaches.map((b) => `${b.term} (was ${b.observed})`).join(', ');
    brokeFirst = { category, detail: [terms, firstFail.note].filter((t) => t !== '').join('; '), at_per_s: firstFail.rate_per_s };
  }
  const bound = best === undefined ? 'none' : firstFail === undefined || firstFail.verdict === 'driver-limited' ? 'at-least' : 'between';
  return {
    label,
    name,
    backend,
    max_sustained_per_s: best?.rate_per_s ?? null,
    bound,
    first_fail_per_s: firstFail?.rate_per_s ?? null,
    knee_per_s: best?.rate_per_s ?? null,
    knee_goodput: best && best.goodput_per_s !== null ? { point: best.goodput_per_s, lo: best.goodput_interval?.lo ?? best.goodput_per_s, hi: best.goodput_interval?.hi ?? best.goodput_per_s, reps: best.reps } : null,
    broke_first: brokeFirst,
    steps: sorted,
  };
}

/** Builds the report from a loaded run report and its driver facts. */
export function buildCapacityReport(report: RunReport, settings: CapacitySettings, driver: ReadonlyMap<string, DriverFacts>): CapacityReport {
  const slo = capacitySlo(settings.slo);
  const strategies = settings.strategies.map((label) => {
    const replays = report.strategies.filter((s) => parseStepLabel(s.label)?.strategy === label);
    const perRep = replays.map((s) => stepOf(s, parseStepLabel(s.label)!.rate, slo, driver.get(driverKey(s.rep, s.label))));
    const steps = [...new Set(perRep.map((s) => s.label))].map((l) => mergeRepetitions(perRep.filter((s) => s.label === l)));
    const first = replays.find((s) => s.backend !== '') ?? replays[0];
    return summarizeSteps(label, first?.name ?? label.split(/[:(]/)[0]!, first?.backend ?? '', steps);
  });
  const r = report.run;
  return {
    format: CAPACITY_FORMAT,
    run: { run_id: r.run_id, started_at: r.started_at, finished_at: r.finished_at, status: r.status, scenario: r.scenario, git: r.git, host: { name: r.host.name, cores: r.host.cores } },
    settings,
    slo: slo.text,
    strategies,
    ratios: ratiosOf(strategies),
  };
}

/** Every strategy's maximum over the first strategy's. */
export function ratiosOf(strategies: readonly CapacityStrategy[]): CapacityRatio[] {
  const base = strategies[0];
  const denominator = base?.max_sustained_per_s ?? null;
  if (!base || denominator === null) return [];
  return strategies.slice(1).flatMap((s): CapacityRatio[] => {
    if (s.max_sustained_per_s === null) return [];
    const numLower = s.bound === 'at-least';
    const denLower = base.bound === 'at-least';
    const qualifier = numLower && denLower ? '?' : numLower ? '≥' : denLower ? '≤' : '=';
    return [{ numerator: s.label, denominator: base.label, ratio: s.max_sustained_per_s / denominator, qualifier }];
  });
}
