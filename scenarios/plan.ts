/**
 * Compiling a scenario into a plan (STYLE.md §8): plain, JSON-printable data
 * with absolute µs times, resolved defaults and the run's overrides applied.
 * The plan is all the generator needs, and what `--dry-run` prints.
 *
 * Overrides, and what they scale (chosen so a shortened or sped-up run tells
 * the same story, e.g. "the budget runs out in the third burst"):
 * - `durationUs` compresses or stretches the timeline by f = durationUs /
 *   (sum of the phase durations): phase boundaries, burst start/every/length
 *   and the first job's start. Rates (ops/s) and the job cadence (a job every
 *   N s is a rate too) are unchanged, so the run sends f times as many ops.
 * - `rateScale` multiplies every arrival rate and the job frequency (job
 *   `every` and `spread` are divided by it). Job size K is unchanged.
 * - Because the scheduled volume of money then changes by f × rateScale, every
 *   account's headroom above its floor (balance − floor, threshold − floor) is
 *   scaled by that same `budgetScale`, rounded to a minor unit. A budget that
 *   runs out mid-burst at the default duration still runs out mid-burst.
 */
import { SYSTEM_ROLES, type AccountSpec, type SystemRole } from './op.js';
import { ScenarioError } from './errors.js';
import type { LoadedScenario } from './load.js';
import type { AmountSpec, MixSpec, Scenario } from './schema.js';
import { MAX_BALANCE, MAX_DURATION_US, MAX_RATE } from './units.js';

/** The arrival process of a phase; rates in ops/s with `rateScale` applied. */
export interface PlanArrival {
  readonly process: 'constant' | 'poisson' | 'ramp';
  /** `even`: deterministic spacing along the rate curve; `poisson`: exponential gaps. */
  readonly spacing: 'even' | 'poisson';
  /** Rate at the phase start, ops/s. */
  readonly fromRate: number;
  /** Rate at the phase end, ops/s (equal to fromRate unless ramping). */
  readonly toRate: number;
}

/** Burst windows of a phase: [firstUs + j·everyUs, + lengthUs), cut at the phase end. */
export interface PlanBursts {
  /** Absolute µs of the first burst's start. */
  readonly firstUs: number;
  /** Period between burst starts, µs; null for a single burst (a spike). */
  readonly everyUs: number | null;
  readonly lengthUs: number;
  /** The rate is multiplied by this inside a window. */
  readonly multiplier: number;
}

/** One phase with absolute times. */
export interface PlanPhase {
  readonly name: string;
  /** Absolute µs, inclusive. */
  readonly startUs: number;
  /** Absolute µs, exclusive. */
  readonly endUs: number;
  readonly arrival: PlanArrival;
  readonly bursts: PlanBursts | null;
}

/** Which account an op hits. Hot accounts are ids 0..h-1, the others h..count-1. */
export interface PlanKeys {
  /** Share of background ops (0..1) that hit a hot account. */
  readonly hotShare: number;
  /** Hot account ids and their relative weights. */
  readonly hot: readonly { readonly account: number; readonly weight: number }[];
  /** The non-hot accounts: ids firstId..firstId+count-1. Zipf rank k is id firstId+k-1. */
  readonly others: { readonly firstId: number; readonly count: number } & ({ readonly distribution: 'uniform' } | { readonly distribution: 'zipf'; readonly s: number });
}

/** Relative weights of the op kinds, and the credit share of single `adjust` ops. */
export interface PlanMix {
  readonly charge: number;
  readonly topup: number;
  readonly adjust: number;
  readonly withdraw: number;
  readonly read: number;
  readonly adjustCreditShare: number;
}

/** Amount distribution per kind that carries an amount (minor units). */
export type PlanAmounts = Readonly<Record<'charge' | 'topup' | 'adjust' | 'withdraw', AmountSpec>>;

