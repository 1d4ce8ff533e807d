/**
 * The capacity search on synthetic steps (no servers): which rates it tries
 * (geometric steps, then geometric bisection), where it stops, how a step is
 * judged (latency, lag, money before time, driver-limited only when the
 * strategy itself answered in time), and how the result is summarised.
 */
import { describe, expect, it } from 'vitest';
import { capacitySlo, defaultLimits, judgeStep, maxText, stepOf, summarizeSteps, type CapacityStep, type DriverFacts } from '../reports/capacity/index.js';
import { CAPACITY_DEFAULTS, searchStrategy, stepDurationUs, verdictsAgree, type CapacitySearch } from '../runner/api/capacity.js';
import { repeatUntilTight } from '../runner/repeat-until-tight.js';
import type { PlannedStrategy } from '../runner/replay/plan.js';
import { fakeStrategyReport, type FakeReplay } from './compare-fixture.js';

const slo = capacitySlo(defaultLimits());
const search: CapacitySearch = { limits: defaultLimits(), ...CAPACITY_DEFAULTS };
const planned = { label: 's', name: 's', needs: ['postgres'], params: {}, create: () => undefined } as unknown as PlannedStrategy;
const quiet = { abort: new AbortController().signal, log: () => undefined };
const served = (p99Us: number, sendDelayP99Us = 0, keptUp = 1): DriverFacts => ({
  service_us: { p50: p99Us / 2, p90: p99Us, p99: p99Us, p999: p99Us, max: p99Us },
  max_in_flight: 10,
  send_delay_p99_us: sendDelayP99Us,
  steady: { intended: 10_000, acked: Math.round(keptUp * 10_000) },
});

/** A strategy that keeps up to `ceiling` ops/s (p99 5 ms) and falls behind above it (p99 800 ms, acks only `ceiling`/s). */
function synthetic(ceiling: number, extra: (rate: number) => FakeReplay = () => ({})) {
  const tried: number[] = [];
  const steps: CapacityStep[] = [];
  const run = async (rate: number): Promise<CapacityStep> => {
    tried.push(rate);
    const over = rate > ceiling;
    const knobs: FakeReplay = { label: `s@${rate}/s`, offered: rate, goodput: Math.min(rate, ceiling), p99Us: over ? 800_000 : 5_000, idx: tried.length - 1, ...extra(rate) };
    const step = stepOf(fakeStrategyReport(knobs), rate, slo, served(knobs.p99Us ?? 5_000, 0, Math.min(1, ceiling / rate)));
    steps.push(step);
    return step;
  };
  return { tried, steps, run };
}

