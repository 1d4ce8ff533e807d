/**
 * bench:fidelity compares hotbench's `row-lock` with a pgbench script of
 * row-lock's own statements (lock, insert the entry, update the balance). Its
 * scenario must therefore be single entry: under double entry row-lock also
 * posts the counterparty's leg (a second hot row, the platform's revenue
 * account), and the ratio measured the extra statement and lock, not the
 * harness (0.29–0.34 instead of ~0.9).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePlan, generateOps, loadScenario, packageRoot } from '../scenarios/index.js';
import { counterparties } from '../scenarios/op.js';

describe('bench:fidelity scenario', () => {
  it('posts no counterparty leg, as its pgbench script posts none', async () => {
    const plan = compilePlan(await loadScenario(join(packageRoot(), 'bench', 'scenarios', 'fidelity-hot-row.yaml')), { durationUs: 1_000_000 });
    expect(plan.counterparty).toBe('none');
    const counterpartyOf = counterparties(plan.accounts);
    const ops = [...generateOps(plan)];
    expect(ops.length).toBeGreaterThan(100);
    expect(ops.every((op) => counterpartyOf(op) === -1)).toBe(true);
  });
});
