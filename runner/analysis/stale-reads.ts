/**
 * Stale reads (DESIGN.md §5): "a balance read that differs from the ledger's
 * balance at that instant; and whether it said 'has budget' when there was
 * none".
 *
 * "At that instant" is a window, not a point: a read is in flight from
 * `sent_us` to `acked_us`, and an entry becomes visible somewhere between its
 * insert (`entries.created_at`, placed on the schedule clock with
 * `pgToScheduleUs`, minus the clock sync's uncertainty) and the moment the
 * strategy said it was posted (`postings.posted_us`: the ack of a synchronous
 * op, the `posted` event of a deferred one), because the commit lies between
 * the two. So at any instant t each logical account's ledger balance lies in
 * a band:
 *
 *     sure(t)  = initial + Σ deltas of op entries posted by t
 *     lo(t)    = sure(t) + Σ negative deltas inserted by t but not yet posted
 *     hi(t)    = sure(t) + Σ positive deltas inserted by t but not yet posted
 *
 * A read answered X is stale when X lies outside [min lo, max hi] over its
 * window: no ledger balance it could have seen. This never accuses a
 * correct read (a primary read under group commit stays inside the band);
 * it can miss a stale read whose error is smaller than the commits in flight.
 * Internal transfers (entries without an op id) move money within an owner
 * and commit with both legs, so they are left out, as in the overdraft audit.
 *
 * "Has budget": a balance has budget when it is above the floor and not
 * below the stop-delivery threshold (`AccountSpec.threshold`, the same
 * boundary as the stop-delivery delay). A stale read said "has budget" when
 * there was none if X has budget and max hi does not.
 *
 * Each stale read is an incident `stale_read`: `op_id` the read, `account`,
 * `amount` = |X − the nearest ledger balance of the window| (minor units),
 * `at_us` = `sent_us`, and `detail` starting with `false "has budget": ` when
 * it was one. Streams three sorted inputs (reads and postings from
 * ClickHouse, entries from the ledger); memory is O(accounts + ops in flight).
 */
import type { AccountSpec } from '../../strategies/contract.js';
import { toInt } from '../../strategies/ledger.js';
import type { Analysis, AnalysisContext } from './types.js';
import { keysetPages, ledgerRows, Peekable } from './ordered-rows.js';

const REPLAY = `run_id = {run:String} AND strategy = {strategy:String} AND rep = {rep:UInt32}`;

const READS_SQL = `
  SELECT op_id, account, sent_us, acked_us, balance FROM ops
  WHERE ${REPLAY} AND kind = 'read' AND status = 'applied'
    AND ({first:UInt8} = 1 OR sent_us > {after_t:Int64} OR (sent_us = {after_t:Int64} AND op_id > {after_id:Int64}))
  ORDER BY sent_us, op_id LIMIT {limit:UInt32}`;

// Applied reads get a postings row too; they have no entry, so they are left out.
const POSTINGS_SQL = `
  SELECT op_id, posted_us FROM postings
  WHERE ${REPLAY} AND op_id NOT IN (SELECT op_id FROM ops WHERE ${REPLAY} AND kind = 'read')
    AND ({first:UInt8} = 1 OR posted_us > {after_t:Int64} OR (posted_us = {after_t:Int64} AND op_id > {after_id:Int64}))
  ORDER BY posted_us, op_id LIMIT {limit:UInt32}`;

const ENTRIES_SQL = `
  SELECT (extract(epoch from created_at) * 1e6)::bigint AS t, op_id, owner, delta FROM entries
  WHERE op_id IS NOT NULL ORDER BY created_at, seq`;

type ReadRow = { op_id: number; account: number; sent_us: number; acked_us: number; balance: number };
type PostingRow = { op_id: number; posted_us: number };
interface Entry {
  readonly t: number;
  readonly opId: number;
  readonly account: number;
  readonly delta: number;
}
interface OpenRead {
  readonly opId: number;
  readonly account: number;
  readonly sentUs: number;
  readonly ackedUs: number;
  readonly answered: number;
  minLo: number;
  maxHi: number;
}

