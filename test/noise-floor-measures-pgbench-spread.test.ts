/**
 * The machine's noise floor: pgbench on a real PostgreSQL, atomic's
 * statement on the hot account, repeated on fresh ledgers: one tps per
 * repetition, their CV and interval, and the sentence the reports print.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { atomicScript, coefficientOfVariation, describeNoiseFloor, measureNoiseFloor } from '../runner/noise-floor.js';
import { openPostgres } from '../runner/stack/postgres.js';
import type { AccountSpec } from '../strategies/contract.js';
import { PG_URL } from './support/database.js';

const account = (id: number, hot: boolean): AccountSpec => ({ id, balance: 1_000_000_000, floor: 0, hot, name: hot ? 'hot' : '', threshold: 0 });

describe('noise floor', () => {
  it('runs pgbench once per repetition on a fresh ledger and reports the spread', async () => {
    const stack = await openPostgres({ url: PG_URL });
    try {
      const floor = await measureNoiseFloor({ stack, accounts: [account(0, false), account(1, true)], clients: 2, seconds: 1, repeat: 2, database: `hb_floor_${randomBytes(4).toString('hex')}` });
      expect(floor.tps).toHaveLength(2);
      for (const t of floor.tps) expect(t).toBeGreaterThan(10);
      expect(floor.cv).toBeCloseTo(coefficientOfVariation(floor.tps), 12);
      expect(floor.interval.method).toBe('bootstrap');
      expect(floor.text).toMatch(/^this machine varies ±\d+\.\d% on its own \(pgbench, atomic's statement on the hot account, 2 clients, 2 × 1 s: /);
    } finally {
      await stack.stop();
    }
  }, 60_000);

  it('debits the hot account, and refuses a scenario without one in one line', async () => {
    expect(atomicScript(7)).toMatch(/\b7\b/);
    expect(atomicScript(7)).not.toMatch(/\$\d/);
    const stack = await openPostgres({ url: PG_URL });
    try {
      await expect(measureNoiseFloor({ stack, accounts: [account(0, false)], clients: 1, seconds: 1, repeat: 1 })).rejects.toThrow(/^the noise floor needs a hot account/);
    } finally {
      await stack.stop();
    }
  });

  it('describes the spread as the CV of the repetitions', () => {
    expect(coefficientOfVariation([100, 100, 100])).toBe(0);
    expect(describeNoiseFloor([900, 1100], 16, 10)).toMatch(/varies ±14\.1% on its own .*900, 1,100 tps/);
  });
});
