/**
 * Posting truth: `applied` means "the op's entry is committed in the ledger
 * before `submit` returned" (strategies/contract.ts). A strategy that says
 * `applied` and posts later passes the audit (the final ledger is clean) but
 * lies about its latency: its ack latency is not its posting delay. This
 * analysis catches it from the timing.
 *
 * For every non-read op recorded `applied`, the ledger entry's `created_at`
 * (PostgreSQL's clock at INSERT, which precedes the commit, which precedes the
 * ack) is mapped to the schedule clock and compared with the op's `acked_us`
 * (read after the outcome came back, so event-loop delays only make it later).
 * For an honest strategy `created_at < acked_us`. An entry created after the
 * ack by more than the clock mapping's uncertainty + {@link MARGIN_US} +
 * {@link DRIFT_PPM} of the elapsed schedule time is an incident of kind
 * `applied_before_posting`: op_id, account, amount = |op amount|, at_us = the
 * ack, detail = how long after the ack the entry was created. Ops recorded
 * `applied` with no entry are not judged here (the auditor counts them lost).
 *
 * Streaming, both sides in op id order: the applied ops from ClickHouse a
 * page at a time, the first entry of each op id from a PostgreSQL cursor; a
 * merge join holds one page and one cursor batch.
 */
import { toInt } from '../../strategies/ledger.js';
import type { Analysis, AnalysisContext } from './types.js';
import { ledgerRows, PAGE_ROWS } from './ordered-rows.js';

/** Slack beyond the clock uncertainty before an entry counts as created after its ack, µs. */
export const MARGIN_US = 1_000;
/**
 * The two clocks (the run's monotonic clock, PostgreSQL's wall clock) were
 * matched once at schedule start; NTP may slew the wall clock since. 20 ppm
 * of the elapsed schedule time is allowed for that (12 ms after 10 minutes).
 */
export const DRIFT_PPM = 20;

/** What the analysis found. */
export interface PostingTruthResult {
  /** Applied non-read ops that had an entry to compare. */
  readonly checked: number;
  /** Of which the entry was created after the ack (incidents written). */
  readonly early: number;
  /** Largest (entry created − ack) seen among the incidents, µs; 0 if none. */
  readonly worstUs: number;
}

/** The `posting-truth` analysis, for {@link ANALYSES}. */
export const postingTruth: Analysis = {
  name: 'posting-truth',
  async run(ctx) {
    const r = await checkPostingTruth(ctx);
    if (r.early > 0) ctx.log(`posting truth: ${r.early} of ${r.checked} applied ops were posted after their ack (up to ${(r.worstUs / 1000).toFixed(1)} ms)`);
  },
};

const HAS_LEDGER_SQL = `SELECT to_regclass('entries') IS NOT NULL AS has`;

/** The first entry of each op id (a duplicated op is judged by its first posting). */
const ENTRIES_SQL = `
  SELECT DISTINCT ON (op_id) op_id, (extract(epoch from created_at) * 1e6)::bigint AS t
  FROM entries WHERE op_id IS NOT NULL
  ORDER BY op_id, created_at, seq`;

const APPLIED_SQL = `
  SELECT op_id, account, amount, acked_us FROM ops
  WHERE run_id = {run:String} AND strategy = {strategy:String} AND rep = {rep:UInt32}
    AND status = 'applied' AND kind != 'read' AND acked_us >= 0 AND op_id >= {from:UInt64}
  ORDER BY op_id
  LIMIT {limit:UInt32}`;

interface AppliedOp {
  readonly op_id: number;
  readonly account: number;
  readonly amount: number;
  readonly acked_us: number;
}

/** Runs the check on replay `ctx.key` and pushes one incident per op posted after its ack. */
export async function checkPostingTruth(ctx: AnalysisContext): Promise<PostingTruthResult> {
  const has = await ctx.ledger.query<{ has: boolean }>(HAS_LEDGER_SQL);
  if (has.rows[0]?.has !== true) return { checked: 0, early: 0, worstUs: 0 };

  let checked = 0;
  let early = 0;
  let worstUs = 0;
  const entries = ledgerRows(ctx.ledger, ENTRIES_SQL)[Symbol.asyncIterator]();
  let entry = await nextEntry(entries);
  try {
    for await (const op of appliedOps(ctx)) {
      while (entry !== undefined && entry.opId < op.op_id) entry = await nextEntry(entries);
      if (entry === undefined) break; // no entry left for this op or any later one: nothing more to judge
      if (entry.opId !== op.op_id) continue; // applied but never posted: the auditor's `lost`
      checked++;
      const createdUs = ctx.pgToScheduleUs(entry.pgUs);
      const slackUs = ctx.pgClockUncertaintyUs + MARGIN_US + Math.ceil((Math.max(0, op.acked_us) * DRIFT_PPM) / 1e6);
      const afterUs = createdUs - op.acked_us;
      if (afterUs <= slackUs) continue;
      early++;
      if (afterUs > worstUs) worstUs = afterUs;
      ctx.rows.push('incidents', {
        ...ctx.key,
        kind: 'applied_before_posting',
        op_id: op.op_id,
        account: op.account,
        amount: Math.abs(op.amount),
        at_us: op.acked_us,
        detail: `answered applied, but its ledger entry was created ${afterUs} µs after the ack (allowance ${slackUs} µs)`,
      });
    }
  } finally {
    await entries.return?.(undefined); // closes the cursor and its transaction when we stop early
  }
  return { checked, early, worstUs };
}

async function nextEntry(it: AsyncIterator<unknown[]>): Promise<{ opId: number; pgUs: number } | undefined> {
  const r = await it.next();
  if (r.done === true) return undefined;
  const [opId, t] = r.value;
  return { opId: toInt(opId as string), pgUs: toInt(t as string) };
}

/** The replay's applied non-read ops in op id order, each once (a row recorded twice is skipped). */
async function* appliedOps(ctx: AnalysisContext): AsyncGenerator<AppliedOp> {
  let from = 0;
  let last = -1;
  for (;;) {
    const rows = await ctx.store.query<AppliedOp>(APPLIED_SQL, { run: ctx.key.run_id, strategy: ctx.key.strategy, rep: ctx.key.rep, from, limit: PAGE_ROWS });
    for (const r of rows) {
      const op = { op_id: Number(r.op_id), account: Number(r.account), amount: Number(r.amount), acked_us: Number(r.acked_us) };
      if (op.op_id === last) continue;
      last = op.op_id;
      yield op;
    }
    if (rows.length < PAGE_ROWS) return;
    from = last + 1;
  }
}
