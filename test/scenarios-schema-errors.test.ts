/**
 * A scenario file that breaks the schema yields a ScenarioError listing every
 * problem at once, each as `file:line:col: path: what was expected`, with no
 * stack in the message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario, ScenarioError } from '../scenarios/index.js';

const dir = mkdtempSync(join(tmpdir(), 'hb-scenarios-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** Loads `text` from a real file; returns the error's `path: message` lines (file and position checked separately). */
async function problems(text: string): Promise<string[]> {
  const name = `case-${n++}.yaml`;
  writeFileSync(join(dir, name), text);
  const err = await loadScenario(join(dir, name)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ScenarioError);
  const error = err as ScenarioError;
  expect(error.message).not.toMatch(/\n\s+at /); // no stack trace in the message
  expect(error.message.split('\n')).toHaveLength(error.issues.length);
  return error.issues.map((i) => `${i.path}: ${i.message}`);
}

const valid = (over: Record<string, string> = {}) =>
  Object.entries({
    name: 'probe',
    description: 'a valid scenario',
    accounts: '{ count: 10, balance: 1000, hot: [{ name: fleet }] }',
    phases: '[{ duration: 1s, arrival: { process: constant, rate: 10 } }]',
    mix: '{ charge: 1 }',
    ...over,
  })
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n') + '\n';