/** A bulk job stream: `size` adjust ops against one account every `everyUs`. */
export interface PlanJob {
  readonly account: number;
  readonly accountName: string;
  /** Absolute µs of the first job. */
  readonly startUs: number;
  readonly everyUs: number;
  /** Ops per job (K). */
  readonly size: number;
  /** The K ops are spread evenly over this many µs; 0 = all at the same instant. */
  readonly spreadUs: number;
  /** Probability that an adjustment is a credit. */
  readonly creditShare: number;
  readonly amount: AmountSpec;
}

/**
 * Service-level objectives: upper limits, each optional, under the metric
 * catalog's names and in their units (reports/common/metrics.ts). Absent
 * fields are not checked. The scenario file's old key names are read into
 * these. This is the one SLO shape: `--slo`, the recorded config and the
 * verdict use it too (reports/common/slo-types.ts).
 */
export interface PlanSlo {
  /** Highest acceptable 99th percentile ack latency, ms. */
  readonly p99_ack_ms?: number;
  /** Highest acceptable 99.9th percentile ack latency, ms. */
  readonly p999_ack_ms?: number;
  /** Highest acceptable 99th percentile posting delay, ms. */
  readonly posting_delay_p99_ms?: number;
  /** Highest acceptable total overdraft (sum of the amounts below the floor), minor units. */
  readonly overdraft_amount?: number;
  /** Highest acceptable stop-delivery delay (worst crossing), ms; a crossing never signalled fails it. */
  readonly max_stop_delivery_ms?: number;
  /** Highest acceptable share of rejected ops, percent of recorded ops (0..100). */
  readonly reject_pct?: number;
}

/** Everything the generator needs; plain data, JSON-printable. */
export interface Plan {
  readonly name: string;
  readonly description: string;
  /** Absolute path of the scenario (or trace) file. */
  readonly file: string;
  readonly seed: number;
  /** Multiplier applied to every rate (1 = as written). */
  readonly rateScale: number;
  /** Timeline factor from `durationUs` (1 = as written). */
  readonly timeScale: number;
  /** Factor applied to every account's headroom above its floor: timeScale × rateScale. */
  readonly budgetScale: number;
  /** Length of the schedule, µs; every op has 0 ≤ at < durationUs. */
  readonly durationUs: number;
  /**
   * The scenario's accounts, then (under double entry) the platform accounts
   * no hot account took the role of: revenue, settlement, clearing, in that
   * order. No op of the stream targets an appended account directly.
   */
  readonly accounts: readonly AccountSpec[];
  /** `double`: every op moves money between its account and a counterparty (see `counterparties` in the contract); `none`: single entry. */
  readonly counterparty: 'double' | 'none';
  /** Upstream's reaction to a budget_exhausted signal: `stop` sending the account's charges, or `none`. */
  readonly onThreshold: 'stop' | 'none';
  /** Time for a signal to reach upstream, µs (with `onThreshold: 'stop'`). */
  readonly notifyLatencyUs: number;
  readonly phases: readonly PlanPhase[];
  readonly keys: PlanKeys;
  readonly mix: PlanMix;
  /** Mix for ops that hit a hot account; null = `mix`. */
  readonly hotMix: PlanMix | null;
  readonly amounts: PlanAmounts;
  readonly jobs: readonly PlanJob[];
  readonly slo: PlanSlo;
}

/** Run-time overrides (from the command line); all optional. */
export interface PlanOverrides {
  /** Replaces the scenario's seed. Non-negative safe integer. */
  readonly seed?: number;
  /** Total schedule length, µs (positive integer, at most 24 h). */
  readonly durationUs?: number;
  /** Multiplies every rate. Positive, finite. Default 1. */
  readonly rateScale?: number;
}

