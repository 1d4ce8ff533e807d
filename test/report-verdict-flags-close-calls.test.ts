/**
 * The verdict says when its pick hinges on a measurement within 10% of a
 * limit: a strategy that missed only narrowly and would otherwise be the
 * pick, or a pick that passed a limit narrowly. It stays quiet when no small
 * spread could change the pick: a wide miss, a narrow miss by a strategy that
 * would not be picked anyway, a narrow miss beside an integrity failure, a
 * comfortable pass.
 */
import { expect, it } from 'vitest';
import { judge } from '../reports/run/verdict.js';
import { verdictCloseCalls } from '../reports/run/verdict-render.js';
import { made } from './report-verdict-fixture.js';

const SLO = { p99_ack_us: 50_000, max_posting_delay_us: 1_000_000, max_overdraft: 0 };

it('names a strategy that missed a limit by 0.9% and would otherwise be the pick (the default run of 2026-12-04)', () => {
  const v = judge(
    {
      strategies: [
        made({ label: 'aggregate', goodput: 1_900, p99: 30_000, postingP99: 400_000 }),
        made({ label: 'cache', goodput: 2_000, p99: 5_000, postingP99: 1_009_000 }),
      ],
    },
    SLO,
  );
  expect(v.pick).toBe('aggregate');
  expect(v.close_calls.map((c) => [c.kind, c.label, c.pick_otherwise, c.checks.map((k) => [k.key, k.measured, k.limit])])).toEqual([
    ['missed', 'cache', 'cache', [['max_posting_delay_us', 1_009_000, 1_000_000]]],
  ]);
  expect(verdictCloseCalls(v)).toEqual([
    'close call: cache missed only narrowly (posting delay p99 1,009 ms > 1,000 ms, 0.9% over) and would otherwise be the pick; rerun (or use --repeat) before relying on aggregate.',
  ]);
});

it('names a pick that passed a limit by less than 10%, and what the pick would be had it missed', () => {
  const v = judge({ strategies: [made({ label: 'row-lock', goodput: 400, p99: 20_000 }), made({ label: 'atomic', goodput: 950, p99: 46_000 })] }, SLO);
  expect(v.pick).toBe('atomic');
  expect(v.close_calls.map((c) => [c.kind, c.label, c.pick_otherwise])).toEqual([['passed', 'atomic', 'row-lock']]);
  expect(verdictCloseCalls(v)).toEqual(['close call: atomic passed ack p99 46.0 ms, 8.0% under the limit; had it missed, the pick would be row-lock.']);

  const alone = judge({ strategies: [made({ label: 'atomic', goodput: 950, p99: 49_000 })] }, SLO);
  expect(verdictCloseCalls(alone)).toEqual(['close call: atomic passed ack p99 49.0 ms, 2.0% under the limit; had it missed, the pick would be none.']);
});

it('says so when the only strategy missed narrowly and there is no pick', () => {
  const v = judge({ strategies: [made({ label: 'cache', goodput: 2_000, p99: 51_000 })] }, SLO);
  expect(v.pick).toBeNull();
  expect(verdictCloseCalls(v)).toEqual([
    'close call: cache missed only narrowly (ack p99 51.0 ms > 50.0 ms, 2.0% over) and would otherwise be the pick; rerun (or use --repeat) before concluding that none qualifies.',
  ]);
});

it('stays quiet when no small spread could change the pick', () => {
  const quiet = (strategies: Parameters<typeof made>[0][]) => judge({ strategies: strategies.map(made) }, SLO).close_calls;
  // A wide miss (20% over).
  expect(quiet([{ label: 'aggregate', goodput: 1_900, p99: 30_000 }, { label: 'cache', goodput: 2_000, p99: 5_000, postingP99: 1_200_000 }])).toEqual([]);
  // A narrow miss by a strategy with less goodput than the pick: it would not be picked anyway.
  expect(quiet([{ label: 'aggregate', goodput: 1_900, p99: 30_000 }, { label: 'cache', goodput: 1_000, p99: 5_000, postingP99: 1_009_000 }])).toEqual([]);
  // A narrow miss beside a lost op: integrity is no measurement a rerun makes acceptable.
  expect(quiet([{ label: 'aggregate', goodput: 1_900, p99: 30_000 }, { label: 'cache', goodput: 2_000, p99: 5_000, postingP99: 1_009_000, lost: 1 }])).toEqual([]);
  // A narrow miss plus a wide one.
  expect(quiet([{ label: 'aggregate', goodput: 1_900, p99: 30_000 }, { label: 'cache', goodput: 2_000, p99: 90_000, postingP99: 1_009_000 }])).toEqual([]);
  // A pick with more than 10% to spare everywhere, and an overdraft limit of 0 (no margin to be near).
  expect(quiet([{ label: 'atomic', goodput: 950, p99: 44_000, postingP99: 800_000 }])).toEqual([]);
});
