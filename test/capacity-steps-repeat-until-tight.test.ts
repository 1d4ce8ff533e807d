/**
 * Capacity's steps repeat until the goodput interval is within ±10%: a
 * steady measurement stops at the minimum, a noisy one runs to the cap and
 * says it is not tight, and a replay that did not run is left out.
 */
import { describe, expect, it } from 'vitest';
import { repeatUntilTight } from '../runner/repeat-until-tight.js';

describe('repeat until tight', () => {
  it('stops after 2 repetitions when they agree within the target', async () => {
    const calls: number[] = [];
    const m = await repeatUntilTight(async (rep) => (calls.push(rep), [1000, 1020, 990][rep]!));
    expect(calls).toEqual([0, 1]);
    expect(m.tight).toBe(true);
    expect(m.estimate.method).toBe('bootstrap');
  });

  it('runs to the cap, and says so, when repetitions jump between two levels', async () => {
    const levels = [1000, 600, 1000, 600, 1000, 600];
    const m = await repeatUntilTight(async (rep) => levels[rep]!, { maxReps: 5 });
    expect(m.values).toHaveLength(5);
    expect(m.tight).toBe(false);
  });

  it('keeps going after a spread start until the interval narrows', async () => {
    const values = [1000, 1150, 1060, 1050, 1055, 1058, 1052, 1056, 1054, 1057];
    const m = await repeatUntilTight(async (rep) => values[rep]!, { target: 0.05, maxReps: 10 });
    expect(m.values.length).toBeGreaterThan(2);
    expect(m.values.length).toBeLessThan(10);
    expect(m.tight).toBe(true);
    expect(m.estimate.hi - m.estimate.lo).toBeLessThanOrEqual(0.1 * m.estimate.point);
  });

  it('leaves out replays that produced no value', async () => {
    const m = await repeatUntilTight(async (rep) => (rep === 0 ? null : 500), { maxReps: 4 });
    expect(m.values).toEqual([500, 500]);
    expect(m.tight).toBe(true);
  });
});
