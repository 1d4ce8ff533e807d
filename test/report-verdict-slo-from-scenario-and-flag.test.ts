/**
 * The verdict's SLO: the scenario's `slo` block, with `run --slo` (or
 * HOTBENCH_SLO) limits on top, recorded in the run's config JSON; a bad
 * `--slo` is one clear line.
 */
import { expect, it } from 'vitest';
import { recordedConfig, resolveRunConfig } from '../runner/config/run-config.js';
import { UserError } from '../runner/errors.js';
import { SloError, describeSlo, parseSloText, sloOfConfig } from '../reports/common/slo.js';

it('parses limits under the catalog names, in the catalog units, with durations, percentages and off', () => {
  expect(parseSloText('p99_ack_ms<50ms, overdraft_amount=0,posting_delay_p99_ms<=1.5s,reject_pct<5%,max_stop_delivery_ms<200ms,p999_ack_ms<800us')).toEqual({
    slo: { p99_ack_ms: 50, overdraft_amount: 0, posting_delay_p99_ms: 1_500, reject_pct: 5, max_stop_delivery_ms: 200, p999_ack_ms: 0.8 },
    off: [],
    notes: [],
  });
  expect(parseSloText('reject_pct<7,max_stop_delivery_ms=off').slo).toEqual({ reject_pct: 7 });
  expect(parseSloText('reject_pct<7,max_stop_delivery_ms=off').off).toEqual(['max_stop_delivery_ms']);
});

it('still reads the old flag names, into the same limits, with one note per old name', () => {
  const old = parseSloText('p99_ack<50ms, overdraft=0,posting_delay<=1.5s,reject_share<5%,stop_delivery<200ms,p99.9_ack<800us,rejects<0.07');
  expect(old.slo).toEqual({ p99_ack_ms: 50, overdraft_amount: 0, posting_delay_p99_ms: 1_500, reject_pct: 7, max_stop_delivery_ms: 200, p999_ack_ms: 0.8 });
  expect(old.notes).toHaveLength(7);
  expect(old.notes[0]).toBe('--slo: p99_ack is now p99_ack_ms; the old name still works for now.');
  expect(parseSloText('rejects<0.1,stop_delivery=off')).toMatchObject({ slo: { reject_pct: 10 }, off: ['max_stop_delivery_ms'] });
});

it('rejects bad parts with one line that says how to write them', () => {
  const message = (text: string) => {
    try {
      parseSloText(text);
    } catch (err) {
      expect(err).toBeInstanceOf(SloError);
      return (err as Error).message;
    }
    throw new Error(`${text} parsed`);
  };
  expect(message('latency<50ms')).toMatch(/^--slo: "latency<50ms" is not a limit I know; names are p99_ack_ms, .*; give comma-separated limits on catalog metrics, e\.g\./);
  expect(message('p99_ack<50')).toBe('--slo: p99_ack: "50" is not a duration above 0 and at most 1 h; write e.g. 50ms, 1.5s, 800us.');
  expect(message('overdraft=-1')).toBe('--slo: overdraft: "-1" is not a whole amount in minor units; write e.g. 0 or 5000.');
  expect(message('reject_share<150%')).toBe('--slo: reject_share: "150%" is not a share; write e.g. 5% or 0.05 (0..1).');
  expect(message('reject_pct<150')).toBe('--slo: reject_pct: "150" is not a percent; write e.g. 5% or 5 (0..100).');
  expect(message(' , ')).toMatch(/^--slo is empty/);
  for (const text of ['latency<50ms', 'p99_ack<50', ' , ']) expect(message(text)).not.toContain('\n');
});

it("records the scenario's SLO, overridden limit by limit by --slo, in the run's config", async () => {
  const fromScenario = await resolveRunConfig({ scenario: 'budget-exhaustion' }, {});
  // budget-exhaustion.yaml: p99_ack_ms 50, overdraft_amount 0, max_stop_delivery_ms 200.
  expect(fromScenario.slo).toEqual({ p99_ack_ms: 50, overdraft_amount: 0, max_stop_delivery_ms: 200 });
  expect(fromScenario.sources['slo']).toBe('scenario');

  const flagged = await resolveRunConfig({ scenario: 'budget-exhaustion', slo: 'p99_ack_ms<20ms,max_stop_delivery_ms=off,posting_delay_p99_ms<1s' }, { HOTBENCH_SLO: 'overdraft_amount=100' });
  expect(flagged.slo).toEqual({ p99_ack_ms: 20, posting_delay_p99_ms: 1_000, overdraft_amount: 0 });
  expect(flagged.sources['slo']).toBe('flag');
  const recorded = recordedConfig(flagged, ['atomic']);
  expect(recorded['slo']).toEqual(flagged.slo);
  // What the report reads back from the recorded JSON.
  expect(sloOfConfig(JSON.parse(JSON.stringify(recorded)))).toEqual(flagged.slo);
  expect(describeSlo(flagged.slo)).toBe('p99_ack_ms ≤ 20.0 ms, posting_delay_p99_ms ≤ 1,000 ms, overdraft_amount ≤ 0');

  const fromEnv = await resolveRunConfig({ scenario: 'budget-exhaustion' }, { HOTBENCH_SLO: 'overdraft_amount=100' });
  expect(fromEnv.slo['overdraft_amount']).toBe(100);
  expect(fromEnv.sources['slo']).toBe('environment');

  await expect(resolveRunConfig({ scenario: 'budget-exhaustion', slo: 'p99<5ms' }, {})).rejects.toThrow(UserError);
  expect(sloOfConfig({ slo: { p99_ack_ms: 'x', overdraft_amount: 5, other: 1 } })).toEqual({ overdraft_amount: 5 });
  expect(sloOfConfig('not json')).toEqual({});
});

it('reads the SLO of runs recorded before the catalog names (µs, a share of 1) as today\'s keys and units', () => {
  const recorded = { slo: { p99_ack_us: 50_000, p999_ack_us: 800, max_posting_delay_us: 1_500_000, max_overdraft: 0, max_stop_delivery_us: 200_000, max_reject_share: 0.07 } };
  expect(sloOfConfig(recorded)).toEqual({ p99_ack_ms: 50, p999_ack_ms: 0.8, posting_delay_p99_ms: 1_500, overdraft_amount: 0, max_stop_delivery_ms: 200, reject_pct: 7 });
  expect(describeSlo(sloOfConfig(recorded))).toBe('p99_ack_ms ≤ 50.0 ms, p999_ack_ms ≤ 0.800 ms, posting_delay_p99_ms ≤ 1,500 ms, overdraft_amount ≤ 0, max_stop_delivery_ms ≤ 200 ms, reject_pct ≤ 7.00%');
});
