/**
 * The scenario schema: the single source of truth for what a scenario file may
 * say (STYLE.md §6). The TypeScript type is inferred from it, the JSON Schema
 * for editors is generated from it (`write-json-schema.ts`), unknown keys are
 * rejected everywhere, and every problem comes back at once with its path.
 *
 * Keys are snake_case as written in YAML. Durations are parsed to integer µs
 * here, so a parsed {@link Scenario} carries µs; amounts and balances are
 * integer minor units; rates are ops per second.
 *
 * Connection settings (database URLs and the like) never belong in a
 * scenario: they are rejected as unknown keys like any other.
 */
import { z } from 'zod';
import {
  durationToMicros,
  DURATION_PATTERN,
  MAX_ACCOUNTS,
  MAX_AMOUNT,
  MAX_BALANCE,
  MAX_DURATION_US,
  MAX_MULTIPLIER,
  MAX_RATE,
  RATE_PATTERN,
  readRate,
} from './units.js';

/** Scenario and account names: lowercase kebab-case, 1 to 63 characters. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

const nameText = 'a name of lowercase letters, digits and dashes (at most 63, not starting with a dash)';
const name = z.string().regex(NAME_PATTERN, { error: `expected ${nameText}` });

/** A duration: `500ms`, `10s`, `2m`, `250us`, `1h`, or an integer number of milliseconds. Parsed to µs. */
function duration(options: { positive: boolean }) {
  const text = 'a duration such as "500ms", "10s", "2m" or an integer number of milliseconds';
  return z
    .union([z.string().regex(DURATION_PATTERN, { error: `expected ${text}` }), z.int().min(0).max(MAX_DURATION_US / 1_000)], { error: `expected ${text}` })
    .transform((value, ctx) => {
      const us = durationToMicros(value) ?? -1;
      if (us > MAX_DURATION_US) ctx.issues.push({ code: 'custom', message: 'is longer than the 24h limit', input: value });
      else if (options.positive && us <= 0) ctx.issues.push({ code: 'custom', message: 'must be longer than 0', input: value });
      return us;
    });
}
const positiveDuration = duration({ positive: true });
const anyDuration = duration({ positive: false });

/** A rate: a number of ops per second, or a rate text with the one grammar (units/rate.ts: `800/s`, `2k/s`). Parsed to ops/s. */
function rateOf(options: { positive: boolean }) {
  const perS = options.positive ? z.number().positive().max(MAX_RATE) : z.number().min(0).max(MAX_RATE);
  const text = z.string().regex(RATE_PATTERN, { error: 'expected a rate such as 800, "100/s" or "2k/s" (ops per second)' }).transform((v) => readRate(v) ?? Number.NaN).pipe(perS);
  // The number first: a number out of bounds reports its bound (`must be > 0, got -3`), as before rates could be text.
  return z.union([perS, text], {
    error: (iss) => (typeof iss.input === 'number' ? 'expected a number, got a number too large to use' : 'expected a rate: a number of ops per second, or text such as "100/s" or "2k/s"'),
  });
}
const rate = rateOf({ positive: true });
const rampRate = rateOf({ positive: false });
const amount = z.int().min(1).max(MAX_AMOUNT);
const balance = z.int().min(-MAX_BALANCE).max(MAX_BALANCE);
const floor = z.int().min(-MAX_BALANCE).max(0);
const share = z.number().min(0).max(1);

/** How the amount of each op is drawn. Integers ≥ 1, minor units. */
export const amountSchema = z
  .discriminatedUnion('distribution', [
    z
      .strictObject({
        distribution: z.literal('fixed'),
        value: amount.describe('The amount of every op, minor units.'),
      })
      .describe('Every op has the same amount.'),
    z
      .strictObject({
        distribution: z.literal('uniform'),
        min: amount.describe('Smallest amount, minor units, inclusive.'),
        max: amount.describe('Largest amount, minor units, inclusive.'),
      })
      .describe('Integers drawn uniformly from [min, max].')
      .superRefine((v, ctx) => {
        if (v.min > v.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `must be ≤ max (${v.max})` });
      }),
    z
      .strictObject({
        distribution: z.literal('lognormal'),
        median: amount.describe('Median amount, minor units.'),
        sigma: z.number().positive().max(5).describe('Standard deviation of the log of the amount (0.5 = moderate spread).'),
        max: amount.describe('Largest amount, minor units; larger draws are clamped to it.'),
      })
      .describe('Right-skewed amounts (many small, a few large): round(median·e^(sigma·N(0,1))), clamped to [1, max].')
      .superRefine((v, ctx) => {
        if (v.median > v.max) ctx.addIssue({ code: 'custom', path: ['median'], message: `must be ≤ max (${v.max})` });
      }),
  ])
  .describe('An amount distribution: fixed, uniform or lognormal.');

