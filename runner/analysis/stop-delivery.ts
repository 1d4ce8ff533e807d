/**
 * Stop-delivery delay (DESIGN.md §5, seed 000's control measure "when an
 * account balance becomes insufficient, immediately notify upstream systems
 * to stop ad delivery"): from the moment an account's ledger balance falls
 * below its threshold (`AccountSpec.threshold`) to the moment the strategy
 * signals `budget_exhausted` for it.
 *
 * The ledger side: per logical account, the running balance over its op
 * entries in posting (`seq`) order from the initial balance (internal
 * transfers left out, as in the overdraft audit); a *crossing* is the entry
 * that takes it from ≥ threshold to < threshold, at that entry's
 * `created_at` on the schedule clock; a *recovery* is the entry that takes it
 * back. The server computes the running sums and returns only those
 * transitions. The strategy side: its `budget_exhausted` / `budget_restored`
 * signals (`events`, type `signal`), in time order.
 *
 * For each crossing at c:
 * - the strategy had already signalled `budget_exhausted` (at s, not restored
 *   since): delay s − c ≤ 0 (it told upstream before the ledger got there);
 * - else the first `budget_exhausted` at s ≥ c before the recovery: delay s − c;
 * - else: never signalled for this crossing.
 *
 * Rows: a sample `stop_delivery_delay_us:<account>` at `t_us` = c with the
 * delay in µs; for a crossing never signalled, an incident
 * `stop_delivery_missed` (`account`, `at_us` = c, `amount` 0, `detail` says
 * until when). Memory: O(1) per account; both inputs stream in account order.
 */
import { toInt } from '../../strategies/ledger.js';
import type { Analysis, AnalysisContext } from './types.js';
import { ledgerRows, Peekable } from './ordered-rows.js';

const TRANSITIONS_SQL = `
  SELECT owner, t, below FROM (
    SELECT owner, seq, t, below, lag(below, 1, initial_below) OVER (PARTITION BY owner ORDER BY seq) AS was_below
    FROM (SELECT x.owner, x.seq, (extract(epoch from x.created_at) * 1e6)::bigint AS t,
                 l.initial + sum(x.delta) OVER (PARTITION BY x.owner ORDER BY x.seq ROWS UNBOUNDED PRECEDING) < l.threshold AS below,
                 l.initial < l.threshold AS initial_below
          FROM entries x JOIN unnest($1::int[], $2::bigint[], $3::bigint[]) AS l(owner, initial, threshold) ON l.owner = x.owner
          WHERE x.op_id IS NOT NULL) r) s
  WHERE below <> was_below
  ORDER BY owner, seq`;

// Signals can share a time; the page order covers every selected column, so ties are interchangeable.
const SIGNALS_SQL = `
  SELECT account, at_us, kind FROM events
  WHERE run_id = {run:String} AND strategy = {strategy:String} AND rep = {rep:UInt32}
    AND type = 'signal' AND kind IN ('budget_exhausted', 'budget_restored')
  ORDER BY account, at_us, kind LIMIT {limit:UInt32} OFFSET {offset:UInt64}`;

const SIGNAL_PAGE = 20_000;

interface Step {
  readonly account: number;
  readonly t: number;
  /** Ledger transitions: below (crossing) or not (recovery). Signals: exhausted or restored. */
  readonly kind: 'crossing' | 'recovery' | 'exhausted' | 'restored';
}

/** The `stop-delivery` analysis (see the module docs). */
export const stopDelivery: Analysis = { name: 'stop-delivery', run: async (ctx) => void (await measureStopDelivery(ctx)) };

/** Runs the analysis; returns how many threshold crossings the ledger shows and how many of them were signalled. */
export async function measureStopDelivery(ctx: AnalysisContext): Promise<{ crossings: number; signalled: number }> {
  const accounts = ctx.plan.accounts;
  const ledger = new Peekable(transitions(ctx));
  const signals = new Peekable(signalStream(ctx));
  const result = { crossings: 0, signalled: 0 };
  let account = -1;
  let exhaustedSince: number | undefined;
  let crossing: number | undefined;

  const missed = (until: string): void => {
    if (crossing === undefined) return;
    const spec = accounts[account];
    ctx.rows.push('incidents', {
      ...ctx.key,
      kind: 'stop_delivery_missed',
      op_id: -1,
      account,
      amount: 0,
      at_us: crossing,
      detail: `the balance fell below the threshold ${spec?.threshold ?? '?'} at ${crossing} us and the strategy did not signal budget_exhausted ${until}`,
    });
    crossing = undefined;
  };
  const delay = (signalAt: number): void => {
    if (crossing === undefined) return;
    result.signalled++;
    ctx.rows.push('samples', { ...ctx.key, t_us: crossing, name: `stop_delivery_delay_us:${account}`, value: signalAt - crossing });
    crossing = undefined;
  };

  try {
    for (;;) {
      const [l, s] = [await ledger.peek(), await signals.peek()];
      if (l === undefined && s === undefined) break;
      // Account by account; within one, by time, a signal first on a tie (delay 0 either way).
      const takeSignal = l === undefined || (s !== undefined && (s.account < l.account || (s.account === l.account && s.t <= l.t)));
      const step = (takeSignal ? await signals.take() : await ledger.take())!;
      if (step.account !== account) {
        missed('before the end of the run');
        account = step.account;
        exhaustedSince = undefined;
      }
      switch (step.kind) {
        case 'exhausted':
          exhaustedSince ??= step.t;
          delay(step.t);
          break;
        case 'restored':
          exhaustedSince = undefined;
          break;
        case 'crossing':
          result.crossings++;
          crossing = step.t;
          if (exhaustedSince !== undefined) delay(exhaustedSince);
          break;
        case 'recovery':
          missed(`before it recovered at ${step.t} us`);
          break;
      }
    }
    missed('before the end of the run');
  } finally {
    await Promise.all([ledger.close(), signals.close()]);
  }
  if (result.crossings > 0) ctx.log(`stop delivery: ${result.signalled} of ${result.crossings} threshold crossings signalled`);
  return result;
}

async function* transitions(ctx: AnalysisContext): AsyncGenerator<Step> {
  const a = ctx.plan.accounts;
  const params = [a.map((x) => x.id), a.map((x) => x.balance), a.map((x) => x.threshold)];
  for await (const [owner, t, below] of ledgerRows(ctx.ledger, TRANSITIONS_SQL, params)) {
    yield { account: toInt(owner as number), t: ctx.pgToScheduleUs(toInt(t as string)), kind: below === true ? 'crossing' : 'recovery' };
  }
}

async function* signalStream(ctx: AnalysisContext): AsyncGenerator<Step> {
  for (let offset = 0; ; offset += SIGNAL_PAGE) {
    const rows = await ctx.store.query<{ account: number; at_us: number; kind: string }>(SIGNALS_SQL, {
      run: ctx.key.run_id,
      strategy: ctx.key.strategy,
      rep: ctx.key.rep,
      limit: SIGNAL_PAGE,
      offset,
    });
    for (const r of rows) yield { account: Number(r.account), t: Number(r.at_us), kind: r.kind === 'budget_exhausted' ? 'exhausted' : 'restored' };
    if (rows.length < SIGNAL_PAGE) return;
  }
}