/** The `stale-reads` analysis (see the module docs). */
export const staleReads: Analysis = { name: 'stale-reads', run: async (ctx) => void (await findStaleReads(ctx)) };

/** A balance has budget when it is above the floor and not below the stop-delivery threshold. */
export function hasBudget(balance: number, account: AccountSpec): boolean {
  return balance > account.floor && balance >= account.threshold;
}

/** Runs the analysis: one `stale_read` incident per stale read; returns the counts. */
export async function findStaleReads(ctx: AnalysisContext): Promise<{ reads: number; stale: number; falseBudget: number }> {
  const accounts = ctx.plan.accounts;
  const band = new LedgerBand(accounts);
  const entries = new Peekable(entryStream(ctx));
  const postings = new Peekable(keysetPages<PostingRow>(ctx.store, ctx.key, POSTINGS_SQL, { t: 'posted_us', id: 'op_id' }));
  const reads = new Peekable(keysetPages<ReadRow>(ctx.store, ctx.key, READS_SQL, { t: 'sent_us', id: 'op_id' }));
  const open = new OpenReads();
  const counts = { reads: 0, stale: 0, falseBudget: 0 };

  const judge = (read: OpenRead): void => {
    const spec = accounts[read.account];
    const x = read.answered;
    if (spec === undefined || (x >= read.minLo && x <= read.maxHi)) return;
    const high = x > read.maxHi;
    const amount = high ? x - read.maxHi : read.minLo - x;
    const falseBudget = hasBudget(x, spec) && !hasBudget(read.maxHi, spec);
    counts.stale++;
    if (falseBudget) counts.falseBudget++;
    const ledger = read.minLo === read.maxHi ? `${read.minLo}` : `between ${read.minLo} and ${read.maxHi}`;
    ctx.rows.push('incidents', {
      ...ctx.key,
      kind: 'stale_read',
      op_id: read.opId,
      account: read.account,
      amount,
      at_us: read.sentUs,
      detail: `${falseBudget ? 'false "has budget": ' : ''}answered ${x} while the ledger was ${ledger} (${high ? 'too high' : 'too low'} by ${amount}) during the read, ${read.sentUs}..${read.ackedUs} us`,
    });
  };

  try {
    for (;;) {
      const [entry, posting, read] = [await entries.peek(), await postings.peek(), await reads.peek()];
      const te = entry?.t ?? Infinity;
      const tp = posting?.posted_us ?? Infinity;
      const tr = read?.sent_us ?? Infinity;
      const t = Math.min(te, tp, tr);
      if (t === Infinity) break;
      open.closeBefore(t, judge);
      // On a tie: an entry becomes possible, then posted, then a read starts, so the read sees the widest band.
      if (te === t) {
        const e = (await entries.take())!;
        band.inserted(e);
        open.widen(e.account, band.lo(e.account), band.hi(e.account));
      } else if (tp === t) {
        band.posted(Number((await postings.take())!.op_id));
      } else {
        const r = (await reads.take())!;
        counts.reads++;
        const account = Number(r.account);
        open.add({ opId: Number(r.op_id), account, sentUs: Number(r.sent_us), ackedUs: Number(r.acked_us), answered: Number(r.balance), minLo: band.lo(account), maxHi: band.hi(account) });
      }
    }
    open.closeBefore(Infinity, judge);
  } finally {
    await Promise.all([entries.close(), postings.close(), reads.close()]);
  }
  if (counts.reads > 0) ctx.log(`stale reads: ${counts.stale} of ${counts.reads} reads; ${counts.falseBudget} said "has budget" when there was none`);
  return counts;
}