const arrivalSchema = z
  .discriminatedUnion('process', [
    z
      .strictObject({ process: z.literal('constant'), rate: rate.describe('Ops per second.') })
      .describe('Evenly spaced arrivals at a fixed rate.'),
    z
      .strictObject({ process: z.literal('poisson'), rate: rate.describe('Mean ops per second.') })
      .describe('Poisson arrivals: exponential gaps around the mean rate.'),
    z
      .strictObject({
        process: z.literal('ramp'),
        from: rampRate.describe('Ops per second at the start of the phase.'),
        to: rampRate.describe('Ops per second at the end of the phase.'),
        spacing: z
          .enum(['even', 'poisson'])
          .default('even')
          .describe('even: evenly spaced along the ramp; poisson: random arrivals around it. Default even.'),
      })
      .describe('The rate changes linearly from `from` to `to` over the phase.')
      .superRefine((v, ctx) => {
        if (v.from === 0 && v.to === 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'from and to are both 0: a ramp needs a rate above 0 somewhere' });
      }),
  ])
  .describe('The arrival process of the phase: constant, poisson or ramp.');

const burstsSchema = z
  .strictObject({
    start: anyDuration.default(0).describe('When the first burst starts, after the phase start. Default 0.'),
    every: positiveDuration.optional().describe('Period between burst starts. Omit for a single burst (a spike).'),
    length: positiveDuration.describe('How long each burst lasts.'),
    multiplier: z.number().positive().max(MAX_MULTIPLIER).describe('The arrival rate is multiplied by this during each burst.'),
  })
  .describe('Bursts on top of the arrival process; windows past the phase end are cut off.')
  .superRefine((v, ctx) => {
    if (v.every !== undefined && v.length > v.every) ctx.addIssue({ code: 'custom', path: ['length'], message: 'must not be longer than every (bursts would overlap)' });
  });

const phaseSchema = z
  .strictObject({
    name: name.optional().describe('Shown in summaries and reports. Default phase-<n>.'),
    duration: positiveDuration.describe('How long the phase lasts.'),
    arrival: arrivalSchema,
    bursts: burstsSchema.optional(),
  })
  .describe('A stretch of the schedule with its own arrival process.');

const hotAccountSchema = z
  .strictObject({
    name: name.describe('How reports and jobs refer to this account.'),
    balance: balance.optional().describe('Initial balance, minor units. Default accounts.balance.'),
    floor: floor.optional().describe('Lowest allowed balance: 0, or minus a credit limit. Default accounts.floor.'),
    threshold: balance.optional().describe('Stop-delivery threshold, minor units: below it upstream should stop sending. Default: its floor.'),
    weight: z.number().positive().max(1_000_000).default(1).describe('Share of the hot traffic this account gets, relative to the other hot accounts. Default 1.'),
    role: z
      .enum(['revenue', 'settlement'])
      .optional()
      .describe("This hot account is the platform's revenue (every charge credits it) or settlement account (withdrawals and adjustments go through it), under counterparty: double."),
  })
  .describe('A named hot account. Hot accounts get the lowest ids, in the order listed.');

