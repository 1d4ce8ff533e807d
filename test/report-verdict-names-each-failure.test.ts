/**
 * A strategy that misses constraints is listed with each one it failed,
 * measured against the limit; when no strategy qualifies there is no pick
 * and the reason names the nearest miss.
 */
import { expect, it } from 'vitest';
import { judge } from '../reports/run/verdict.js';
import { made } from './report-verdict-fixture.js';

const SLO = {
  p99_ack_ms: 50,
  p999_ack_ms: 100,
  posting_delay_p99_ms: 1_000,
  overdraft_amount: 0,
  max_stop_delivery_ms: 200,
  reject_pct: 5,
};

it('lists every failed constraint with its measured value and limit', () => {
  const v = judge(
    {
      strategies: [
        made({ label: 'buffer', p99: 60_000, p999: 250_000, postingP99: 4_200_000, overdraft: 12_345, rejectShare: 0.125, stop: { signalled: 2, missed: 1, max_delay_us: 5_000 } }),
        made({ label: 'wal', stop: { signalled: 3, missed: 0, max_delay_us: 1_020_000 }, duplicated: 2, conserved: false }),
        made({ label: 'cache', p99: null, postingP99: null, audited: false }),
      ],
    },
    SLO,
  );
  const failed = (label: string) => v.judged.find((j) => j.label === label)!.checks.filter((c) => !c.ok).map((c) => c.text);
  expect(failed('buffer')).toEqual([
    'p99_ack_ms 60.0 ms > 50.0 ms',
    'p999_ack_ms 250 ms > 100 ms',
    'posting_delay_p99_ms 4,200 ms > 1,000 ms',
    'overdraft_amount 12,345 > 0',
    'max_stop_delivery_ms: 1 of 3 threshold crossings never signalled',
    'reject_pct 12.50% > 5.00%',
  ]);
  expect(failed('wal')).toEqual(['max_stop_delivery_ms 1,020 ms > 200 ms', 'duplicated ops 2 > 0', 'conservation broken on 2 account(s)']);
  expect(failed('cache')).toEqual(['p99_ack_ms not measured (no op was acked)', 'p999_ack_ms not measured (no op was acked)', 'posting_delay_p99_ms not measured (nothing was posted)', 'ledger not audited']);
  const buffer = v.judged[0]!.checks.find((c) => c.key === 'posting_delay_p99_ms')!;
  expect([buffer.rule, buffer.measured, buffer.limit, buffer.ok]).toEqual(['posting_delay_p99_ms ≤ 1,000 ms', 4_200, 1_000, false]);

  expect(v.qualified).toEqual([]);
  expect(v.pick).toBeNull();
  // Nearest miss: wal fails 3 constraints, cache 4, buffer 6.
  expect(v.reason).toBe('No strategy meets every constraint; the nearest is wal, which fails on max_stop_delivery_ms 1,020 ms > 200 ms; duplicated ops 2 > 0; conservation broken on 2 account(s).');
});

it('passes a limit met exactly (limits are inclusive) and a stop-delivery limit with no crossing', () => {
  const v = judge({ strategies: [made({ label: 'atomic', p99: 50_000, p999: 100_000, postingP99: 1_000_000, rejectShare: 0.05 })] }, SLO);
  const checks = v.judged[0]!.checks;
  expect(checks.every((c) => c.ok)).toBe(true);
  expect(checks.find((c) => c.key === 'max_stop_delivery_ms')!.text).toBe('max_stop_delivery_ms: no threshold crossing');
  expect(v.pick).toBe('atomic');
});

it('says so when no strategy completed', () => {
  const v = judge({ strategies: [made({ label: 'buffer', status: 'failed', detail: 'setup: boom' })] }, SLO);
  expect([v.pick, v.reason, v.judged.length]).toEqual([null, 'No strategy completed, so none can be judged.', 0]);
  expect(v.not_judged).toEqual([{ label: 'buffer', backend: 'postgres', status: 'failed', detail: 'setup: boom' }]);
});
