/**
 * `--fault <part>:<action>@<time>`: known faults parse to schedule times in
 * µs, sorted; every malformed value is one line naming the flag, the value
 * and the fix.
 */
import { describe, expect, it } from 'vitest';
import { parseFault, parseFaults } from '../runner/faults/spec.js';

describe('--fault parsing', () => {
  it('parses known faults, normalizes the text and sorts by time', () => {
    expect(parseFault('redis:restart@8s')).toEqual({ text: 'redis:restart@8s', part: 'redis', action: 'restart', kind: 'redis:restart', target: 'stack', atUs: 8_000_000 });
    expect(parseFault(' Consumer:Kill@1500ms ')).toMatchObject({ text: 'consumer:kill@1500ms', kind: 'consumer:kill', target: 'strategy', atUs: 1_500_000 });
    expect(parseFaults(['consumer:kill@5s', 'redis:restart@2.5s']).map((f) => f.atUs)).toEqual([2_500_000, 5_000_000]);
    expect(parseFaults('redis:restart@1s,consumer:kill@2s').map((f) => f.kind)).toEqual(['redis:restart', 'consumer:kill']);
    expect(parseFaults(undefined)).toEqual([]);
  });

  it.each([
    ['redis-restart@5s', '--fault: "redis-restart@5s" is not <part>:<action>@<time>; give e.g. redis:restart@8s (known: redis:restart, postgres:restart, kafka:restart, consumer:kill).'],
    ['redis:restart', '--fault: "redis:restart" is not <part>:<action>@<time>; give e.g. redis:restart@8s (known: redis:restart, postgres:restart, kafka:restart, consumer:kill).'],
    ['kafka:kill@5s', '--fault: unknown fault "kafka:kill" in "kafka:kill@5s"; known: redis:restart, postgres:restart, kafka:restart, consumer:kill.'],
    // The time's own problem comes from the CLI's duration parser (runner/config/units.ts), prefixed with the flag and value.
    ['redis:restart@soon', /^--fault "redis:restart@soon": "soon" is not a duration; use e\.g\. 10s/],
    ['redis:restart@0s', /^--fault "redis:restart@0s": "0s" must be a positive duration/],
  ] as [string, string | RegExp][])('%s → one clear line', (value, message) => {
    let error: unknown;
    try {
      parseFault(value);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('UserError');
    if (typeof message === 'string') expect((error as Error).message).toBe(message);
    else expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