const accountsSchema = z
  .strictObject({
    count: z.int().min(1).max(MAX_ACCOUNTS).describe('Number of accounts, hot ones included.'),
    balance: balance.describe('Initial balance of every account unless overridden, minor units.'),
    floor: floor.default(0).describe('Lowest allowed balance: 0, or minus a credit limit, minor units. Default 0.'),
    threshold: balance.optional().describe('Stop-delivery threshold of the non-hot accounts, minor units. Default: the floor.'),
    hot: z.array(hotAccountSchema).max(1_000).default([]).describe('Named hot accounts (ids 0..n-1).'),
  })
  .describe('The accounts the ledger is seeded with.')
  .superRefine((v, ctx) => {
    const roles = new Set<string>();
    v.hot.forEach((h, i) => {
      if (h.role !== undefined && roles.has(h.role)) ctx.addIssue({ code: 'custom', path: ['hot', i, 'role'], message: `"${h.role}" is given to an earlier hot account: one account per role` });
      if (h.role !== undefined) roles.add(h.role);
    });
    if (v.hot.length > v.count) ctx.addIssue({ code: 'custom', path: ['count'], message: `is ${v.count} but ${v.hot.length} hot accounts are listed` });
    checkFloors(ctx, [], v.balance, v.floor, v.threshold);
    const seen = new Set<string>();
    v.hot.forEach((h, i) => {
      if (seen.has(h.name)) ctx.addIssue({ code: 'custom', path: ['hot', i, 'name'], message: `"${h.name}" is listed twice` });
      seen.add(h.name);
      checkFloors(ctx, ['hot', i], h.balance ?? v.balance, h.floor ?? v.floor, h.threshold, h.balance === undefined || h.floor === undefined);
    });
  }, { when: (payload) => payload.issues.length === 0 });

function checkFloors(ctx: z.RefinementCtx, at: (string | number)[], bal: number, flo: number, threshold: number | undefined, inherited = false): void {
  const note = inherited ? ' (balance or floor inherited from accounts)' : '';
  if (bal < flo) ctx.addIssue({ code: 'custom', path: [...at, 'balance'], message: `is ${bal}, below the floor ${flo}${note}` });
  if (threshold !== undefined && threshold < flo) ctx.addIssue({ code: 'custom', path: [...at, 'threshold'], message: `is ${threshold}, below the floor ${flo}` });
}

const othersSchema = z
  .discriminatedUnion('distribution', [
    z.strictObject({ distribution: z.literal('uniform') }).describe('Every non-hot account equally likely.'),
    z
      .strictObject({
        distribution: z.literal('zipf'),
        s: z.number().positive().max(10).describe('Zipf exponent: the k-th account gets weight 1/k^s (1 = classic Zipf).'),
      })
      .describe('Skewed: a few non-hot accounts get most of the traffic.'),
  ])
  .describe('How the ops that do not hit a hot account spread over the other accounts.');

const keysSchema = z
  .strictObject({
    hot_share: share.default(0).describe('Share of ops (0..1) that hit the hot accounts, split by weight. Default 0.'),
    others: othersSchema.default({ distribution: 'uniform' }),
  })
  .describe('Which account each op hits.');

const weight = z.number().min(0).max(1_000_000);

/** Relative weights of the op kinds. */
export const mixSchema = z
  .strictObject({
    charge: weight.default(0).describe('Debits that may be accepted before they are posted (ad clicks).'),
    topup: weight.default(0).describe('Credits.'),
    adjust: weight.default(0).describe('Single signed adjustments (bulk ones are `jobs`).'),
    withdraw: weight.default(0).describe('Debits checked against the real balance before acceptance.'),
    read: weight.default(0).describe('Balance checks.'),
    adjust_credit_share: share.default(0.5).describe('Share of `adjust` ops that are credits (positive). Default 0.5.'),
  })
  .describe('Relative weights of the op kinds; omitted kinds weigh 0.')
  .superRefine((v, ctx) => {
    if (v.charge + v.topup + v.adjust + v.withdraw + v.read <= 0) ctx.addIssue({ code: 'custom', message: 'all weights are 0: give at least one of charge, topup, adjust, withdraw, read a weight above 0' });
  });

const amountsSchema = z
  .strictObject({
    default: amountSchema.default({ distribution: 'fixed', value: 100 }).describe('Used for every kind without its own entry. Default fixed 100.'),
    charge: amountSchema.optional(),
    topup: amountSchema.optional(),
    adjust: amountSchema.optional(),
    withdraw: amountSchema.optional(),
  })
  .describe('Amount distributions, per op kind optionally.');