async function* entryStream(ctx: AnalysisContext): AsyncGenerator<Entry> {
  for await (const [t, opId, owner, delta] of ledgerRows(ctx.ledger, ENTRIES_SQL)) {
    // Earliest the entry can have been visible: its insert, minus the clock sync's uncertainty.
    yield { t: ctx.pgToScheduleUs(toInt(t as string)) - ctx.pgClockUncertaintyUs, opId: toInt(opId as string), account: toInt(owner as number), delta: toInt(delta as string) };
  }
}

/** Per logical account: the sure balance and the pending (inserted, not yet posted) deltas. */
class LedgerBand {
  readonly #sure: number[];
  readonly #pendingDown: number[];
  readonly #pendingUp: number[];
  /** Inserted, not yet posted: op id → where and how much. Bounded by the ops in flight. */
  readonly #pending = new Map<number, { account: number; delta: number }>();
  /** Posted before their insert was seen (clock uncertainty, or an entry that never came). */
  readonly #postedFirst = new Set<number>();

  constructor(accounts: readonly AccountSpec[]) {
    this.#sure = accounts.map((a) => a.balance);
    this.#pendingDown = accounts.map(() => 0);
    this.#pendingUp = accounts.map(() => 0);
  }

  lo(account: number): number {
    return (this.#sure[account] ?? 0) + (this.#pendingDown[account] ?? 0);
  }

  hi(account: number): number {
    return (this.#sure[account] ?? 0) + (this.#pendingUp[account] ?? 0);
  }

  inserted(e: Entry): void {
    if (this.#postedFirst.delete(e.opId)) {
      this.#sure[e.account] = (this.#sure[e.account] ?? 0) + e.delta;
      return;
    }
    this.#pending.set(e.opId, { account: e.account, delta: e.delta });
    const side = e.delta < 0 ? this.#pendingDown : this.#pendingUp;
    side[e.account] = (side[e.account] ?? 0) + e.delta;
  }

  /** The op's entry is now surely visible: the band narrows (never widens), so open reads need no update. */
  posted(opId: number): void {
    const p = this.#pending.get(opId);
    if (p === undefined) {
      this.#postedFirst.add(opId);
      return;
    }
    this.#pending.delete(opId);
    const side = p.delta < 0 ? this.#pendingDown : this.#pendingUp;
    side[p.account] = (side[p.account] ?? 0) - p.delta;
    this.#sure[p.account] = (this.#sure[p.account] ?? 0) + p.delta;
  }
}

/** Reads in flight: by account (to widen their bands) and in a min-heap on `ackedUs` (to close them in time). */
class OpenReads {
  readonly #byAccount = new Map<number, Set<OpenRead>>();
  readonly #heap: OpenRead[] = [];

  add(read: OpenRead): void {
    let set = this.#byAccount.get(read.account);
    if (set === undefined) this.#byAccount.set(read.account, (set = new Set()));
    set.add(read);
    const h = this.#heap;
    h.push(read);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.ackedUs <= h[i]!.ackedUs) break;
      [h[parent], h[i]] = [h[i]!, h[parent]!];
      i = parent;
    }
  }

  widen(account: number, lo: number, hi: number): void {
    for (const r of this.#byAccount.get(account) ?? []) {
      if (lo < r.minLo) r.minLo = lo;
      if (hi > r.maxHi) r.maxHi = hi;
    }
  }

  /** Closes (and hands to `judge`) every read acknowledged before `t`. */
  closeBefore(t: number, judge: (read: OpenRead) => void): void {
    const h = this.#heap;
    while (h.length > 0 && h[0]!.ackedUs < t) {
      const top = h[0]!;
      const last = h.pop()!;
      if (h.length > 0) {
        h[0] = last;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && h[l]!.ackedUs < h[m]!.ackedUs) m = l;
          if (r < h.length && h[r]!.ackedUs < h[m]!.ackedUs) m = r;
          if (m === i) break;
          [h[m], h[i]] = [h[i]!, h[m]!];
          i = m;
        }
      }
      const set = this.#byAccount.get(top.account);
      set?.delete(top);
      if (set?.size === 0) this.#byAccount.delete(top.account);
      judge(top);
    }
  }
}
