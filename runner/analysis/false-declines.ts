/**
 * False declines (DESIGN.md §5): a debit rejected for insufficient funds while
 * the account's total funds (all its physical rows together) covered it.
 *
 * For every op this replay recorded `rejected` / `insufficient_funds`, the
 * logical account's available funds are followed over the op's window
 * [sent_us, acked_us], widened on both sides by the PostgreSQL clock's
 * uncertainty. Available funds at t = the ledger balance (initial + the
 * deltas of every entry of the owner, transfer legs included since they net
 * to zero within it, whose `created_at` mapped to the schedule clock is ≤ t)
 * minus the debits already promised but not yet in the ledger: ops recorded
 * `accepted` whose amount is a debit count from their sent_us until their
 * posting (for ever if never posted). So a deferred strategy's decline made
 * against its own (correctly lower) view is not blamed on it; pending credits
 * are not counted as funds. The decline is false only if
 * `available − amount ≥ floor` held during the WHOLE window: a decline made
 * while a concurrent debit was being posted, or before a credit landed, is
 * never counted. All of this is deliberately conservative; note also that
 * `created_at` is the insert time of an entry, before its commit.
 *
 * Streaming: the declines and the promised debits come from ClickHouse in
 * pages ordered by (account, time), the entries from a PostgreSQL cursor
 * ordered by (owner, created_at, seq); the balance changes are merged by
 * time, then swept against the declines account by account. Memory is one
 * page per stream, one cursor batch, and the declines whose windows are open
 * (with the running minima inside them).
 *
 * Writes incidents of kind `false_decline`: op_id, account, amount = the
 * declined debit, at_us = the decline's acked_us, detail with the lowest
 * available funds during the window and the floor.
 */
import type { PoolClient } from 'pg';
import { cursorBatches } from '../audit/cursor.js';
import type { Analysis, AnalysisContext } from './types.js';

/** Tuning for tests; defaults suit real runs. */
export interface FalseDeclineOptions {
  /** Declines read from ClickHouse per query. Default 10,000. */
  readonly pageRows?: number;
  /** Entries fetched per cursor round trip. Default 10,000. */
  readonly batchRows?: number;
}

/** What the analysis found. */
export interface FalseDeclineResult {
  /** Ops recorded rejected for insufficient funds. */
  readonly declines: number;
  /** Of which false declines. */
  readonly falseDeclines: number;
}

/** One recorded decline, times on the schedule clock (µs). */
interface Decline {
  readonly opId: number;
  readonly account: number;
  /** The debit refused, positive minor units. */
  readonly amount: number;
  readonly sentUs: number;
  readonly ackedUs: number;
}

/** The analysis, for {@link ANALYSES}. */
export const falseDeclines: Analysis = {
  name: 'false-declines',
  async run(ctx) {
    const result = await findFalseDeclines(ctx);
    if (result.declines > 0) ctx.log(`false declines: ${result.falseDeclines} of ${result.declines} insufficient-funds declines`);
  },
};

/** Finds the false declines of the replay `ctx.key` and pushes one incident for each. */
export async function findFalseDeclines(ctx: AnalysisContext, options: FalseDeclineOptions = {}): Promise<FalseDeclineResult> {
  const pageRows = options.pageRows ?? 10_000;
  const batchRows = options.batchRows ?? 10_000;
  const key = { run: ctx.key.run_id, strategy: ctx.key.strategy, rep: ctx.key.rep };
  const accounts = (
    await ctx.store.query<{ account: number }>(`SELECT DISTINCT account FROM ops WHERE ${DECLINED} ORDER BY account`, key)
  ).map((r) => Number(r.account)).filter((a) => ctx.plan.accounts[a] !== undefined);
  if (accounts.length === 0) return { declines: 0, falseDeclines: 0 };

  const client = await ctx.ledger.connect();
  let failed = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const changes = mergeChanges([
      entryStream(ctx, client, accounts, batchRows),
      promisedDebits(ctx, key, accounts, pageRows, 'start'),
      promisedDebits(ctx, key, accounts, pageRows, 'end'),
    ]);
    const result = await sweep(ctx, declinePages(ctx, key, pageRows), changes);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release(failed ? true : undefined);
  }
}

