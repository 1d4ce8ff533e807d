/**
 * The op stream of a plan: background arrivals (phases) decorated with an
 * account, a kind and an amount, merged in time order with the bulk jobs.
 *
 * Guarantees: streaming (O(1) memory: nothing is collected), deterministic
 * (same plan ⇒ the same ops on every call), ids dense from 0, `at`
 * non-decreasing integer µs inside [0, durationUs). Arrivals, keys, kinds,
 * amounts and each job spec draw from separate random streams, so changing
 * the mix or the amounts does not move a single arrival.
 */
import type { Op, OpKind } from './op.js';
import { arrivalTimes } from './arrivals.js';
import type { Plan, PlanJob } from './plan.js';
import { createRng, type Rng } from './random.js';
import { accountChooser, amountSampler, kindChooser } from './sampling.js';

/** An op before it has an id; `firstOfJob` marks where a new job id starts. */
interface Draft {
  readonly at: number;
  readonly kind: OpKind;
  readonly account: number;
  readonly amount: number;
  readonly inJob: boolean;
  readonly firstOfJob: boolean;
}

/** Generates the plan's op stream. Each call starts a fresh, identical pass. */
export function* generateOps(plan: Plan): Generator<Op, void, undefined> {
  const sources = [background(plan), ...plan.jobs.map((job, i) => jobOps(plan, job, createRng(plan.seed, `job-${i}-signs`), createRng(plan.seed, `job-${i}-amounts`)))];
  const heads = sources.map((s) => s.next());
  const currentJob = sources.map(() => -1);
  let id = 0;
  let nextJob = 0;
  for (;;) {
    // Earliest head wins; ties go to the lower source (background first), so the order is fixed.
    let pick = -1;
    let best = Infinity;
    heads.forEach((h, i) => {
      if (!h.done && h.value.at < best) [pick, best] = [i, h.value.at];
    });
    if (pick === -1) return;
    const draft = (heads[pick] as IteratorYieldResult<Draft>).value;
    if (draft.firstOfJob) currentJob[pick] = nextJob++;
    yield { id: id++, at: draft.at, kind: draft.kind, account: draft.account, amount: draft.amount, job: draft.inJob ? (currentJob[pick] ?? -1) : -1 };
    heads[pick] = (sources[pick] as Generator<Draft>).next();
  }
}

function* background(plan: Plan): Generator<Draft> {
  const arrivals = createRng(plan.seed, 'arrivals');
  const kinds = createRng(plan.seed, 'kinds');
  const amounts = createRng(plan.seed, 'amounts');
  const account = accountChooser(plan.keys, createRng(plan.seed, 'keys'));
  const hotCount = plan.keys.hot.length;
  const mix = { kind: kindChooser(plan.mix), creditShare: plan.mix.adjustCreditShare };
  const hotMix = plan.hotMix === null ? mix : { kind: kindChooser(plan.hotMix), creditShare: plan.hotMix.adjustCreditShare };
  const amount: Record<Exclude<OpKind, 'read'>, () => number> = {
    charge: amountSampler(plan.amounts.charge, amounts),
    topup: amountSampler(plan.amounts.topup, amounts),
    adjust: amountSampler(plan.amounts.adjust, amounts),
    withdraw: amountSampler(plan.amounts.withdraw, amounts),
  };
  for (const phase of plan.phases) {
    for (const at of arrivalTimes(phase, arrivals)) {
      const target = account();
      const m = target < hotCount ? hotMix : mix;
      const kind = m.kind(kinds.float());
      let value = 0;
      if (kind === 'adjust') value = kinds.float() < m.creditShare ? amount.adjust() : -amount.adjust();
      else if (kind !== 'read') value = amount[kind]();
      yield { at, kind, account: target, amount: value, inJob: false, firstOfJob: false };
    }
  }
}

/** The ops of one job spec: every job whole (all K ops) and inside the schedule, or not at all. */
function* jobOps(plan: Plan, job: PlanJob, signs: Rng, amounts: Rng): Generator<Draft> {
  const magnitude = amountSampler(job.amount, amounts);
  const fits = (start: number) => (job.spreadUs === 0 ? start < plan.durationUs : start + job.spreadUs <= plan.durationUs);
  for (let start = job.startUs; fits(start); start += job.everyUs) {
    for (let i = 0; i < job.size; i++) {
      const credit = signs.float() < job.creditShare;
      const size = magnitude();
      const at = start + Math.floor((i * job.spreadUs) / job.size);
      yield { at, kind: 'adjust', account: job.account, amount: credit ? size : -size, inJob: true, firstOfJob: i === 0 };
    }
  }
}
