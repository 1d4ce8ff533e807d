/**
 * What a plan will send, found in one pass over its generator without
 * touching any backend: what `hotbench run --dry-run` prints. It includes the
 * stream's sha256 (the identity of the traffic) and, for each hot account,
 * when its scheduled debits would take it below its threshold and its floor,
 * so a scenario author can check that a budget runs out mid-burst.
 */
import { deltaOf, OP_KINDS, type OpKind } from './op.js';
import { burstWindows, expectedOps } from './arrivals.js';
import { generateOps } from './generate.js';
import type { Plan, PlanPhase } from './plan.js';
import { StreamHasher } from './serialize.js';

/** One phase: scheduled ops, and the background rate expected vs realised (ops/s). */
export interface PhaseSummary {
  readonly name: string;
  readonly startUs: number;
  readonly endUs: number;
  /** Every op whose `at` falls in the phase, jobs included. */
  readonly ops: number;
  /** Ops from the arrival process only (no bulk jobs). */
  readonly backgroundOps: number;
  /** Mean background rate the arrival process and bursts call for, ops/s. */
  readonly expectedRate: number;
  /** backgroundOps / phase length, ops/s. */
  readonly realisedRate: number;
}

/** A hot account's scheduled money flow, if every op were posted as scheduled. */
export interface HotAccountSummary {
  readonly id: number;
  readonly name: string;
  readonly balance: number;
  readonly floor: number;
  readonly threshold: number;
  /** Sum of scheduled debits, minor units (positive). */
  readonly debits: number;
  /** Sum of scheduled credits, minor units. */
  readonly credits: number;
  /** balance + credits − debits. */
  readonly finalBalance: number;
  /** `at` (µs) of the first op that takes the balance below the threshold; null if none. */
  readonly thresholdAtUs: number | null;
  /** `at` (µs) of the first op that takes the balance below the floor (budget exhausted); null if none. */
  readonly exhaustedAtUs: number | null;
  /** The phase the exhaustion falls in, and whether inside one of its burst windows. */
  readonly exhaustedPhase: string | null;
  readonly exhaustedInBurst: boolean;
}

/** The plan's traffic in numbers. */
export interface PlanSummary {
  readonly name: string;
  readonly description: string;
  readonly file: string;
  readonly seed: number;
  readonly durationUs: number;
  readonly rateScale: number;
  readonly timeScale: number;
  readonly budgetScale: number;
  readonly accounts: { readonly total: number; readonly hot: number };
  /** Every op in the stream, jobs included. */
  readonly totalOps: number;
  readonly byKind: Readonly<Record<OpKind, number>>;
  /** Ops hitting a hot account vs any other. */
  readonly byClass: { readonly hot: number; readonly other: number };
  /** Bulk jobs and the ops in them. */
  readonly jobs: { readonly count: number; readonly ops: number };
  readonly phases: readonly PhaseSummary[];
  /** The busiest whole second [atUs, atUs + 1 s) and its op count. */
  readonly peakPerSecond: { readonly ops: number; readonly atUs: number };
  readonly hotAccounts: readonly HotAccountSummary[];
  /** sha256 of the stream as NDJSON (see `streamSerialize`). */
  readonly sha256: string;
}

/** Runs the plan's generator once and summarizes it. Time O(ops), memory O(phases + hot accounts). */
export function summarizePlan(plan: Plan): PlanSummary {
  const byKind = Object.fromEntries(OP_KINDS.map((k) => [k, 0])) as Record<OpKind, number>;
  const phaseOps = plan.phases.map(() => ({ ops: 0, background: 0 }));
  const hot = plan.accounts.filter((a) => a.hot).map((a) => ({ spec: a, balance: a.balance, debits: 0, credits: 0, thresholdAtUs: null as number | null, exhaustedAtUs: null as number | null }));
  const hasher = new StreamHasher();
  let hotOps = 0;
  let jobOps = 0;
  let jobCount = 0;
  let phase = 0;
  let second = -1;
  let inSecond = 0;
  let peak = { ops: 0, atUs: 0 };
  for (const op of generateOps(plan)) {
    hasher.add(op);
    byKind[op.kind]++;
    while (phase < plan.phases.length - 1 && op.at >= (plan.phases[phase]?.endUs ?? 0)) phase++;
    const p = phaseOps[phase];
    if (p !== undefined) {
      p.ops++;
      if (op.job === -1) p.background++;
    }
    if (op.job !== -1) {
      jobOps++;
      jobCount = Math.max(jobCount, op.job + 1);
    }
    const bucket = Math.floor(op.at / 1e6);
    if (bucket !== second) [second, inSecond] = [bucket, 0];
    if (++inSecond > peak.ops) peak = { ops: inSecond, atUs: bucket * 1e6 };
    const h = hot[op.account];
    if (op.account < hot.length && h !== undefined) {
      hotOps++;
      const delta = deltaOf(op);
      if (delta < 0) h.debits -= delta;
      else h.credits += delta;
      h.balance += delta;
      if (h.thresholdAtUs === null && h.balance < h.spec.threshold) h.thresholdAtUs = op.at;
      if (h.exhaustedAtUs === null && h.balance < h.spec.floor) h.exhaustedAtUs = op.at;
    }
  }
  return {
    name: plan.name,
    description: plan.description,
    file: plan.file,
    seed: plan.seed,
    durationUs: plan.durationUs,
    rateScale: plan.rateScale,
    timeScale: plan.timeScale,
    budgetScale: plan.budgetScale,
    accounts: { total: plan.accounts.length, hot: hot.length },
    totalOps: hasher.count,
    byKind,
    byClass: { hot: hotOps, other: hasher.count - hotOps },
    jobs: { count: jobCount, ops: jobOps },
    phases: plan.phases.map((ph, i) => {
      const seconds = (ph.endUs - ph.startUs) / 1e6;
      const background = phaseOps[i]?.background ?? 0;
      return {
        name: ph.name,
        startUs: ph.startUs,
        endUs: ph.endUs,
        ops: phaseOps[i]?.ops ?? 0,
        backgroundOps: background,
        expectedRate: seconds > 0 ? expectedOps(ph) / seconds : 0,
        realisedRate: seconds > 0 ? background / seconds : 0,
      };
    }),
    peakPerSecond: peak,
    hotAccounts: hot.map((h) => {
      const where = h.exhaustedAtUs === null ? null : whereInPlan(plan, h.exhaustedAtUs);
      return {
        id: h.spec.id,
        name: h.spec.name,
        balance: h.spec.balance,
        floor: h.spec.floor,
        threshold: h.spec.threshold,
        debits: h.debits,
        credits: h.credits,
        finalBalance: h.balance,
        thresholdAtUs: h.thresholdAtUs,
        exhaustedAtUs: h.exhaustedAtUs,
        exhaustedPhase: where?.phase.name ?? null,
        exhaustedInBurst: where?.inBurst ?? false,
      };
    }),
    sha256: hasher.digest(),
  };
}

/** The phase holding absolute time `us`, and whether `us` is inside one of its burst windows. */
export function whereInPlan(plan: Plan, us: number): { phase: PlanPhase; inBurst: boolean } | null {
  const phase = plan.phases.find((p) => us >= p.startUs && us < p.endUs);
  if (phase === undefined) return null;
  for (const w of burstWindows(phase)) {
    if (w.startUs > us) break;
    if (us < w.endUs) return { phase, inBurst: true };
  }
  return { phase, inBurst: false };
}