/** Compiles a loaded scenario with overrides into a {@link Plan}. Throws {@link ScenarioError} for bad overrides. */
export function compilePlan(loaded: LoadedScenario, overrides: PlanOverrides = {}): Plan {
  const { scenario: s, file } = loaded;
  const fail = (what: string, message: string): never => {
    throw new ScenarioError([{ file, path: `${what} (override)`, message }]);
  };
  const seed = overrides.seed ?? s.seed;
  if (!Number.isSafeInteger(seed) || seed < 0) fail('seed', `must be a non-negative integer, got ${seed}`);
  const rateScale = overrides.rateScale ?? 1;
  if (!Number.isFinite(rateScale) || rateScale <= 0) fail('rateScale', `must be a positive finite number, got ${rateScale}`);
  const naturalUs = s.phases.reduce((sum, p) => sum + p.duration, 0);
  const durationUs = overrides.durationUs ?? naturalUs;
  if (!Number.isSafeInteger(durationUs) || durationUs <= 0 || durationUs > MAX_DURATION_US)
    fail('durationUs', `must be a whole number of µs between 1 and ${MAX_DURATION_US} (24h), got ${durationUs}`);
  const timeScale = durationUs / naturalUs;
  const budgetScale = timeScale * rateScale;

  const phases = compilePhases(s, timeScale, rateScale, durationUs);
  for (const p of phases) {
    const peak = Math.max(p.arrival.fromRate, p.arrival.toRate);
    if (peak > MAX_RATE) fail('rateScale', `${rateScale} makes phase "${p.name}" run at ${peak} ops/s, above the ${MAX_RATE} ops/s limit`);
  }
  const hotIds = new Map(s.accounts.hot.map((h, i) => [h.name, i]));
  const jobs = s.jobs.map((j): PlanJob => {
    const everyUs = Math.max(1, Math.round(j.every / rateScale));
    if ((j.size / everyUs) * 1e6 > MAX_RATE) fail('rateScale', `${rateScale} makes the jobs on "${j.account}" send more than ${MAX_RATE} ops/s`);
    return {
      account: hotIds.get(j.account) ?? 0,
      accountName: j.account,
      startUs: Math.round(j.start * timeScale),
      everyUs,
      size: j.size,
      spreadUs: Math.min(everyUs, Math.round(j.spread / rateScale)),
      creditShare: j.credit_share,
      amount: j.amount ?? s.amounts.adjust ?? s.amounts.default,
    };
  });
  const hot = s.accounts.hot.length;
  return {
    name: s.name,
    description: s.description,
    file,
    seed,
    rateScale,
    timeScale,
    budgetScale,
    durationUs,
    accounts: compileAccounts(s, budgetScale),
    counterparty: s.counterparty,
    onThreshold: s.on_threshold,
    notifyLatencyUs: s.notify_latency,
    phases,
    keys: {
      hotShare: s.keys.hot_share,
      hot: s.accounts.hot.map((h, i) => ({ account: i, weight: h.weight })),
      others: { firstId: hot, count: s.accounts.count - hot, ...s.keys.others },
    },
    mix: compileMix(s.mix),
    hotMix: s.hot_mix === undefined ? null : compileMix(s.hot_mix),
    amounts: {
      charge: s.amounts.charge ?? s.amounts.default,
      topup: s.amounts.topup ?? s.amounts.default,
      adjust: s.amounts.adjust ?? s.amounts.default,
      withdraw: s.amounts.withdraw ?? s.amounts.default,
    },
    jobs,
    slo: compileSlo(s),
  };
}

