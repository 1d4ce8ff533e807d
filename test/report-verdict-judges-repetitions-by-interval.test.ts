/**
 * With `run --repeat N` a strategy is judged once, on the 95% interval of
 * each measurement over its repetitions: a limit the interval straddles is
 * uncertain (neither a pass nor a failure), the headline figures are medians
 * with intervals, and a repetition that did not complete fails it.
 */
import { expect, it } from 'vitest';
import { judge } from '../reports/run/verdict.js';
import { made } from './report-verdict-fixture.js';

it('judges a repeated strategy on the interval of its repetitions: uncertain when it straddles the limit', () => {
  const v = judge(
    {
      strategies: [
        made({ label: 'atomic', rep: 0, goodput: 900, p99: 20_000 }),
        made({ label: 'aggregate', rep: 0, goodput: 1_000, p99: 10_000 }),
        made({ label: 'atomic', rep: 1, goodput: 850, p99: 60_000 }),
        made({ label: 'aggregate', rep: 1, goodput: 980, p99: 12_000 }),
      ],
    },
    { p99_ack_ms: 50 },
  );
  const atomic = v.judged.find((j) => j.label === 'atomic')!;
  expect([atomic.replays, atomic.goodput, atomic.p99_ack_ms, atomic.qualifies, atomic.standing]).toEqual([2, 875, 40, false, 'uncertain']);
  const check = atomic.checks.find((c) => c.key === 'p99_ack_ms')!;
  expect(check).toMatchObject({ outcome: 'uncertain', ok: false, measured: 40, interval: { lo: 20, hi: 60 } });
  expect(check.text).toBe('p99_ack_ms 40.0 ms (95% CI 20.0 ms–60.0 ms) straddles ≤ 50.0 ms');
  expect(atomic.intervals.method).toBe('bootstrap');
  const aggregate = v.judged.find((j) => j.label === 'aggregate')!;
  expect([aggregate.goodput, aggregate.p99_ack_ms, aggregate.qualifies]).toEqual([990, 11, true]);
  // aggregate leads on goodput, and its interval (980–1,000) is separated from atomic's (850–900)
  expect(v.pick).toBe('aggregate');
});

it('fails a repeated strategy whose whole interval is beyond the limit, and never trades money away for an interval', () => {
  const v = judge(
    {
      strategies: [
        made({ label: 'atomic', rep: 0, p99: 70_000 }),
        made({ label: 'atomic', rep: 1, p99: 60_000 }),
        made({ label: 'wal', rep: 0, overdraft: 0 }),
        made({ label: 'wal', rep: 1, overdraft: 500 }),
      ],
    },
    { p99_ack_ms: 50, overdraft_amount: 0 },
  );
  expect(v.judged.find((j) => j.label === 'atomic')!.checks.find((c) => c.key === 'p99_ack_ms')!.outcome).toBe('fail');
  // one repetition overdrew: a fact, judged on the worst repetition
  expect(v.judged.find((j) => j.label === 'wal')!.checks.find((c) => c.key === 'overdraft_amount')).toMatchObject({ outcome: 'fail', measured: 500 });
  expect(v.pick).toBeNull();
});

it('fails a strategy one of whose repetitions did not complete', () => {
  const v = judge(
    { strategies: [made({ label: 'cache', rep: 0 }), made({ label: 'cache', rep: 1, status: 'failed', detail: 'redis went away' })] },
    {},
  );
  const cache = v.judged[0]!;
  expect(cache.replays).toBe(1);
  expect(cache.checks.filter((c) => !c.ok).map((c) => c.text)).toEqual(['1 of 2 repetitions did not complete (#2 failed: redis went away)']);
  expect(v.pick).toBeNull();
});
