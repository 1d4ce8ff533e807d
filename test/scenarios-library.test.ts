/**
 * The built-in scenarios load, are sized for a 30-50 s run, and tell the
 * stories they promise: the big advertiser's budget runs out inside a burst
 * (also when the run is shortened), the overdraft stress runs out in the
 * first third, the fleet gets whole jobs of 2,000.
 */
import { describe, expect, it } from 'vitest';
import { burstWindows, compilePlan, listScenarios, loadScenario, packageRoot, summarizePlan, type Plan } from '../scenarios/index.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function insideABurst(plan: Plan, us: number): boolean {
  return plan.phases.some((p) => [...burstWindows(p)].some((w) => us >= w.startUs && us < w.endUs));
}

describe('built-in scenarios', () => {
  it('lists the six built-ins with their one-line descriptions', async () => {
    const list = await listScenarios();
    expect(list.map((s) => s.name)).toEqual(['advertiser-burst', 'budget-exhaustion', 'fleet-bulk', 'revenue-hot', 'rider-payouts', 'settlement']);
    for (const entry of list) {
      expect(entry.file).toBe(join(packageRoot(), 'scenarios', 'library', `${entry.name}.yaml`));
      expect(entry.summary.length).toBeGreaterThan(20);
      expect(entry.summary).not.toContain('\n');
      expect(readFileSync(entry.file, 'utf8').startsWith('# yaml-language-server: $schema=../scenario.schema.json\n')).toBe(true);
    }
  });

  it('finds the package root by its package.json', () => {
    expect(JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).name).toBe('hotbench');
    expect(existsSync(join(packageRoot(), 'scenarios', 'library'))).toBe(true);
  });

  it.each(['advertiser-burst', 'budget-exhaustion', 'fleet-bulk', 'revenue-hot', 'rider-payouts', 'settlement'])('%s is sized for a 30-50 s run at a few hundred ops/s', async (name) => {
    const plan = compilePlan(await loadScenario(name));
    const s = summarizePlan(plan);
    expect(plan.durationUs).toBeGreaterThanOrEqual(30_000_000);
    expect(plan.durationUs).toBeLessThanOrEqual(50_000_000);
    const meanRate = s.totalOps / (plan.durationUs / 1e6);
    expect(meanRate).toBeGreaterThan(200);
    expect(meanRate).toBeLessThan(1500);
  });

  it.each([undefined, 20_000_000, 10_000_000])('advertiser-burst: the big budget runs out inside a burst (duration %s)', async (durationUs) => {
    const plan = compilePlan(await loadScenario('advertiser-burst'), durationUs === undefined ? {} : { durationUs });
    const s = summarizePlan(plan);
    const big = s.hotAccounts.find((h) => h.name === 'big-advertiser')!;
    expect(big.exhaustedAtUs).not.toBeNull();
    expect(insideABurst(plan, big.exhaustedAtUs!)).toBe(true);
    expect(big.exhaustedInBurst).toBe(true);
    // The base mix: ~60 % of ops on the hot account, ~10 % reads, bursts 5× the base rate.
    expect(Math.abs(s.byClass.hot / s.totalOps - 0.6)).toBeLessThan(0.02);
    expect(Math.abs(s.byKind.read / s.totalOps - 0.1)).toBeLessThan(0.01);
    expect(plan.phases[0]!.bursts!.multiplier).toBe(5);
  });

  it('budget-exhaustion: the hot budget runs out in the first third of the run', async () => {
    const plan = compilePlan(await loadScenario('budget-exhaustion'));
    const hot = summarizePlan(plan).hotAccounts[0]!;
    expect(hot.exhaustedAtUs).not.toBeNull();
    expect(hot.exhaustedAtUs!).toBeLessThan(plan.durationUs / 3);
    expect(hot.exhaustedAtUs!).toBeGreaterThan(plan.durationUs / 10);
  });

  it('fleet-bulk: whole jobs of 2,000 signed adjustments against the fleet account', async () => {
    const plan = compilePlan(await loadScenario('fleet-bulk'));
    const s = summarizePlan(plan);
    expect(s.jobs).toEqual({ count: 8, ops: 16_000 });
    expect(s.byKind.adjust).toBe(16_000);
    expect(s.byClass.hot).toBe(16_000); // only the jobs touch the fleet account
  });

  it('settlement: the settlement account mostly receives credits, with some withdrawals', async () => {
    const s = summarizePlan(compilePlan(await loadScenario('settlement')));
    const hot = s.hotAccounts[0]!;
    expect(hot.credits).toBeGreaterThan(2 * hot.debits);
    expect(hot.debits).toBeGreaterThan(0);
    expect(s.byKind.withdraw).toBeGreaterThan(0);
  });

  it('rider-payouts: thousands of accounts, each touched a few times, with real-time withdrawals', async () => {
    const plan = compilePlan(await loadScenario('rider-payouts'));
    const s = summarizePlan(plan);
    expect(plan.accounts.length).toBeGreaterThanOrEqual(2000);
    expect(s.accounts.hot).toBe(0);
    expect(s.byKind.withdraw / s.totalOps).toBeGreaterThan(0.3);
    expect(s.totalOps / plan.accounts.length).toBeLessThan(10);
  });
});