/** The replay's insufficient-funds declines that were sent and answered. */
const DECLINED = `run_id = {run:String} AND strategy = {strategy:String} AND rep = {rep:UInt32}
  AND status = 'rejected' AND reason = 'insufficient_funds' AND sent_us >= 0 AND acked_us >= 0`;

/** Declines in (account, sent_us, op_id) order, a page at a time (keyset pagination), each op once. */
async function* declinePages(ctx: AnalysisContext, key: Record<string, string | number>, pageRows: number): AsyncGenerator<Decline> {
  // account -1 admits every row of the first page, whatever the other two say.
  let after = { account: -1, sent: -1, op: 0 };
  for (;;) {
    const rows = await ctx.store.query<{ op_id: number; account: number; kind: string; amount: number; sent_us: number; acked_us: number }>(
      `SELECT op_id, account, kind, amount, sent_us, acked_us FROM ops
       WHERE ${DECLINED}
         AND (account > {a:Int64} OR (account = {a:Int64} AND (sent_us > {s:Int64} OR (sent_us = {s:Int64} AND op_id > {o:UInt64}))))
       ORDER BY account, sent_us, op_id
       LIMIT {n:UInt32}`,
      { ...key, a: after.account, s: after.sent, o: after.op, n: pageRows },
    );
    for (const r of rows) {
      const d = { opId: Number(r.op_id), account: Number(r.account), amount: Math.abs(Number(r.amount)), sentUs: Number(r.sent_us), ackedUs: Number(r.acked_us) };
      if (d.opId === after.op && d.account === after.account) continue; // a row recorded twice
      after = { account: d.account, sent: d.sentUs, op: d.opId };
      yield d;
    }
    if (rows.length < pageRows) return;
  }
}

/** A change of an account's available funds: schedule time (µs) and signed delta. */
interface Change {
  readonly account: number;
  readonly tUs: number;
  readonly delta: number;
}

/** The ledger entries of `owners`, in (owner, created_at, seq) order, through a cursor. */
async function* entryStream(ctx: AnalysisContext, client: PoolClient, owners: readonly number[], batchRows: number): AsyncGenerator<Change> {
  const sql = `SELECT owner, (extract(epoch from created_at) * 1000000)::bigint AS t, delta FROM entries
               WHERE owner = ANY($1::int[]) ORDER BY owner, created_at, seq`;
  for await (const batch of cursorBatches(client, sql, [owners], batchRows)) {
    for (const [owner, t, delta] of batch) yield { account: Number(owner), tUs: ctx.pgToScheduleUs(Number(t)), delta: Number(delta) };
  }
}

/** Most accounts named in a query's filter (about 8 bytes each of ClickHouse's 256 KB query limit). */
const MAX_LISTED_ACCOUNTS = 10_000;

/** Accepted ops that debit their account (an `adjust` debits when negative). */
const PROMISED_DEBIT = `run_id = {run:String} AND strategy = {strategy:String} AND rep = {rep:UInt32}
  AND status = 'accepted' AND sent_us >= 0 AND (kind IN ('charge', 'withdraw') OR (kind = 'adjust' AND amount < 0))`;

/**
 * Promised debits as changes of the available funds, in (account, time)
 * order, a page at a time: `start` = minus the amount at sent_us; `end` =
 * plus the amount when the strategy reported it posted (no end when never).
 */