const jobSchema = z
  .strictObject({
    account: name.describe('The hot account the job adjusts.'),
    start: anyDuration.default(0).describe('Intended time of the first job. Default 0.'),
    every: positiveDuration.describe('Period between jobs.'),
    size: z.int().min(1).max(1_000_000).describe('Ops per job (K).'),
    spread: anyDuration.default(0).describe('Window the K ops are spread evenly over; 0 = one bulk submission at the same instant. Default 0.'),
    credit_share: share.default(0).describe('Share of the adjustments that are credits (positive). Default 0.'),
    amount: amountSchema.optional().describe('Magnitude of each adjustment. Default amounts.adjust, else amounts.default.'),
  })
  .describe('Bulk jobs: K `adjust` ops against one account, sharing a job id.')
  .superRefine((v, ctx) => {
    if (v.spread > v.every) ctx.addIssue({ code: 'custom', path: ['spread'], message: 'must not be longer than every (jobs would overlap)' });
    if ((v.size / v.every) * 1e6 > MAX_RATE) ctx.addIssue({ code: 'custom', path: ['size'], message: `${v.size} ops every ${v.every / 1000} ms is above ${MAX_RATE} ops/s` });
  });

/** Old `slo` keys, before the metric catalog's names: still read (with a note), never together with their new name. */
export const OLD_SLO_KEYS = { max_posting_delay_ms: 'posting_delay_p99_ms', max_overdraft: 'overdraft_amount', max_reject_share: 'reject_pct' } as const;

const limitMs = z.number().positive().max(3_600_000);
const sloSchema = z
  .strictObject({
    p99_ack_ms: limitMs.optional().describe('Highest acceptable 99th percentile ack latency, ms.'),
    p999_ack_ms: limitMs.optional().describe('Highest acceptable 99.9th percentile ack latency, ms.'),
    posting_delay_p99_ms: limitMs.optional().describe('Highest acceptable 99th percentile posting delay, ms.'),
    overdraft_amount: z.int().min(0).max(MAX_BALANCE).optional().describe('Highest acceptable total overdraft, minor units (0 = none allowed).'),
    max_stop_delivery_ms: limitMs.optional().describe('Highest acceptable stop-delivery delay, ms.'),
    reject_pct: z.number().min(0).max(100).optional().describe('Highest acceptable share of rejected ops, percent of recorded ops (0..100).'),
    max_posting_delay_ms: limitMs.optional().meta({ deprecated: true }).describe('Old name of posting_delay_p99_ms (still read).'),
    max_overdraft: z.int().min(0).max(MAX_BALANCE).optional().meta({ deprecated: true }).describe('Old name of overdraft_amount (still read).'),
    max_reject_share: share.optional().meta({ deprecated: true }).describe('Old name of reject_pct, as a share of 1 (0..1; still read).'),
  })
  .superRefine((v, ctx) => {
    for (const [old, now] of Object.entries(OLD_SLO_KEYS)) {
      if (v[old as keyof typeof v] !== undefined && v[now as keyof typeof v] !== undefined) ctx.addIssue({ code: 'custom', path: [old], message: `is the old name of ${now}, which is also given: keep ${now} only` });
    }
  })
  .describe('Service-level objectives the reports check a run against. All optional.');

/**
 * Runs a cross-field check only when the groups it reads parsed cleanly (and
 * the document is a mapping at all), so it never sees a half-parsed value.
 */
function cleanUnder(...roots: string[]) {
  const touches = (path: readonly PropertyKey[] | undefined) => path === undefined || path.length === 0 || roots.includes(String(path[0]));
  return { when: (payload: { issues: readonly { path?: readonly PropertyKey[] }[] }) => !payload.issues.some((i) => touches(i.path)) };
}