describe('scenario schema errors', () => {
  it('accepts the valid base used below', async () => {
    const path = join(dir, 'valid.yaml');
    writeFileSync(path, valid());
    expect((await loadScenario(path)).scenario.name).toBe('probe');
  });

  it('lists every problem of a file at once, in file order, with line and column', async () => {
    const text = `name: multi
description: several problems
accounts:
  count: 10
  balance: 1000
  hot: [{ name: fleet }]
phases:
  - duration: 1s
    arrival: { process: poisson, rate: -3 }
  - duration: 5x
    arrival: { process: constant, rate: 1e99 }
    burst: { length: 1s, multiplier: 2 }
keys: { hot_share: 1.5 }
mix: { charge: 1, refund: 2 }
jobs:
  - { account: fleet, every: 1s, size: 0 }
postgres_url: postgres://somewhere/db
`;
    const path = join(dir, 'multi.yaml');
    writeFileSync(path, text);
    const err = (await loadScenario(path).catch((e: unknown) => e)) as ScenarioError;
    const shown = err.issues[0]!.file;
    expect(shown.endsWith('multi.yaml')).toBe(true);
    expect(err.message.split('\n')).toEqual(
      [
        '9:40: phases[0].arrival.rate: must be > 0, got -3',
        '10:15: phases[1].duration: expected a duration such as "500ms", "10s", "2m" or an integer number of milliseconds, got "5x"',
        '11:41: phases[1].arrival.rate: must be ≤ 10000000, got 1e+99',
        '12:5: phases[1].burst: unknown key "burst" (did you mean "bursts"?); allowed here: name, duration, arrival, bursts',
        '13:20: keys.hot_share: must be ≤ 1, got 1.5',
        '14:19: mix.refund: unknown key "refund"; allowed here: charge, topup, adjust, withdraw, read, adjust_credit_share',
        '16:40: jobs[0].size: must be ≥ 1, got 0',
        '17:1: postgres_url: unknown key "postgres_url"; allowed here: $schema, name, description, seed, slo, counterparty, on_threshold, notify_latency, accounts, phases, keys, mix, hot_mix, amounts, jobs',
      ].map((line) => `${shown}:${line}`),
    );
  });

  it.each([
    ['missing keys', valid({ description: '', phases: '' }), ['description: missing (required): expected a string', 'phases: missing (required): expected a list']],
    ['a bad name', valid({ name: 'Big Advertiser' }), ['name: expected a name of lowercase letters, digits and dashes (at most 63, not starting with a dash), got "Big Advertiser"']],
    ['an empty phase list', valid({ phases: '[]' }), ['phases: needs at least 1 entry']],
    ['a negative rate', valid({ phases: '[{ duration: 1s, arrival: { process: poisson, rate: -5 } }]' }), ['phases[0].arrival.rate: must be > 0, got -5']],
    ['a huge rate', valid({ phases: '[{ duration: 1s, arrival: { process: constant, rate: 5e12 } }]' }), ['phases[0].arrival.rate: must be ≤ 10000000, got 5000000000000']],
    ['an infinite number', valid({ phases: '[{ duration: 1s, arrival: { process: constant, rate: .inf } }]' }), ['phases[0].arrival.rate: expected a number, got a number too large to use']],
    ['an unknown process', valid({ phases: '[{ duration: 1s, arrival: { process: burst, rate: 5 } }]' }), ['phases[0].arrival.process: expected one of "constant", "poisson", "ramp", got "burst"']],
    ['a zero duration', valid({ phases: '[{ duration: 0s, arrival: { process: constant, rate: 5 } }]' }), ['phases[0].duration: must be longer than 0, got "0s"']],
    ['a too long duration', valid({ phases: '[{ duration: 25h, arrival: { process: constant, rate: 5 } }]' }), ['phases[0].duration: is longer than the 24h limit']],
    ['a wrongly typed duration', valid({ phases: '[{ duration: [1], arrival: { process: constant, rate: 5 } }]' }), ['phases[0].duration: expected a duration such as "500ms", "10s", "2m" or an integer number of milliseconds']],
    ['a ramp that never rises', valid({ phases: '[{ duration: 1s, arrival: { process: ramp, from: 0, to: 0 } }]' }), ['phases[0].arrival.to: from and to are both 0: a ramp needs a rate above 0 somewhere']],
    ['overlapping bursts', valid({ phases: '[{ duration: 9s, arrival: { process: constant, rate: 5 }, bursts: { every: 1s, length: 2s, multiplier: 3 } }]' }), ['phases[0].bursts.length: must not be longer than every (bursts would overlap)']],
    ['a wrong type', valid({ accounts: '{ count: ten, balance: 1000 }' }), ['accounts.count: expected a number, got "ten"']],
    ['a fractional count', valid({ accounts: '{ count: 2.5, balance: 1000 }' }), ['accounts.count: expected an integer, got 2.5']],
    ['a positive floor', valid({ accounts: '{ count: 2, balance: 1000, floor: 5 }' }), ['accounts.floor: must be ≤ 0, got 5']],
    ['a balance below the floor', valid({ accounts: '{ count: 2, balance: -10, floor: -5 }' }), ['accounts.balance: is -10, below the floor -5']],
    ['a duplicated hot account', valid({ accounts: '{ count: 5, balance: 1, hot: [{ name: a }, { name: a }] }' }), ['accounts.hot[1].name: "a" is listed twice']],
    ['more hot accounts than accounts', valid({ accounts: '{ count: 1, balance: 1, hot: [{ name: a }, { name: b }] }' }), ['accounts.count: is 1 but 2 hot accounts are listed']],
    ['all mix weights zero', valid({ mix: '{ charge: 0, read: 0 }' }), ['mix: all weights are 0: give at least one of charge, topup, adjust, withdraw, read a weight above 0']],
    ['a job on an unknown account', valid({ jobs: '[{ account: flet, every: 1s, size: 10 }]' }), ['jobs[0].account: no hot account named "flet" (hot accounts: fleet)']],
    ['a hot share without hot accounts', valid({ accounts: '{ count: 5, balance: 1 }', keys: '{ hot_share: 0.5 }' }), ['keys.hot_share: is 0.5 but accounts.hot is empty: name a hot account or set hot_share: 0']],
    ['an inverted uniform range', valid({ amounts: '{ default: { distribution: uniform, min: 9, max: 3 } }' }), ['amounts.default.min: must be ≤ max (3)']],
    ['a bad amount', valid({ amounts: '{ charge: { distribution: fixed, value: 0 } }' }), ['amounts.charge.value: must be ≥ 1, got 0']],
    ['an unknown distribution', valid({ amounts: '{ default: { distribution: pareto } }' }), ['amounts.default.distribution: expected one of "fixed", "uniform", "lognormal", got "pareto"']],
    ['a connection setting', valid({ redis: 'redis://127.0.0.1:6379' }), ['redis: unknown key "redis"; allowed here: $schema, name, description, seed, slo, counterparty, on_threshold, notify_latency, accounts, phases, keys, mix, hot_mix, amounts, jobs']],
    ['a two-line description', valid({ description: '"first\\nsecond"' }), ['description: must be one line, got "first\\nsecond"']],
    ['a document that is a list', '- 1\n- 2\n', ['(top level): expected a mapping (key: value lines), got a list']],
  ])('reports %s', async (_, text, expected) => {
    expect(await problems(text)).toEqual(expected);
  });
});
