/**
 * Feedback (on_threshold): with `stop`, once row-lock's budget_exhausted
 * signal for an account has reached upstream (its time + the notification
 * latency), the driver sends none of that account's later charges: exactly
 * the charges intended at or after that instant are suppressed (counted,
 * never sent, never posted), and nothing else: other accounts' ops and the
 * account's own reads still go. With `none` every op is sent and the budget
 * is refused op by op instead.
 */
import { describe, expect, it } from 'vitest';
import { UpstreamFeedback } from '../runner/driver/feedback.js';
import { OpenLoopDriver, type DriveSink } from '../runner/driver/open-loop.js';
import type { Op, Outcome } from '../strategies/contract.js';
import { RowLockStrategy } from '../strategies/row-lock/index.js';
import { makeContext } from './support/context.js';
import { makeAccounts } from './support/ops.js';

// Account 0: 1,000 with a stop threshold of 350; its charges of 100 cross it at the 7th (balance 300).
const accounts = makeAccounts([{ balance: 1_000, threshold: 350 }, { balance: 100_000 }]);

/** 60 ops, one every 20 ms from 100 ms: charges of 100 on account 0, every 4th op a charge on account 1, every 5th a read of account 0. */
function ops(): Op[] {
  return Array.from({ length: 60 }, (_, id): Op => {
    const at = 100_000 + id * 20_000;
    if (id % 5 === 4) return { id, at, kind: 'read', account: 0, amount: 0, job: -1 };
    if (id % 4 === 3) return { id, at, kind: 'charge', account: 1, amount: 100, job: -1 };
    return { id, at, kind: 'charge', account: 0, amount: 100, job: -1 };
  });
}

async function run(action: 'stop' | 'none', latencyUs: number) {
  const t = await makeContext(accounts, { connections: 4 });
  const strategy = new RowLockStrategy();
  try {
    const feedback = new UpstreamFeedback(action, latencyUs);
    let origin = t.ctx.clock.now();
    const clock = { now: () => t.ctx.clock.now() - origin };
    await strategy.setup({ ...t.ctx, clock, events: feedback.tee(t.events) });
    origin = t.ctx.clock.now(); // the schedule starts after setup
    const settled = new Map<number, Outcome>();
    const suppressed: number[] = [];
    const sink: DriveSink = {
      settled: (op, _s, _a, outcome) => settled.set(op.id, outcome),
      suppressed: (op) => suppressed.push(op.id),
    };
    const list = ops();
    const result = await new OpenLoopDriver(strategy, sink, { clock, gate: feedback }).run(list);
    const posted = await t.db.pool.query<{ op_id: string }>('SELECT op_id FROM entries ORDER BY op_id');
    return { list, result, settled, suppressed, signals: t.events.signals, posted: posted.rows.map((r) => Number(r.op_id)), counted: feedback.suppressed };
  } finally {
    await strategy.stop();
    await t.close();
  }
}

describe('upstream feedback', () => {
  it.each([0, 30_000])('stop, latency %i µs: suppresses exactly the account\'s charges intended after the signal reached upstream', async (latencyUs) => {
    const { list, result, settled, suppressed, signals, posted, counted } = await run('stop', latencyUs);
    const exhausted = signals.filter((s) => s.kind === 'budget_exhausted' && s.account === 0);
    expect(exhausted).toHaveLength(1);
    const reachedUs = exhausted[0]!.at + latencyUs;
    const expected = list.filter((op) => op.kind === 'charge' && op.account === 0 && op.at >= reachedUs).map((op) => op.id);
    expect(expected.length).toBeGreaterThan(0); // 45 charges on account 0 over 1.2 s: the signal comes after ~200 ms unless the machine stalls
    expect(suppressed).toEqual(expected);
    expect(result.suppressed).toBe(expected.length);
    expect(counted).toBe(expected.length);
    expect(result.sent).toBe(list.length - expected.length);
    // Suppressed ops were never sent (no outcome) and never posted; everything else was answered.
    for (const id of expected) expect(settled.has(id)).toBe(false);
    expect(settled.size).toBe(list.length - expected.length);
    expect(posted.filter((id) => expected.includes(id))).toEqual([]);
    // Account 1's charges and account 0's reads all went through.
    expect(list.filter((op) => op.account === 1 || op.kind === 'read').every((op) => settled.get(op.id)?.status === 'applied')).toBe(true);
  });

  it('none: every op is sent; the spent budget is refused op by op', async () => {
    const { list, result, suppressed, settled } = await run('none', 0);
    expect(suppressed).toEqual([]);
    expect(result.suppressed).toBe(0);
    expect(result.sent).toBe(list.length);
    const refused = [...settled.values()].filter((o) => o.status === 'rejected' && o.reason === 'insufficient_funds');
    // 45 charges of 100 on 1,000: 10 applied, the rest refused (no overdraft).
    expect(refused).toHaveLength(list.filter((op) => op.kind === 'charge' && op.account === 0).length - 10);
  });
});
