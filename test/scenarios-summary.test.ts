/**
 * summarizePlan counts a stream exactly (computed here by hand for a fully
 * even scenario) and finds when a hot account's scheduled debits cross its
 * threshold and its floor; formatPlanSummary prints it aligned.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePlan, formatPlanSummary, loadScenario, summarizePlan, type Plan } from '../scenarios/index.js';

const dir = mkdtempSync(join(tmpdir(), 'hb-scenarios-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function evenPlan(): Promise<Plan> {
  const path = join(dir, 'even.yaml');
  // Every op hits the hot account: charges of 10 at 100/s (op k at 5,000 + 10,000 k µs),
  // then a burst phase with 3× the rate, plus one bulk job of 4 credits of 1,000 at 2.5 s.
  writeFileSync(
    path,
    `name: even
description: hand-countable stream
accounts: { count: 2, balance: 5000, hot: [{ name: wallet, balance: 1000, threshold: 500, floor: -100 }] }
phases:
  - { name: steady, duration: 2s, arrival: { process: constant, rate: 100 } }
  - { name: spike, duration: 1s, arrival: { process: constant, rate: 100 }, bursts: { start: 0s, length: 500ms, multiplier: 3 } }
keys: { hot_share: 1 }
mix: { charge: 1 }
amounts: { default: { distribution: fixed, value: 10 } }
jobs: [{ account: wallet, start: 2500ms, every: 10s, size: 4, credit_share: 1, amount: { distribution: fixed, value: 1000 } }]
`,
  );
  return compilePlan(await loadScenario(path));
}

describe('plan summary', () => {
  it('counts ops by kind, phase and class, and the realised vs expected rates', async () => {
    const s = summarizePlan(await evenPlan());
    // steady: 200 charges; spike: 150 in the 0.5 s burst + 50 after; job: 4 adjusts.
    expect(s.totalOps).toBe(404);
    expect(s.byKind).toEqual({ charge: 400, topup: 0, adjust: 4, withdraw: 0, read: 0 });
    expect(s.byClass).toEqual({ hot: 404, other: 0 });
    expect(s.jobs).toEqual({ count: 1, ops: 4 });
    expect(s.phases).toEqual([
      { name: 'steady', startUs: 0, endUs: 2_000_000, ops: 200, backgroundOps: 200, expectedRate: 100, realisedRate: 100 },
      { name: 'spike', startUs: 2_000_000, endUs: 3_000_000, ops: 204, backgroundOps: 200, expectedRate: 200, realisedRate: 200 },
    ]);
    expect(s.peakPerSecond).toEqual({ ops: 204, atUs: 2_000_000 });
    expect(s.durationUs).toBe(3_000_000);
  });

  it('finds when scheduled debits cross the threshold and the floor', async () => {
    const s = summarizePlan(await evenPlan());
    // After op k the balance is 1000 - 10 (k + 1): below 500 at k = 50 (t = 505 ms), below -100 at k = 110 (t = 1.105 s).
    expect(s.hotAccounts).toEqual([
      {
        id: 0,
        name: 'wallet',
        balance: 1000,
        floor: -100,
        threshold: 500,
        debits: 4000,
        credits: 4000,
        finalBalance: 1000,
        thresholdAtUs: 505_000,
        exhaustedAtUs: 1_105_000,
        exhaustedPhase: 'steady',
        exhaustedInBurst: false,
      },
    ]);
  });

  it('prints an aligned plain-text summary', async () => {
    const text = formatPlanSummary(summarizePlan(await evenPlan()));
    const lines = text.split('\n');
    expect(lines[0]).toBe('scenario     even (seed 1)');
    expect(lines).toContain('ops          404: charge 400, adjust 4');
    expect(lines).toContain('bulk jobs    1 job, 4 ops');
    expect(lines).toContain('phase     start      end  ops  expected/s  realised/s');
    expect(lines).toContain('steady  0.000 s  2.000 s  200       100.0       100.0');
    expect(lines).toContain('spike   2.000 s  3.000 s  204       200.0       200.0');
    expect(lines.find((l) => l.startsWith('wallet'))).toBe('wallet         1,000   -100        500   4,000    4,000          0.505 s  1.105 s (steady)');
    expect(text.endsWith('\n')).toBe(true);
  });
});
