/**
 * The ledger's growth in telemetry: on a real database whose hot row is
 * updated over and over, the dead-tuple series rises from 0 and the size series is
 * the tables' size on disk; an unreachable database records a reason, not a crash.
 */
import { describe, expect, it } from 'vitest';
import { MonotonicClock } from '../runner/clock.js';
import { LEDGER_GROWTH_SAMPLES, startLedgerGrowth } from '../runner/telemetry/ledger-growth.js';
import { freshDatabase } from './support/database.js';

describe('ledger growth telemetry', () => {
  it('samples dead tuples, live rows and bytes that grow as a hot row is updated', async () => {
    const db = await freshDatabase();
    try {
      await db.pool.query('CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)');
      await db.pool.query('ALTER TABLE accounts SET (autovacuum_enabled = false)');
      await db.pool.query('INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 100) g');
      const samples: { name: string; value: number }[] = [];
      const growth = startLedgerGrowth({ url: db.url, clock: new MonotonicClock(), sample: (name, value) => samples.push({ name, value }), intervalMs: 200 });
      for (let i = 0; i < 500; i++) await db.pool.query('UPDATE accounts SET balance = balance + 1 WHERE id = 1');
      // Backends flush their table statistics at most once a second, and when they go idle.
      await new Promise((r) => setTimeout(r, 1_500));
      const done = await growth.stop();
      expect(done.firstError).toBe('');
      const last = (name: string): number => samples.filter((s) => s.name === name).at(-1)!.value;
      const dead = samples.filter((s) => s.name === LEDGER_GROWTH_SAMPLES.deadTuples).map((s) => s.value);
      // Before the updates none; after them some (heap-only updates are pruned as pages are read, so not all 500 stay).
      expect(dead[0]).toBe(0);
      expect(Math.max(...dead)).toBeGreaterThan(10);
      expect(last(LEDGER_GROWTH_SAMPLES.liveTuples)).toBe(100);
      const bytes = (await db.pool.query<{ b: string }>("SELECT pg_total_relation_size('accounts')::text AS b")).rows[0]!.b;
      expect(last(LEDGER_GROWTH_SAMPLES.ledgerBytes)).toBe(Number(bytes));
    } finally {
      await db.drop();
    }
  }, 30_000);

  it('records why when the database cannot be reached', async () => {
    const growth = startLedgerGrowth({ url: 'postgres://postgres@127.0.0.1:1/nowhere', clock: new MonotonicClock(), sample: () => undefined });
    const done = await growth.stop();
    expect(done.samples).toBe(0);
    expect(done.firstError).toMatch(/ECONNREFUSED/);
  });
});