async function* promisedDebits(
  ctx: AnalysisContext,
  key: Record<string, string | number>,
  accounts: readonly number[],
  pageRows: number,
  side: 'start' | 'end',
): AsyncGenerator<Change> {
  // Only the accounts with declines matter; a very long list would outgrow ClickHouse's query size, so it is then left out.
  const only = accounts.length <= MAX_LISTED_ACCOUNTS ? ' AND has({accounts:Array(Int64)}, account)' : '';
  const promised = `${PROMISED_DEBIT}${only}`;
  const source =
    side === 'start'
      ? `SELECT op_id, account, sent_us AS t, abs(amount) AS debit FROM ops WHERE ${promised}`
      : `SELECT op_id, account, posted_us AS t, debit FROM postings
         ANY INNER JOIN (SELECT op_id, account, abs(amount) AS debit FROM ops WHERE ${promised}) AS promised USING (op_id)
         WHERE run_id = {run:String} AND strategy = {strategy:String} AND rep = {rep:UInt32}`;
  let after = { account: -1, t: -1, op: 0 };
  for (;;) {
    const rows = await ctx.store.query<{ op_id: number; account: number; t: number; debit: number }>(
      `SELECT op_id, account, t, debit FROM (${source})
       WHERE account > {a:Int64} OR (account = {a:Int64} AND (t > {s:Int64} OR (t = {s:Int64} AND op_id > {o:UInt64})))
       ORDER BY account, t, op_id
       LIMIT {n:UInt32}`,
      { ...key, accounts, a: after.account, s: after.t, o: after.op, n: pageRows },
    );
    for (const r of rows) {
      const c = { opId: Number(r.op_id), account: Number(r.account), t: Number(r.t) };
      if (c.opId === after.op && c.account === after.account) continue; // a row recorded twice
      after = { account: c.account, t: c.t, op: c.opId };
      yield { account: c.account, tUs: c.t, delta: side === 'start' ? -Number(r.debit) : Number(r.debit) };
    }
    if (rows.length < pageRows) return;
  }
}

/** Merges change streams, each sorted by (account, time), into one sorted stream. */
async function* mergeChanges(streams: AsyncGenerator<Change>[]): AsyncGenerator<Change> {
  const heads = await Promise.all(streams.map((s) => s.next()));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i] as IteratorResult<Change>;
      if (h.done) continue;
      const b = best < 0 ? undefined : (heads[best] as IteratorYieldResult<Change>).value;
      if (b === undefined || h.value.account < b.account || (h.value.account === b.account && h.value.tUs < b.tUs)) best = i;
    }
    if (best < 0) return;
    yield (heads[best] as IteratorYieldResult<Change>).value;
    heads[best] = await (streams[best] as AsyncGenerator<Change>).next();
  }
}

/** A decline whose widened window the sweep has entered. */
interface Open {
  readonly decline: Decline;
  readonly fromUs: number;
  readonly toUs: number;
  /** The balance when the window opened. */
  readonly atOpen: number;
  closed: boolean;
}

/** Walks the declines and the changes account by account, in time order. */
async function sweep(ctx: AnalysisContext, declines: AsyncGenerator<Decline>, changes: AsyncGenerator<Change>): Promise<FalseDeclineResult> {
  const u = Math.max(0, ctx.pgClockUncertaintyUs);
  let total = 0;
  let found = 0;
  let d = await declines.next();
  let e = await changes.next();
  while (!d.done) {
    const account = d.value.account;
    const spec = ctx.plan.accounts[account];
    while (!e.done && e.value.account < account) e = await changes.next();
    if (spec === undefined) {
      d = await declines.next();
      continue;
    }
    const funds = new AccountSweep(spec.balance);
    const judge = (o: Open, min: number): void => {
      total += 1;
      if (min - o.decline.amount < spec.floor) return;
      found += 1;
      ctx.rows.push('incidents', {
        ...ctx.key,
        kind: 'false_decline',
        op_id: o.decline.opId,
        account,
        amount: o.decline.amount,
        at_us: o.decline.ackedUs,
        detail: `declined a debit of ${o.decline.amount} while the account had at least ${min} available (floor ${spec.floor}) throughout [${o.fromUs}, ${o.toUs}] µs (sent..acked ± ${u} µs clock uncertainty)`,
      });
    };
    for (;;) {
      const decline = !d.done && d.value.account === account ? d.value : undefined;
      const entry = !e.done && e.value.account === account ? e.value : undefined;
      if (decline !== undefined && (entry === undefined || decline.sentUs - u < entry.tUs)) {
        funds.open(decline, decline.sentUs - u, decline.ackedUs + u);
        d = await declines.next();
      } else if (entry !== undefined) {
        funds.closeBefore(entry.tUs, judge);
        funds.apply(entry.tUs, entry.delta);
        e = await changes.next();
      } else {
        funds.closeAll(judge);
        break;
      }
    }
  }
  return { declines: total, falseDeclines: found };
}

