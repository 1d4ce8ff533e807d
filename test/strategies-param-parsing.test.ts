/** Parameter helpers turn CLI strings into typed values (durations in µs) and print them back canonically. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bool, duration, formatDuration, nonNegativeInt, oneOf, paramInfo, parseDuration, ParamError, positiveInt } from '../strategies/params.js';

describe('durations', () => {
  it('parse units into integer microseconds; a bare integer is milliseconds', () => {
    expect(parseDuration('250us')).toBe(250);
    expect(parseDuration('10ms')).toBe(10_000);
    expect(parseDuration('1s')).toBe(1_000_000);
    expect(parseDuration('1.5s')).toBe(1_500_000);
    expect(parseDuration('2m')).toBe(120_000_000);
    expect(parseDuration(' 7MS ')).toBe(7_000);
    expect(parseDuration(3)).toBe(3_000);
    expect(parseDuration('0')).toBe(0);
  });

  it('refuse what is not a whole number of µs, with one line', () => {
    expect(() => parseDuration('10 ms ms')).toThrow(ParamError);
    expect(() => parseDuration('-1ms')).toThrow("'-1ms' is not a duration (use e.g. 250us, 10ms, 1.5s, 2m or 1h)");
    expect(() => parseDuration('1.5')).toThrow("'1.5' has no unit; write e.g. 1.5ms or 1.5s");
    expect(() => parseDuration('10')).toThrow("'10' has no unit; write e.g. 10ms or 10s");
    expect(() => parseDuration('0.5us')).toThrow("'0.5us' is not a whole number of microseconds");
    expect(() => parseDuration('10d')).toThrow(ParamError);
  });

  it('format with the largest unit that keeps the value whole', () => {
    expect([0, 1, 999, 1_000, 1_500, 10_000, 1_000_000, 1_500_000, 60_000_000, 90_000_000].map(formatDuration)).toEqual([
      '0ms', '1us', '999us', '1ms', '1500us', '10ms', '1s', '1500ms', '1m', '90s',
    ]);
    for (const us of [1, 999, 1_500, 10_000, 1_500_000, 90_000_000]) expect(parseDuration(formatDuration(us))).toBe(us);
  });

  it('schemas default, bound and describe themselves', () => {
    const s = duration('10ms', { min: '1ms', max: '1s' });
    expect(s.parse(undefined)).toBe(10_000);
    expect(s.parse('20ms')).toBe(20_000);
    expect(s.safeParse('2s').success).toBe(false);
    expect(s.safeParse('500us').success).toBe(false);
    expect(paramInfo(s)?.expected).toBe('a duration such as 10ms, 1s or 250us, between 1ms and 1s');
    expect(paramInfo(s)?.format(20_000)).toBe('20ms');
  });
});

describe('integers, enums, booleans', () => {
  it('positive and non-negative integers', () => {
    const p = positiveInt(5, 10);
    expect(p.parse(undefined)).toBe(5);
    expect(p.parse('10')).toBe(10);
    expect(p.parse(3)).toBe(3);
    for (const bad of ['0', '11', '1.5', 'x', '', '1e3']) expect(p.safeParse(bad).success).toBe(false);
    expect(nonNegativeInt(1).parse('0')).toBe(0);
    expect(nonNegativeInt(1).safeParse('-1').success).toBe(false);
    expect(paramInfo(p)?.expected).toBe('a positive integer up to 10');
  });

  it('enums match case-insensitively and keep the canonical word', () => {
    const e = oneOf(['read-committed', 'repeatable-read'], 'repeatable-read');
    expect(e.parse(undefined)).toBe('repeatable-read');
    expect(e.parse('Read-Committed')).toBe('read-committed');
    expect(e.safeParse('serializable').success).toBe(false);
  });

  it('booleans accept true/false/1/0', () => {
    const b = bool(false);
    expect(['true', 'TRUE', '1', 'false', '0', true].map((v) => b.parse(v))).toEqual([true, true, true, false, false, true]);
    expect(b.parse(undefined)).toBe(false);
    expect(b.safeParse('yes').success).toBe(false);
  });

  it('compose into strict object schemas with documented defaults', () => {
    const schema = z.object({ window: duration('10ms'), max: positiveInt(500), strict: bool(true) }).strict();
    expect(schema.parse({})).toEqual({ window: 10_000, max: 500, strict: true });
    expect(schema.parse({ window: '2s', max: '7', strict: '0' })).toEqual({ window: 2_000_000, max: 7, strict: false });
  });
});
