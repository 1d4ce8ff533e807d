/**
 * With `run --repeat N` a strategy is judged once, on its worst repetition:
 * the worst measured value per constraint, the lowest goodput, the highest
 * p99; a repetition that did not complete fails it.
 */
import { expect, it } from 'vitest';
import { judge } from '../reports/run/verdict.js';
import { made } from './report-verdict-fixture.js';

it('judges a repeated strategy on its worst repetition', () => {
  const v = judge(
    {
      strategies: [
        made({ label: 'atomic', rep: 0, goodput: 900, p99: 20_000 }),
        made({ label: 'aggregate', rep: 0, goodput: 1_000, p99: 10_000 }),
        made({ label: 'atomic', rep: 1, goodput: 850, p99: 60_000 }),
        made({ label: 'aggregate', rep: 1, goodput: 980, p99: 12_000 }),
      ],
    },
    { p99_ack_us: 50_000 },
  );
  const atomic = v.judged.find((j) => j.label === 'atomic')!;
  expect([atomic.replays, atomic.goodput_per_s, atomic.ack_p99_us, atomic.qualifies]).toEqual([2, 850, 60_000, false]);
  expect(atomic.checks.find((c) => c.key === 'p99_ack_us')!.text).toBe('ack p99 60.0 ms > 50.0 ms');
  const aggregate = v.judged.find((j) => j.label === 'aggregate')!;
  expect([aggregate.goodput_per_s, aggregate.ack_p99_us, aggregate.qualifies]).toEqual([980, 12_000, true]);
  expect(v.pick).toBe('aggregate');
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
