/**
 * Compiling a plan: absolute phase times, resolved defaults, and the
 * overrides. `durationUs` scales the timeline and the budgets but not the
 * rates or the job cadence; `rateScale` scales rates, job frequency and
 * budgets; bad overrides give one clean line each.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePlan, generateOps, loadScenario, ScenarioError, type LoadedScenario } from '../scenarios/index.js';

const dir = mkdtempSync(join(tmpdir(), 'hb-scenarios-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let loaded: LoadedScenario;

beforeAll(async () => {
  const path = join(dir, 'plan.yaml');
  writeFileSync(
    path,
    `name: plan-probe
description: overrides probe
seed: 3
slo: { p99_ack_ms: 12.5, overdraft_amount: 0 }
accounts:
  count: 5
  balance: 10000
  floor: -1000
  threshold: 500
  hot:
    - { name: big, balance: 2000, floor: 0, threshold: 100, weight: 2 }
    - { name: small }
phases:
  - { name: warm, duration: 2s, arrival: { process: constant, rate: 100 } }
  - { duration: 6s, arrival: { process: ramp, from: 100, to: 300 }, bursts: { start: 1s, every: 2s, length: 500ms, multiplier: 3 } }
keys: { hot_share: 0.25, others: { distribution: zipf, s: 2 } }
mix: { charge: 3, adjust: 1 }
amounts: { default: { distribution: fixed, value: 5 }, adjust: { distribution: uniform, min: 1, max: 9 } }
jobs: [{ account: small, start: 1s, every: 2s, size: 10, spread: 100ms, credit_share: 0.5 }]
`,
  );
  loaded = await loadScenario(path);
});

describe('compilePlan', () => {
  it('resolves defaults into absolute µs, dense accounts (hot first) and plain JSON data', () => {
    const plan = compilePlan(loaded);
    expect(plan).toEqual({
      name: 'plan-probe',
      description: 'overrides probe',
      file: loaded.file,
      seed: 3,
      rateScale: 1,
      timeScale: 1,
      budgetScale: 1,
      durationUs: 8_000_000,
      accounts: [
        { id: 0, balance: 2000, floor: 0, hot: true, name: 'big', threshold: 100 },
        { id: 1, balance: 10000, floor: -1000, hot: true, name: 'small', threshold: -1000 },
        { id: 2, balance: 10000, floor: -1000, hot: false, name: '', threshold: 500 },
        { id: 3, balance: 10000, floor: -1000, hot: false, name: '', threshold: 500 },
        { id: 4, balance: 10000, floor: -1000, hot: false, name: '', threshold: 500 },
        // counterparty: double (the default) appends the platform accounts
        { id: 5, role: 'revenue', balance: 0, floor: 0, threshold: 0, hot: false, name: 'platform-revenue' },
        { id: 6, role: 'settlement', balance: 0, floor: -1e15, threshold: -1e15, hot: false, name: 'platform-settlement' },
        { id: 7, role: 'clearing', balance: 0, floor: -1e15, threshold: -1e15, hot: false, name: 'external-clearing' },
      ],
      counterparty: 'double',
      onThreshold: 'none',
      notifyLatencyUs: 0,
      phases: [
        { name: 'warm', startUs: 0, endUs: 2_000_000, arrival: { process: 'constant', spacing: 'even', fromRate: 100, toRate: 100 }, bursts: null },
        { name: 'phase-2', startUs: 2_000_000, endUs: 8_000_000, arrival: { process: 'ramp', spacing: 'even', fromRate: 100, toRate: 300 }, bursts: { firstUs: 3_000_000, everyUs: 2_000_000, lengthUs: 500_000, multiplier: 3 } },
      ],
      keys: { hotShare: 0.25, hot: [{ account: 0, weight: 2 }, { account: 1, weight: 1 }], others: { firstId: 2, count: 3, distribution: 'zipf', s: 2 } },
      mix: { charge: 3, topup: 0, adjust: 1, withdraw: 0, read: 0, adjustCreditShare: 0.5 },
      hotMix: null,
      amounts: {
        charge: { distribution: 'fixed', value: 5 },
        topup: { distribution: 'fixed', value: 5 },
        adjust: { distribution: 'uniform', min: 1, max: 9 },
        withdraw: { distribution: 'fixed', value: 5 },
      },
      jobs: [{ account: 1, accountName: 'small', startUs: 1_000_000, everyUs: 2_000_000, size: 10, spreadUs: 100_000, creditShare: 0.5, amount: { distribution: 'uniform', min: 1, max: 9 } }],
      slo: { p99_ack_ms: 12.5, overdraft_amount: 0 },
    });
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('durationUs compresses the timeline and the headroom, not the rates or the job cadence', () => {
    const plan = compilePlan(loaded, { durationUs: 2_000_000 });
    expect([plan.timeScale, plan.budgetScale, plan.durationUs]).toEqual([0.25, 0.25, 2_000_000]);
    expect(plan.phases.map((p) => [p.startUs, p.endUs, p.arrival.fromRate, p.arrival.toRate])).toEqual([
      [0, 500_000, 100, 100],
      [500_000, 2_000_000, 100, 300],
    ]);
    expect(plan.phases[1]!.bursts).toEqual({ firstUs: 750_000, everyUs: 500_000, lengthUs: 125_000, multiplier: 3 });
    // headroom above the floor × 0.25: big 2000 → 500; others (10000 - -1000) × 0.25 - 1000 = 1750, threshold 1500 × 0.25 - 1000 = -625
    // The platform accounts are not scaled: they start empty.
    expect(plan.accounts.map((a) => [a.balance, a.threshold])).toEqual([[500, 25], [1750, -1000], [1750, -625], [1750, -625], [1750, -625], [0, 0], [0, -1e15], [0, -1e15]]);
    expect(plan.jobs[0]).toMatchObject({ startUs: 250_000, everyUs: 2_000_000, spreadUs: 100_000 });
    const ops = [...generateOps(plan)];
    expect(ops.filter((o) => o.at < 500_000 && o.job === -1)).toHaveLength(50); // 100/s for 0.5 s: rates unchanged
    expect(ops.filter((o) => o.job !== -1)).toHaveLength(10); // one job fits: 0.25 s (+0.1 s); the next would start at 2.25 s
  });

  it('rateScale multiplies rates and job frequency, and budgets with them', () => {
    const plan = compilePlan(loaded, { rateScale: 2 });
    expect([plan.rateScale, plan.timeScale, plan.budgetScale, plan.durationUs]).toEqual([2, 1, 2, 8_000_000]);
    expect(plan.phases.map((p) => [p.arrival.fromRate, p.arrival.toRate])).toEqual([[200, 200], [200, 600]]);
    expect(plan.jobs[0]).toMatchObject({ startUs: 1_000_000, everyUs: 1_000_000, spreadUs: 50_000, size: 10 });
    expect(plan.accounts[0]).toMatchObject({ balance: 4000, threshold: 200 });
    expect([...generateOps(plan)].filter((o) => o.at < 2_000_000 && o.job === -1)).toHaveLength(400);
  });

  it('an override seed replaces the scenario seed', () => {
    expect(compilePlan(loaded, { seed: 99 }).seed).toBe(99);
  });

  it.each([
    [{ rateScale: 0 }, 'rateScale (override): must be a positive finite number, got 0'],
    [{ rateScale: -2 }, 'rateScale (override): must be a positive finite number, got -2'],
    [{ rateScale: Number.NaN }, 'rateScale (override): must be a positive finite number, got NaN'],
    [{ rateScale: Infinity }, 'rateScale (override): must be a positive finite number, got Infinity'],
    [{ rateScale: 1e6 }, 'rateScale (override): 1000000 makes phase "warm" run at 100000000 ops/s, above the 10000000 ops/s limit'],
    [{ durationUs: 0 }, 'durationUs (override): must be a whole number of µs between 1 and 86400000000 (24h), got 0'],
    [{ durationUs: 1.5 }, 'durationUs (override): must be a whole number of µs between 1 and 86400000000 (24h), got 1.5'],
    [{ durationUs: 1e12 }, 'durationUs (override): must be a whole number of µs between 1 and 86400000000 (24h), got 1000000000000'],
    [{ seed: -1 }, 'seed (override): must be a non-negative integer, got -1'],
    [{ seed: 0.5 }, 'seed (override): must be a non-negative integer, got 0.5'],
  ])('rejects %o with one clean line', (overrides, message) => {
    let caught: unknown;
    try {
      compilePlan(loaded, overrides);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ScenarioError);
    expect((caught as Error).message).toBe(`${loaded.file}: ${message}`);
  });
});
