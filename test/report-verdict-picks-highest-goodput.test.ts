/**
 * The verdict picks the highest goodput among the strategies that meet every
 * constraint; goodputs within 1 % of the best tie, and the tie goes to the
 * lowest ack p99. Skipped and failed replays are listed as not judged.
 */
import { expect, it } from 'vitest';
import { judge } from '../reports/run/verdict.js';
import { verdictLines, verdictPick } from '../reports/run/verdict-render.js';
import { made } from './report-verdict-fixture.js';

const SLO = { p99_ack_us: 50_000, max_overdraft: 0 };

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
  expect(v.reason).toBe('atomic has the highest money-safe goodput (950 ops/s) of the 2 strategies that meet every constraint.');
  expect(v.not_judged).toEqual([{ label: 'buffer', backend: 'kafka', status: 'skipped', detail: 'needs kafka: pass --kafka host:port' }]);
  const wal = v.judged.find((j) => j.label === 'wal')!;
  expect(wal.qualifies).toBe(false);
  expect(wal.checks.filter((c) => !c.ok).map((c) => [c.rule, c.measured, c.limit, c.text])).toEqual([['overdraft ≤ 0', 500, 0, 'overdraft 500 > 0']]);
  expect(verdictLines(v).map((l) => `${l.mark} ${l.title}`)).toEqual(['✓ row-lock [postgres]', '✗ wal [postgres]', '✓ atomic [postgres]', '– buffer [kafka]']);
  expect(verdictLines(v)[3]!.text).toBe('not judged (skipped): needs kafka: pass --kafka host:port');
  expect(verdictLines(v)[0]!.text).toBe('qualifies: goodput 400 ops/s; ack p99 45.0 ms; overdraft 0');
  expect(verdictPick(v)).toBe('pick: atomic. atomic has the highest money-safe goodput (950 ops/s) of the 2 strategies that meet every constraint.');
});

it('breaks a goodput tie (within 1 %) by the lowest ack p99', () => {
  const v = judge(
    {
      strategies: [
        made({ label: 'row-lock', goodput: 1_000, p99: 40_000 }),
        made({ label: 'aggregate', goodput: 991, p99: 12_000 }), // 0.9 % below: a tie
        made({ label: 'atomic', goodput: 989, p99: 2_000 }), // 1.1 % below: not a tie, however fast
        made({ label: 'split', goodput: 1_000, p99: 12_000, p999: 30_000 }), // same p99 as aggregate, worse p99.9
      ],
    },
    SLO,
  );
  expect(v.qualified).toEqual(['row-lock', 'aggregate', 'atomic', 'split']);
  expect(v.pick).toBe('aggregate');
  expect(v.reason).toBe('aggregate has the lowest ack p99 (12.0 ms) of the 3 strategies within 1% of the highest money-safe goodput (1,000 ops/s) among the 4 that meet every constraint.');
});

it('names the only qualifying strategy, and judges on integrity alone without an SLO', () => {
  const one = judge({ strategies: [made({ label: 'atomic', goodput: 300 }), made({ label: 'cache', goodput: 900, lost: 3 })] }, {});
  expect(one.slo_text).toBe('none');
  expect(one.pick).toBe('atomic');
  expect(one.reason).toBe('atomic is the only strategy that meets every constraint (money-safe goodput 300 ops/s).');
  expect(one.judged[1]!.checks.filter((c) => !c.ok).map((c) => c.text)).toEqual(['lost ops 3 > 0']);
});

it('ranks by money-safe goodput: a faster strategy whose ops were lost or overdrawn loses to a slower safe one', () => {
  // wal qualifies on every constraint given (no overdraft cap here) but 300 of its 1,000 ops/s were overdrawn.
  const v = judge({ strategies: [made({ label: 'wal', goodput: 1_000, moneySafe: 700 }), made({ label: 'aggregate', goodput: 900 })] }, { p99_ack_us: 50_000 });
  expect(v.judged.map((j) => [j.label, j.goodput_per_s, j.money_safe_goodput_per_s])).toEqual([['wal', 1_000, 700], ['aggregate', 900, 900]]);
  expect(v.pick).toBe('aggregate');
  expect(v.reason).toBe('aggregate has the highest money-safe goodput (900 ops/s) of the 2 strategies that meet every constraint.');
});