describe('capacity search', () => {
  it('doubles from --start until a failure, then bisects geometrically three times', async () => {
    const s = synthetic(1234);
    await searchStrategy(planned, search, s.run, quiet);
    expect(s.tried).toEqual([100, 200, 400, 800, 1600, 1131, 1345, 1233]);
    const r = summarizeSteps('s', 's', 'postgres', s.steps);
    expect(r).toMatchObject({ max_sustained_per_s: 1233, knee_per_s: 1233, bound: 'between', first_fail_per_s: 1345 });
    expect(r.steps.map((st) => st.rate_per_s)).toEqual([100, 200, 400, 800, 1131, 1233, 1345, 1600]);
    // Both terms broke at 1345/s; latency is named first (time before lag).
    expect(r.broke_first).toEqual({ category: 'latency', detail: 'p99_ack_ms<=50ms (was 800ms), kept_up>=95% (was 91.75%)', at_per_s: 1345 });
  });

  it('steps down when the first step fails, gives up after four, and stops at --max when nothing breaks', async () => {
    const low = synthetic(50);
    await searchStrategy(planned, search, low.run, quiet);
    expect(low.tried).toEqual([100, 50, 71, 60, 55]);
    expect(summarizeSteps('s', 's', '', low.steps)).toMatchObject({ max_sustained_per_s: 50, bound: 'between', first_fail_per_s: 55 });
    const none = synthetic(0);
    await searchStrategy(planned, search, none.run, quiet);
    expect(none.tried).toEqual([100, 50, 25, 13, 7]);
    const hopeless = summarizeSteps('s', 's', '', none.steps);
    expect(hopeless).toMatchObject({ max_sustained_per_s: null, bound: 'none', first_fail_per_s: 7 });
    expect(maxText(hopeless, 100)).toBe('< 7/s');
    const high = synthetic(1e9);
    await searchStrategy(planned, { ...search, maxPerS: 1000 }, high.run, quiet);
    expect(high.tried).toEqual([100, 200, 400, 800, 1000]);
    expect(summarizeSteps('s', 's', '', high.steps)).toMatchObject({ max_sustained_per_s: 1000, bound: 'at-least', first_fail_per_s: null, broke_first: null });
  });

  it('a step whose ops were sent late while the strategy answered in time is driver-limited: the maximum is a lower bound', async () => {
    // Above 2,000/s the harness falls behind: 10% of ops late by up to 88 ms, ack p99 90 ms, the strategy's own service p99 2 ms.
    const s = synthetic(1e9, (rate) => (rate > 2000 ? { late: 100, p99Us: 90_000 } : {}));
    const run = async (rate: number) => {
      const st = await s.run(rate);
      return rate > 2000 ? stepOf(fakeStrategyReport({ label: `s@${rate}/s`, offered: rate, late: 100, p99Us: 90_000 }), rate, slo, served(2_000, 88_000)) : st;
    };
    await searchStrategy(planned, search, run, quiet);
    expect(s.tried).toEqual([100, 200, 400, 800, 1600, 3200, 2263, 1903, 2075]);
    const last = stepOf(fakeStrategyReport({ label: 's@2075/s', offered: 2075, late: 100, p99Us: 90_000 }), 2075, slo, served(2_000, 88_000));
    expect(last.verdict).toBe('driver-limited');
    expect(last.note).toBe("10% of ops were sent late (send delay p99 88ms, more than the strategy's own service time p99 2ms): the driver fell behind its schedule (CPU)");
    expect(summarizeSteps('s', 's', '', s.steps.slice(0, 8).concat(last))).toMatchObject({ max_sustained_per_s: 1903, bound: 'at-least', broke_first: { category: 'driver-limited', at_per_s: 2075 } });
    // The cap reached while each op, once sent, was served within the SLO: the cap held the load back.
    const capped = judgeStep(slo, fakeStrategyReport({ late: 100, p99Us: 90_000, concurrency: 512 }), { ...served(2_000, 88_000), max_in_flight: 512 });
    expect(capped).toMatchObject({ verdict: 'driver-limited' });
    expect(capped.note).toContain('the concurrency cap (512) was reached: raise --concurrency');
  });

  it('lateness never excuses money or refusals, nor a strategy that was slow itself', () => {
    const late = { late: 100, p99Us: 90_000 };
    expect(judgeStep(slo, fakeStrategyReport({ ...late, overdrafts: 1 }), served(2_000)).verdict).toBe('fail');
    expect(judgeStep(slo, fakeStrategyReport({ ...late, rejected: 50 }), served(2_000)).verdict).toBe('fail');
    // The strategy queued the ops itself (service p99 70 ms > the send delay; or, at the cap, over the SLO).
    expect(judgeStep(slo, fakeStrategyReport(late), served(70_000, 10_000)).verdict).toBe('fail');
    expect(judgeStep(slo, fakeStrategyReport(late), { ...served(70_000, 900_000), max_in_flight: 512 }).verdict).toBe('fail');
    expect(judgeStep(slo, fakeStrategyReport({ late: 5, p99Us: 90_000 }), served(2_000)).verdict).toBe('fail'); // 0.5% late: not the driver
    expect(judgeStep(slo, fakeStrategyReport({ status: 'skipped' }), undefined)).toMatchObject({ verdict: 'not-run' });
  });

  it('step length: --step-duration, stretched to --min-step-ops at low rates (up to 60 s), shortened to --max-step-ops at high rates, never under 1 s', () => {
    expect(stepDurationUs(search, 100)).toBe(10_000_000); // 1,000 ops at 100/s
    expect(stepDurationUs(search, 400)).toBe(3_000_000); // 1,200 ops: --step-duration already plans enough
    expect(stepDurationUs(search, 13)).toBe(60_000_000); // 1,000 ops would take 77 s: capped
    expect(stepDurationUs(search, 12_800)).toBe(2_344_000);
    expect(stepDurationUs(search, 51_200)).toBe(1_000_000);
    expect(stepDurationUs({ stepDurationUs: 3_000_000, minStepOps: 0, maxStepOps: 30_000 }, 100)).toBe(3_000_000); // no minimum
    expect(stepDurationUs({ stepDurationUs: 500_000, minStepOps: 0, maxStepOps: 30_000 }, 100_000)).toBe(500_000); // shorter than 1 s only when asked
  });

  it('a step repeats while its repetitions disagree on the verdict, even once goodput is tight', async () => {
    const verdicts = ['pass', 'fail', 'pass', 'pass', 'fail'] as const;
    const judged: { verdict: CapacityStep['verdict'] }[] = [];
    const m = await repeatUntilTight(
      async (rep) => (judged.push({ verdict: verdicts[rep]! }), 1000),
      { minReps: 2, maxReps: 5, settled: () => verdictsAgree(judged) },
    );
    expect(m.values).toHaveLength(5); // 1,000 ops/s every time: tight after 2, but pass/fail split to the cap
    expect(verdictsAgree([{ verdict: 'pass' }, { verdict: 'pass' }])).toBe(true);
    expect(verdictsAgree([{ verdict: 'fail' }, { verdict: 'driver-limited' }])).toBe(true); // both outside the SLO
    expect(verdictsAgree([{ verdict: 'pass' }, { verdict: 'not-run' }])).toBe(true); // a replay that did not run has no say
    const agreeing = await repeatUntilTight(async () => 1000, { minReps: 2, maxReps: 5, settled: () => true });
    expect(agreeing.values).toHaveLength(2);
  });
});
