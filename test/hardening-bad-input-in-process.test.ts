/**
 * Every run option with every kind of wrong value, in process through
 * `resolveRunConfig` (flags and the environment alike): each value either
 * resolves or is refused with one user-facing line that names the flag or
 * variable; nothing throws anything else, and the values that are plainly
 * wrong are refused. Secrets in a refused URL are never echoed. (The CLI
 * cuts an overlong line when it prints it: see hardening-bad-input-cli.)
 * `--strategies` is resolved later, against the registry (the CLI suite).
 */
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT, resolveRunConfig, type RunOptions } from '../runner/config/run-config.js';
import { isUserFacing } from '../runner/errors.js';

const NASTY_TEXT: string[] = [
  '', ' ', 'abc', '-1', '0', '-0', '1e308', '9007199254740993', 'NaN', 'Infinity', '1.5', '10', '10s', '-5s',
  "'; DROP TABLE ops; --", '<script>alert(1)</script>', 'line\nbreak', '\u0000', 'ü', 'x'.repeat(5_000),
];
/** What yargs hands over for a number flag (a non-numeric text becomes NaN). */
const NASTY_NUMBERS: number[] = [Number.NaN, Number.POSITIVE_INFINITY, -0, -3, 2 ** 53 + 1, 1e308];
/** Options typed `number | string` (number flags); the others are strings from flags and the environment alike. */
const NUMERIC: readonly (keyof RunOptions)[] = ['rateScale', 'seed', 'concurrency', 'connections', 'repeat'];

/** Values that must be refused, per option (the rest may resolve or be refused). */
const MUST_REFUSE: Partial<Record<keyof RunOptions, readonly (string | number)[]>> = {
  duration: ['abc', '-1', '0', '10', '-5s', 'NaN', ''],
  rateScale: ['abc', '-1', '0', '-0', '1e308', 'NaN', 'Infinity', Number.NaN, -3, 1e308],
  seed: ['abc', '-1', '1.5', '9007199254740993', 'NaN', Number.NaN, -3, 2 ** 53 + 1],
  concurrency: ['abc', '0', '-1', '1.5', '1e308', Number.NaN, -0],
  connections: ['abc', '0', '-1', '1.5', '1e308', Number.NaN],
  repeat: ['abc', '0', '-1', '1.5', '1e308', Number.NaN],
  lateThreshold: ['abc', '-1', '0', '10', 'NaN'],
  via: ['abc', "'; DROP TABLE ops; --", '<script>alert(1)</script>'],
  stack: ['abc', "'; DROP TABLE ops; --"],
  pg: ['abc', 'http://x', "'; DROP TABLE ops; --", '10s'],
  pgReplica: ['abc', 'redis://x'],
  redis: ['abc', 'postgres://x', '<script>alert(1)</script>'],
  clickhouse: ['abc', 'ftp://x', 'postgres://u:pw@h/db'],
  kafka: ['abc', "'; DROP TABLE ops; --", 'line\nbreak'],
  scenario: ['abc', "'; DROP TABLE ops; --", '<script>alert(1)</script>', '\u0000'],
  fault: ['abc', 'redis:restart', 'kafka:kill@1s'],
  out: ['', ' '],
  dataDir: ['', ' '],
};

/** Options that take a value (keepDatabases is a boolean switch). */
const KEYS = (Object.keys(ENVIRONMENT) as (keyof RunOptions)[]).filter((k) => k !== 'keepDatabases');

/** Resolves once; returns the one-line message when refused, undefined when resolved. */
async function attempt(options: RunOptions, env: NodeJS.ProcessEnv = {}): Promise<string | undefined> {
  try {
    await resolveRunConfig({ scenario: 'settlement', duration: '2s', ...options }, env);
    return undefined;
  } catch (err) {
    if (!isUserFacing(err)) throw new Error(`${JSON.stringify(options).slice(0, 200)}: not a user-facing error: ${String(err)}`, { cause: err });
    return err.message;
  }
}

describe('resolveRunConfig with wrong values', () => {
  it(`${KEYS.length} options × ${NASTY_TEXT.length}+ values as flags: resolved, or refused in one line naming the flag`, async () => {
    const failures: string[] = [];
    let refused = 0;
    for (const key of KEYS) {
      const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      for (const value of [...NASTY_TEXT, ...(NUMERIC.includes(key) ? NASTY_NUMBERS : []), ...(MUST_REFUSE[key] ?? [])]) {
        const options = { [key]: value } as RunOptions;
        const shown = `${flag} ${JSON.stringify(value)?.slice(0, 40)}`;
        let message: string | undefined;
        try {
          message = await attempt(options);
        } catch (err) {
          failures.push(`${shown}: ${(err as Error).message}`);
          continue;
        }
        if (message === undefined) {
          if (MUST_REFUSE[key]?.includes(value)) failures.push(`${shown}: resolved, expected a refusal`);
          continue;
        }
        refused += 1;
        const lines = message.split('\n');
        // A scenario may list several problems (one per line); every other refusal is one line.
        if (key !== 'scenario' && lines.length !== 1) failures.push(`${shown}: ${lines.length} lines: ${message.slice(0, 200)}`);
        if (key !== 'scenario' && key !== 'strategies' && !message.includes(flag)) failures.push(`${shown}: does not name ${flag}: ${message.slice(0, 200)}`);
        if (/\bat \S+ \(/.test(message)) failures.push(`${shown}: a stack in the message`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(refused).toBeGreaterThan(150);
  }, 120_000);

  it('names the environment variable when the value came from it', async () => {
    expect(await attempt({}, { HOTBENCH_RATE_SCALE: 'abc' })).toBe('HOTBENCH_RATE_SCALE: "abc" is not a positive number.');
    expect(await attempt({}, { PG_URL: 'notaurl' })).toBe('PG_URL: not a URL; give postgres://user@host:5432/database.');
    expect(await attempt({}, { HOTBENCH_FAULTS: 'nope@1s' })).toMatch(/^HOTBENCH_FAULTS: "nope@1s" is not <part>:<action>@<time>/);
  });

  it('never echoes a password from a malformed URL', async () => {
    for (const [key, url] of [
      ['pg', 'mysql://bob:s3cr3t-pw@h/db'],
      ['pgReplica', 'http://bob:s3cr3t-pw@h'],
      ['redis', 'postgres://bob:s3cr3t-pw@h'],
      ['clickhouse', 'redis://bob:s3cr3t-pw@h'],
      ['pg', 'postgres//bob:s3cr3t-pw@h'],
    ] as const) {
      const message = await attempt({ [key]: url });
      expect(message, key).toBeDefined();
      expect(message).not.toContain('s3cr3t-pw');
    }
  });
});