function compilePhases(s: Scenario, timeScale: number, rateScale: number, durationUs: number): PlanPhase[] {
  let natural = 0;
  return s.phases.map((p, i): PlanPhase => {
    const startUs = Math.round(natural * timeScale);
    natural += p.duration;
    const endUs = i === s.phases.length - 1 ? durationUs : Math.round(natural * timeScale);
    const a = p.arrival;
    const [fromRate, toRate] = a.process === 'ramp' ? [a.from, a.to] : [a.rate, a.rate];
    const spacing = a.process === 'ramp' ? a.spacing : a.process === 'poisson' ? 'poisson' : 'even';
    let bursts: PlanBursts | null = null;
    if (p.bursts !== undefined) {
      const everyUs = p.bursts.every === undefined ? null : Math.max(1, Math.round(p.bursts.every * timeScale));
      const lengthUs = Math.max(1, Math.round(p.bursts.length * timeScale));
      bursts = { firstUs: startUs + Math.round(p.bursts.start * timeScale), everyUs, lengthUs: everyUs === null ? lengthUs : Math.min(lengthUs, everyUs), multiplier: p.bursts.multiplier };
    }
    return { name: p.name ?? `phase-${i + 1}`, startUs, endUs, arrival: { process: a.process, spacing, fromRate: fromRate * rateScale, toRate: toRate * rateScale }, bursts };
  });
}

function compileAccounts(s: Scenario, budgetScale: number): AccountSpec[] {
  const scale = (value: number, floor: number) => (budgetScale === 1 ? value : floor + Math.round((value - floor) * budgetScale));
  const a = s.accounts;
  const accounts: AccountSpec[] = a.hot.map((h, id) => {
    const floor = h.floor ?? a.floor;
    const spec: AccountSpec = { id, balance: scale(h.balance ?? a.balance, floor), floor, hot: true, name: h.name, threshold: scale(h.threshold ?? floor, floor) };
    return h.role === undefined || s.counterparty === 'none' ? spec : { ...spec, role: h.role };
  });
  const other = { balance: scale(a.balance, a.floor), floor: a.floor, hot: false, name: '', threshold: scale(a.threshold ?? a.floor, a.floor) };
  for (let id = a.hot.length; id < a.count; id++) accounts.push({ id, ...other });
  if (s.counterparty === 'double') {
    for (const role of SYSTEM_ROLES) {
      if (accounts.some((x) => x.role === role)) continue;
      accounts.push({ id: accounts.length, role, ...PLATFORM_ACCOUNTS[role] });
    }
  }
  return accounts;
}

/**
 * The platform accounts appended under double entry. They start empty:
 * revenue only receives (floor 0), settlement and clearing may run negative
 * (settlement pays out credits before it is funded; clearing stands for the
 * outside world, whose money enters through it), so none of them is ever an
 * overdraft of the strategy's making.
 */
const PLATFORM_ACCOUNTS: Record<SystemRole, Omit<AccountSpec, 'id' | 'role'>> = {
  revenue: { balance: 0, floor: 0, threshold: 0, hot: false, name: 'platform-revenue' },
  settlement: { balance: 0, floor: -MAX_BALANCE, threshold: -MAX_BALANCE, hot: false, name: 'platform-settlement' },
  clearing: { balance: 0, floor: -MAX_BALANCE, threshold: -MAX_BALANCE, hot: false, name: 'external-clearing' },
};

function compileMix(m: MixSpec): PlanMix {
  return { charge: m.charge, topup: m.topup, adjust: m.adjust, withdraw: m.withdraw, read: m.read, adjustCreditShare: m.adjust_credit_share };
}

function compileSlo(s: Scenario): PlanSlo {
  // Rounded to whole µs, as every duration in the plan, and kept in the catalog unit (ms).
  const ms = (v: number | undefined) => (v === undefined ? undefined : Math.round(v * 1000) / 1000);
  const slo = s.slo ?? {};
  const share = slo.max_reject_share;
  const out: Record<string, number | undefined> = {
    p99_ack_ms: ms(slo.p99_ack_ms),
    p999_ack_ms: ms(slo.p999_ack_ms),
    posting_delay_p99_ms: ms(slo.posting_delay_p99_ms ?? slo.max_posting_delay_ms),
    overdraft_amount: slo.overdraft_amount ?? slo.max_overdraft,
    max_stop_delivery_ms: ms(slo.max_stop_delivery_ms),
    reject_pct: slo.reject_pct ?? (share === undefined ? undefined : Number((share * 100).toPrecision(12))),
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out as PlanSlo;
}
