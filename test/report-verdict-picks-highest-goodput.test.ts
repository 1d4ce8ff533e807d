/**
 * The verdict picks the highest goodput among the strategies that meet every
 * constraint when it is separated from the runner-up; goodputs within 1 % of
 * the best tie, and the tie goes to the lowest ack p99 when that is
 * separated, else it is too close to call. Skipped and failed replays are
 * listed as not judged. (One value each here, no interval: points decide.)
 */
import { expect, it } from 'vitest';
import { judge } from '../reports/run/verdict.js';
import { verdictLines, verdictPick } from '../reports/run/verdict-render.js';
import { made } from './report-verdict-fixture.js';

const SLO = { p99_ack_ms: 50, overdraft_amount: 0 };

it('picks the highest goodput among the qualifying ones, and says why in one sentence', () => {
  const v = judge(
    {
      strategies: [
        made({ label: 'row-lock', goodput: 400, p99: 45_000 }),
        made({ label: 'wal', goodput: 1_200, p99: 5_000, overdraft: 500 }), // fastest, but overdraws
        made({ label: 'atomic', goodput: 950, p99: 30_000 }),
        made({ label: 'buffer', backend: 'kafka', status: 'skipped', detail: 'needs kafka: pass --kafka host:port', goodput: null, p99: null }),
      ],
    },
    SLO,
  );
  expect(v.qualified).toEqual(['row-lock', 'atomic']);
  expect(v.pick).toBe('atomic');
  expect(v.reason).toBe('atomic has the highest goodput, ahead of the runner-up on one measurement (no interval: one repetition, too short for batch means; repeat to rule out noise): atomic 950 ops/s vs row-lock 400 ops/s.');
  expect(v.not_judged).toEqual([{ label: 'buffer', backend: 'kafka', status: 'skipped', detail: 'needs kafka: pass --kafka host:port' }]);
  const wal = v.judged.find((j) => j.label === 'wal')!;
  expect(wal.qualifies).toBe(false);
  expect(wal.checks.filter((c) => !c.ok).map((c) => [c.rule, c.measured, c.limit, c.text])).toEqual([['overdraft_amount ≤ 0', 500, 0, 'overdraft_amount 500 > 0']]);
  expect(verdictLines(v).map((l) => `${l.mark} ${l.title}`)).toEqual(['✓ row-lock [postgres]', '✗ wal [postgres]', '✓ atomic [postgres]', '– buffer [kafka]']);
  expect(verdictLines(v)[3]!.text).toBe('not judged (skipped): needs kafka: pass --kafka host:port');
  expect(verdictLines(v)[0]!.text).toMatch(/^qualifies: goodput 400\/s; p99_ack_ms 45\.0 ms; posting_delay_p99_ms [^;]+; overdraft_count 0; overdraft_amount 0$/);
  expect(verdictPick(v)).toBe(`pick: atomic. ${v.reason}`);
});

it('breaks a goodput tie (within 1 %) by the lowest ack p99, and calls equal ones too close', () => {
  const v = judge(
    {
      strategies: [
        made({ label: 'row-lock', goodput: 1_000, p99: 40_000 }),
        made({ label: 'aggregate', goodput: 991, p99: 12_000 }), // 0.9 % below: a tie
        made({ label: 'atomic', goodput: 989, p99: 2_000 }), // 1.1 % below: not a tie, however fast
      ],
    },
    SLO,
  );
  expect(v.qualified).toEqual(['row-lock', 'aggregate', 'atomic']);
  expect(v.pick).toBe('aggregate');
  expect(v.reason).toBe('aggregate has the lowest p99_ack_ms of those within 1% of the highest goodput, ahead of the runner-up on one measurement (no interval: one repetition, too short for batch means; repeat to rule out noise): aggregate p99_ack_ms 12.0 ms vs row-lock p99_ack_ms 40.0 ms.');
  const tie = judge({ strategies: [made({ label: 'aggregate', goodput: 991, p99: 12_000 }), made({ label: 'split', goodput: 1_000, p99: 12_000 })] }, SLO);
  expect(tie.pick).toBeNull();
  expect(tie.too_close_to_call).toEqual({ labels: ['split', 'aggregate'], figure: 'p99_ack_ms', repetitions: null });
});

it('names the only qualifying strategy, and judges on integrity alone without an SLO', () => {
  const one = judge({ strategies: [made({ label: 'atomic', goodput: 300 }), made({ label: 'cache', goodput: 900, lost: 3 })] }, {});
  expect(one.slo_text).toBe('none');
  expect(one.pick).toBe('atomic');
  expect(one.reason).toBe('atomic is the only strategy that meets every constraint (atomic 300 ops/s).');
  expect(one.judged[1]!.checks.filter((c) => !c.ok).map((c) => c.text)).toEqual(['lost ops 3 > 0']);
});

it('ranks by money-safe goodput: a faster strategy whose ops were lost or overdrawn loses to a slower safe one', () => {
  // wal qualifies on every constraint given (no overdraft cap here) but 300 of its 1,000 ops/s were overdrawn.
  const v = judge({ strategies: [made({ label: 'wal', goodput: 1_000, moneySafe: 700 }), made({ label: 'aggregate', goodput: 900 })] }, { p99_ack_ms: 50 });
  expect(v.judged.map((j) => [j.label, j.goodput, j.money_safe_goodput])).toEqual([['wal', 1_000, 700], ['aggregate', 900, 900]]);
  expect(v.pick).toBe('aggregate');
  expect(v.reason).toBe('aggregate has the highest goodput, ahead of the runner-up on one measurement (no interval: one repetition, too short for batch means; repeat to rule out noise): aggregate 900 ops/s vs wal 700 ops/s.'); // ranked by money-safe goodput
});

it('one replay each: money-safe goodput takes its interval from the batch means, so overlapping strategies are too close to call, not "separated"', () => {
  // As seen on a default run: wal 207 vs aggregate 200 money-safe ops/s, whose batch-means intervals overlap.
  const batches = new Map([
    ['wal\u00000', { goodput: { point: 210, lo: 195, hi: 224, method: 'batch-means' as const, n: 10 }, ackP99: null, postingP99: null }],
    ['aggregate\u00000', { goodput: { point: 200, lo: 188, hi: 211, method: 'batch-means' as const, n: 10 }, ackP99: null, postingP99: null }],
  ]);
  const strategies = [made({ label: 'wal', goodput: 210, moneySafe: 207 }), made({ label: 'aggregate', goodput: 200 })];
  const v = judge({ strategies }, { p99_ack_ms: 50 }, batches);
  expect(v.pick).toBeNull();
  expect(v.too_close_to_call?.labels).toEqual(['wal', 'aggregate']);
  expect(v.reason).toMatch(/^Too close to call: wal, aggregate: their goodput intervals overlap \(wal 207 ops\/s \(95% CI 192–221\) vs aggregate 200 ops\/s \(95% CI 188–211\)\)/);
});
