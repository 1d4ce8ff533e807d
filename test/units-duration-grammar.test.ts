/**
 * The one duration grammar (units/duration.ts) and its bare-number rule, as
 * every reader of durations sees it: text carries its unit, a number value is
 * milliseconds.
 */
import { describe, expect, it } from 'vitest';
import { parseSloText } from '../reports/common/slo.js';
import { parseDurationUs } from '../runner/config/units.js';
import { durationToMicros } from '../scenarios/units.js';
import { parseDuration } from '../strategies/params.js';
import { formatDuration, formatUs, formatUsAsSeconds, readDuration } from '../units/duration.js';

describe('duration grammar', () => {
  it('reads every unit, with or without a space, in any case', () => {
    expect(['250us', '250µs', '10ms', '1.5s', '2m', '1h', '10 MS'].map((t) => readDuration(t))).toEqual([
      { ok: true, us: 250, whole: true },
      { ok: true, us: 250, whole: true },
      { ok: true, us: 10_000, whole: true },
      { ok: true, us: 1_500_000, whole: true },
      { ok: true, us: 120_000_000, whole: true },
      { ok: true, us: 3_600_000_000, whole: true },
      { ok: true, us: 10_000, whole: true },
    ]);
  });

  it('refuses a bare number in text and reads a number value as milliseconds', () => {
    expect(readDuration('10')).toEqual({ ok: false, problem: 'bare-number' });
    expect(readDuration(10)).toEqual({ ok: true, us: 10_000, whole: true });
    expect(readDuration('0.5us')).toEqual({ ok: true, us: 1, whole: false });
    expect(readDuration('-1ms')).toEqual({ ok: false, problem: 'not-a-duration' });
  });

  it('is the grammar of scenario files, flags, --slo and strategy parameters alike', () => {
    expect(durationToMicros('1h')).toBe(3_600_000_000);
    expect(durationToMicros(500)).toBe(500_000);
    expect(durationToMicros('500')).toBeUndefined();
    expect(parseDurationUs('1h', '--duration')).toBe(3_600_000_000);
    expect(() => parseDurationUs('10', '--duration')).toThrow('--duration: "10" has no unit; write e.g. 10s or 10ms.');
    expect(parseSloText('p99_ack_ms<1h').slo).toEqual({ p99_ack_ms: 3_600_000 });
    expect(() => parseSloText('p99_ack_ms<50')).toThrow('is not a duration above 0');
    expect(parseDuration('1h')).toBe(3_600_000_000);
    expect(parseDuration(10)).toBe(10_000);
    expect(() => parseDuration('10')).toThrow("'10' has no unit");
  });

  it('formats µs three ways: canonical text that reads back, for people, and as seconds', () => {
    expect([1_500, 10_000, 90_000_000].map(formatDuration)).toEqual(['1500us', '10ms', '90s']);
    expect([1_500, 10_000, 90_000_000].map((us) => readDuration(formatDuration(us)))).toEqual([1_500, 10_000, 90_000_000].map((us) => ({ ok: true, us, whole: true })));
    expect([850, 12_340, 4_200_000].map(formatUs)).toEqual(['850µs', '12.3ms', '4.20s']);
    expect(formatUsAsSeconds(12_345_678)).toBe('12.346 s');
  });
});
