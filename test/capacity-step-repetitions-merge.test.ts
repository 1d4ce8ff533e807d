/**
 * A capacity step replayed several times is one step: the repetition with
 * the median goodput stands for it, with the goodput's 95% interval; it
 * passes only when most repetitions passed; the knee carries that interval.
 */
import { describe, expect, it } from 'vitest';
import { mergeRepetitions, summarizeSteps } from '../reports/capacity/build.js';
import type { CapacityStep } from '../reports/capacity/types.js';

function step(rate: number, goodput: number, verdict: CapacityStep['verdict'], order = 1): CapacityStep {
  return {
    label: `row-lock@${rate}/s`, rate_per_s: rate, order, status: 'completed', schedule_us: 3e6, planned_ops: rate * 3, offered_per_s: rate, goodput_per_s: goodput, kept_up: 1,
    ack_us: { p50: 1, p99: 2, p999: 3, max: 4 }, posting_p99_us: 2, reject_share: 0, overdrafts: 0, lost: 0, late_ops: 0, late_share: 0, service_p99_us: 1, max_in_flight: 1, concurrency: 16,
    verdict, breaches: verdict === 'pass' ? [] : [{ term: 'p99 ack', observed: '3 s', category: 'latency' } as CapacityStep['breaches'][number]], note: '', reps: 1, goodput_interval: null,
  };
}

describe('capacity step repetitions', () => {
  it('stands for the step by its median repetition, with the goodput interval, and passes by majority', () => {
    const m = mergeRepetitions([step(400, 390, 'pass'), step(400, 360, 'fail'), step(400, 395, 'pass')]);
    expect(m).toMatchObject({ verdict: 'pass', goodput_per_s: 390, reps: 3 });
    expect(m.goodput_interval!.lo).toBeLessThanOrEqual(360);
    expect(m.goodput_interval!.hi).toBeGreaterThanOrEqual(395);
    expect(m.note).toContain('2 of 3 repetitions within the SLO (uncertain at this rate');
    expect(mergeRepetitions([step(800, 500, 'fail'), step(800, 700, 'pass')]).verdict).toBe('fail');
  });

  it('gives the knee its goodput interval', () => {
    const s = summarizeSteps('row-lock', 'row-lock', 'postgres', [
      mergeRepetitions([step(200, 199, 'pass'), step(200, 200, 'pass')]),
      mergeRepetitions([step(400, 390, 'pass', 2), step(400, 380, 'pass', 2)]),
      mergeRepetitions([step(800, 420, 'fail', 3), step(800, 450, 'fail', 3)]),
    ]);
    expect(s.knee_per_s).toBe(400);
    expect(s.knee_goodput).toMatchObject({ point: 385, lo: 380, hi: 390, reps: 2 });
  });
});