/** The scenario schema. Parse with `safeParse(data, { reportInput: true })` for messages that show the bad value. */
export const scenarioSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Editor hint (path or URL of scenario.schema.json); ignored.'),
    name: name.describe('Scenario name: lowercase letters, digits and dashes.'),
    description: z
      .string()
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(200)
      .regex(/^[^\r\n]*$/, { error: 'must be one line' })
      .describe('One line: what traffic this is and what it is meant to reveal.'),
    seed: z.int().min(0).max(Number.MAX_SAFE_INTEGER).default(1).describe('Seed of the op stream: same scenario + seed = same ops, byte for byte. Default 1.'),
    slo: sloSchema.optional(),
    counterparty: z
      .enum(['double', 'none'])
      .default('double')
      .describe(
        'double (default): every op names a counterparty, so money moves and never appears: charges credit the platform revenue account, withdrawals and adjustments go through a settlement account, top-ups come from an external clearing account (each appended after the scenario accounts unless a hot account takes the role). none: single entry, each op changes its own account only.',
      ),
    on_threshold: z
      .enum(['stop', 'none'])
      .default('none')
      .describe("What upstream does on the strategy's budget_exhausted signal (seed 000's control measure). stop: it stops sending that account's charges once the signal has reached it (after notify_latency) until budget_restored; none (default): it never reacts, the stress case."),
    notify_latency: anyDuration.default(0).describe('With on_threshold: stop, how long a signal takes to reach upstream. Default 0.'),
    accounts: accountsSchema,
    phases: z
      .array(phaseSchema)
      .min(1)
      .max(1_000)
      .describe('The schedule, in order.')
      .superRefine((phases, ctx) => {
        const total = phases.reduce((sum, p) => sum + p.duration, 0);
        if (total > MAX_DURATION_US) ctx.addIssue({ code: 'custom', message: 'the phases add up to more than the 24h limit' });
        const seen = new Set<string>();
        phases.forEach((p, i) => {
          if (p.name !== undefined && seen.has(p.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${p.name}" is used by an earlier phase` });
          if (p.name !== undefined) seen.add(p.name);
        });
      }),
    keys: keysSchema.default({ hot_share: 0, others: { distribution: 'uniform' } }),
    mix: mixSchema,
    hot_mix: mixSchema.optional().describe('Op mix for ops that hit a hot account (e.g. a settlement account that mostly receives credits). Default: mix.'),
    amounts: amountsSchema.default({ default: { distribution: 'fixed', value: 100 } }),
    jobs: z.array(jobSchema).max(100).default([]).describe('Bulk adjustment jobs, submitted on top of the phases.'),
  })
  .describe('A hotbench scenario: accounts, phases of traffic, key choice, op mix, amounts and bulk jobs.')
  .superRefine((s, ctx) => {
    const hot = s.accounts.hot.length;
    if (s.keys.hot_share > 0 && hot === 0)
      ctx.addIssue({ code: 'custom', path: ['keys', 'hot_share'], message: `is ${s.keys.hot_share} but accounts.hot is empty: name a hot account or set hot_share: 0` });
    if (s.keys.hot_share < 1 && hot === s.accounts.count)
      ctx.addIssue({ code: 'custom', path: ['keys', 'hot_share'], message: `is ${s.keys.hot_share} but every account is hot: raise accounts.count or set hot_share: 1` });
  }, cleanUnder('accounts', 'keys'))
  .superRefine((s, ctx) => {
    if (s.counterparty === 'none') {
      s.accounts.hot.forEach((h, i) => {
        if (h.role !== undefined) ctx.addIssue({ code: 'custom', path: ['accounts', 'hot', i, 'role'], message: `is "${h.role}" but counterparty is none: roles need counterparty: double` });
      });
    }
  }, cleanUnder('accounts', 'counterparty'))
  .superRefine((s, ctx) => {
    if (s.hot_mix !== undefined && s.accounts.hot.length === 0) ctx.addIssue({ code: 'custom', path: ['hot_mix'], message: 'is given but accounts.hot is empty' });
  }, cleanUnder('accounts', 'hot_mix'))
  .superRefine((s, ctx) => {
    const names = s.accounts.hot.map((h) => h.name);
    s.jobs.forEach((job, i) => {
      if (!names.includes(job.account)) {
        const known = names.length > 0 ? `hot accounts: ${names.join(', ')}` : 'accounts.hot is empty';
        ctx.addIssue({ code: 'custom', path: ['jobs', i, 'account'], message: `no hot account named "${job.account}" (${known})` });
      }
    });
  }, cleanUnder('accounts', 'jobs'));

/** A parsed, valid scenario: defaults applied, durations in µs. */
export type Scenario = z.infer<typeof scenarioSchema>;
/** A scenario as written in a file (durations as strings or ms, defaults optional). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
/** A parsed amount distribution. */
export type AmountSpec = z.infer<typeof amountSchema>;
/** A parsed op mix (weights per kind). */
export type MixSpec = z.infer<typeof mixSchema>;