/**
 * One account's available funds over time and the windows open on it. The lowest
 * balance inside a window is answered from a monotonic stack of (time,
 * balance) points holding suffix minima: the first point after the window's
 * start is the lowest balance since then. Points before every open window are
 * dropped, so the stack only spans the open windows.
 */
class AccountSweep {
  #balance: number;
  readonly #times: number[] = [];
  readonly #mins: number[] = [];
  /** Open windows in opening (start) order; closed ones are dropped from the front. */
  readonly #open: Open[] = [];
  /** Open windows by end: a binary min-heap on `toUs`. */
  readonly #byEnd: Open[] = [];

  constructor(initial: number) {
    this.#balance = initial;
  }

  open(decline: Decline, fromUs: number, toUs: number): void {
    const o: Open = { decline, fromUs, toUs, atOpen: this.#balance, closed: false };
    this.#open.push(o);
    heapPush(this.#byEnd, o);
  }

  /** Closes the windows that end before `tUs` (an entry at `tUs` is about to apply). */
  closeBefore(tUs: number, judge: (o: Open, min: number) => void): void {
    while (this.#byEnd.length > 0 && (this.#byEnd[0] as Open).toUs < tUs) this.#close(heapPop(this.#byEnd) as Open, judge);
    this.#prune();
  }

  closeAll(judge: (o: Open, min: number) => void): void {
    while (this.#byEnd.length > 0) this.#close(heapPop(this.#byEnd) as Open, judge);
    this.#prune();
  }

  apply(tUs: number, delta: number): void {
    this.#balance += delta;
    if (this.#open.length === 0) return; // no window needs this point; later ones start after it
    while (this.#mins.length > 0 && (this.#mins[this.#mins.length - 1] as number) >= this.#balance) {
      this.#mins.pop();
      this.#times.pop();
    }
    this.#times.push(tUs);
    this.#mins.push(this.#balance);
  }

  #close(o: Open, judge: (o: Open, min: number) => void): void {
    o.closed = true;
    // First point strictly after the window's start: the lowest balance since then.
    let lo = 0;
    let hi = this.#times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#times[mid] as number) > o.fromUs) hi = mid;
      else lo = mid + 1;
    }
    const since = lo < this.#mins.length ? (this.#mins[lo] as number) : Number.POSITIVE_INFINITY;
    judge(o, Math.min(o.atOpen, since));
  }

  #prune(): void {
    let drop = 0;
    while (drop < this.#open.length && (this.#open[drop] as Open).closed) drop++;
    if (drop > 0) this.#open.splice(0, drop);
    if (this.#open.length === 0) {
      this.#times.length = 0;
      this.#mins.length = 0;
      return;
    }
    const earliest = (this.#open[0] as Open).fromUs;
    let keep = 0;
    while (keep < this.#times.length && (this.#times[keep] as number) <= earliest) keep++;
    if (keep > 0) {
      this.#times.splice(0, keep);
      this.#mins.splice(0, keep);
    }
  }
}

function heapPush(heap: Open[], o: Open): void {
  heap.push(o);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >>> 1;
    if ((heap[parent] as Open).toUs <= o.toUs) break;
    heap[i] = heap[parent] as Open;
    i = parent;
  }
  heap[i] = o;
}

function heapPop(heap: Open[]): Open | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= heap.length) break;
    const r = l + 1;
    const child = r < heap.length && (heap[r] as Open).toUs < (heap[l] as Open).toUs ? r : l;
    if ((heap[child] as Open).toUs >= last.toUs) break;
    heap[i] = heap[child] as Open;
    i = child;
  }
  heap[i] = last;
  return top;
}
