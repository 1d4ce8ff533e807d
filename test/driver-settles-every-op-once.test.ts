/**
 * The open-loop driver's bookkeeping of ops in flight (numbered slots reused
 * through a free list): under a concurrency cap, with answers out of order,
 * some never, some only after the driver gave up, every op is settled exactly
 * once; ops that never answer are recorded as `timeout` with no ack time; an
 * answer after the give-up is ignored; the cap is never exceeded. And when
 * more ops go silent than the cap has slots, the run still ends: stale ops
 * are given up while the cap is full.
 */
import { expect, it } from 'vitest';
import type { Op, Outcome, Strategy } from '../strategies/contract.js';
import { OpenLoopDriver, type DriveSink } from '../runner/driver/open-loop.js';

const N = 2_000;
const CAP = 16;

/** Answers op i after (i % 7) ms; every 200th op never answers until 300 ms after the stream ends (past the drain timeout). */
class Erratic implements Strategy {
  readonly backend = 'test';
  readonly late: (() => void)[] = [];
  async setup(): Promise<void> {}
  submit(op: Op): Promise<Outcome> {
    return new Promise((resolve) => {
      const answer = (): void => resolve({ status: 'applied' });
      if (op.id % 200 === 0) this.late.push(answer);
      else setTimeout(answer, op.id % 7);
    });
  }
  async drain(): Promise<void> {}
  async stop(): Promise<void> {}
}

it('settles every op exactly once; silent ops time out, their late answers are ignored; the cap holds', async () => {
  const t0 = performance.now();
  const clock = { now: () => Math.round((performance.now() - t0) * 1000) };
  const settled = new Map<number, { ackedUs: number; outcome: Outcome }>();
  let duplicates = 0;
  const sink: DriveSink = {
    settled(op, _sentUs, ackedUs, outcome) {
      if (settled.has(op.id)) duplicates += 1;
      settled.set(op.id, { ackedUs, outcome });
    },
  };
  const strategy = new Erratic();
  const driver = new OpenLoopDriver(strategy, sink, { clock, concurrency: CAP, drainTimeoutUs: 200_000 });
  // 2,000 ops due over 200 ms: far more than 16 in flight at 1-7 ms each, so the cap binds.
  const ops = Array.from({ length: N }, (_, id): Op => ({ id, at: id * 100, kind: 'charge', account: id % 10, amount: 1, job: -1 }));
  let maxSeen = 0;
  const watch = setInterval(() => (maxSeen = Math.max(maxSeen, driver.snapshot().inFlight)), 1);
  const result = await driver.run(ops);
  clearInterval(watch);

  const silent = ops.filter((o) => o.id % 200 === 0).length;
  expect(result.sent).toBe(N);
  expect(result.maxInFlight).toBeLessThanOrEqual(CAP);
  expect(maxSeen).toBeLessThanOrEqual(CAP);
  expect(result.late).toBeGreaterThan(0); // the cap held ops back past the 5 ms threshold
  expect(settled.size).toBe(N);
  expect(duplicates).toBe(0);
  // The 10 silent ops hold their slots until they time out (the other ops share the 6 left), and nothing is lost.
  expect(result.timedOut).toBe(silent);
  for (const op of ops) {
    const s = settled.get(op.id)!;
    if (op.id % 200 === 0) {
      expect(s.ackedUs).toBe(-1);
      expect(s.outcome).toMatchObject({ status: 'rejected', reason: 'timeout' });
    } else {
      expect(s.ackedUs).toBeGreaterThanOrEqual(op.at);
      expect(s.outcome.status).toBe('applied');
    }
  }
  // The silent ops answer now, after the give-up: ignored, and the driver has nothing in flight.
  for (const answer of strategy.late) answer();
  await new Promise((r) => setTimeout(r, 20));
  expect(duplicates).toBe(0);
  expect(driver.snapshot().inFlight).toBe(0);
});

it('does not hang when more ops go silent than there are slots: they are given up while the cap is full', async () => {
  const t0 = performance.now();
  const clock = { now: () => Math.round((performance.now() - t0) * 1000) };
  const settled = new Map<number, Outcome>();
  const sink: DriveSink = { settled: (op, _s, _a, outcome) => void settled.set(op.id, outcome) };
  const strategy = new Erratic(); // silent every 200th op: 10 silent ops here, and the cap is 4
  const driver = new OpenLoopDriver(strategy, sink, { clock, concurrency: 4, opTimeoutUs: 300_000, drainTimeoutUs: 300_000 });
  const ops = Array.from({ length: 2_000 }, (_, id): Op => ({ id, at: id * 10, kind: 'charge', account: 0, amount: 1, job: -1 })).filter((o) => o.id % 200 === 0 || o.id < 50);
  const result = await driver.run(ops);
  const silent = ops.filter((o) => o.id % 200 === 0).length;
  expect(silent).toBe(10);
  expect(result.sent).toBe(settled.size);
  expect(result.timedOut).toBe(silent);
  expect([...settled.values()].filter((o) => o.status === 'rejected' && o.reason === 'timeout').length).toBe(silent);
}, 20_000); // a hang fails here, not at the suite's 2-minute limit
