/**
 * Sweep delay (credit-debit-split, seed 001 §5.2.1 "adds ... withdrawal
 * delay"): for every credit that landed on a credit sub-account (a physical
 * row with role `credit`), the time until the sweep that moved it into the
 * debit account. Applies to any ledger with `credit` rows; returns early
 * otherwise.
 *
 * A sweep locks the credit row and empties it with one transfer leg (an entry
 * with `transfer_id`) inserted under that lock, so the sweep that moved a
 * credit is the first transfer leg on the same row after the credit's entry
 * in `seq` (posting) order. Delay = that leg's `created_at` − the credit
 * entry's `created_at`: both on PostgreSQL's clock, so no clock conversion
 * enters the difference; both are insert times, each followed by its own
 * commit, so it is the time from the credit being booked to it being
 * movable by a debit, up to the difference of the two commit latencies.
 *
 * Rows: a sample `sweep_delay_us` per credit, at `t_us` = the credit entry's
 * `created_at` on the schedule clock; one note event `unswept_credits` (with
 * the count and amount) if credits were never swept. The server pairs each
 * credit with its sweep (a window over the row's entries) and streams the
 * pairs: memory O(1).
 */
import { toInt } from '../../strategies/ledger.js';
import type { Analysis, AnalysisContext } from './types.js';
import { ledgerRows } from './ordered-rows.js';

const HAS_CREDIT_ROWS_SQL = `SELECT EXISTS (SELECT 1 FROM accounts WHERE role = 'credit') AS has`;

const PAIRS_SQL = `
  SELECT t, swept, delta FROM (
    SELECT e.op_id, e.delta, (extract(epoch from e.created_at) * 1e6)::bigint AS t,
           min(CASE WHEN e.transfer_id IS NOT NULL THEN (extract(epoch from e.created_at) * 1e6)::bigint END)
             OVER (PARTITION BY e.account_id ORDER BY e.seq ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS swept
    FROM entries e JOIN accounts a ON a.id = e.account_id
    WHERE a.role = 'credit') p
  WHERE op_id IS NOT NULL
  ORDER BY t`;

/** The `sweep-delay` analysis (see the module docs). */
export const sweepDelay: Analysis = { name: 'sweep-delay', run: async (ctx) => void (await measureSweepDelay(ctx)) };

/** Runs the analysis; returns the number of credits swept, the largest delay (µs) and the credits never swept. */
export async function measureSweepDelay(ctx: AnalysisContext): Promise<{ swept: number; maxDelayUs: number; unswept: number }> {
  const has = await ctx.ledger.query<{ has: boolean }>(HAS_CREDIT_ROWS_SQL);
  const result = { swept: 0, maxDelayUs: 0, unswept: 0 };
  if (has.rows[0]?.has !== true) return result;
  let unsweptAmount = 0;
  for await (const [rawT, rawSwept, rawDelta] of ledgerRows(ctx.ledger, PAIRS_SQL)) {
    const t = toInt(rawT as string);
    if (rawSwept === null) {
      result.unswept++;
      unsweptAmount += toInt(rawDelta as string);
      continue;
    }
    const delay = toInt(rawSwept as string) - t;
    result.swept++;
    if (delay > result.maxDelayUs) result.maxDelayUs = delay;
    ctx.rows.push('samples', { ...ctx.key, t_us: ctx.pgToScheduleUs(t), name: 'sweep_delay_us', value: delay });
  }
  if (result.unswept > 0) {
    const detail = `${result.unswept} credit${result.unswept === 1 ? ' was' : 's were'} never swept into the debit account (${unsweptAmount} in total)`;
    ctx.rows.push('events', { ...ctx.key, at_us: -1, type: 'note', kind: 'unswept_credits', account: -1, detail });
  }
  ctx.log(`sweep delay: ${result.swept} credits swept, longest ${(result.maxDelayUs / 1000).toFixed(1)} ms${result.unswept > 0 ? `; ${result.unswept} never swept` : ''}`);
  return result;
}
