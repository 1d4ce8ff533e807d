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
      // One backend does the updates and then asks for its statistics to be flushed at once (PostgreSQL 15+):
      // a backend that flushed less than a second ago would otherwise hold them back for up to 10 s of idleness.
      const client = await db.pool.connect();
      try {
        for (let i = 0; i < 500; i++) await client.query('UPDATE accounts SET balance = balance + 1 WHERE id = 1');
        await client.query('SELECT pg_stat_force_next_flush()');
      } finally {
        client.release();
      }
      const dead = (): number[] => samples.filter((s) => s.name === LEDGER_GROWTH_SAMPLES.deadTuples).map((s) => s.value);
      for (let i = 0; i < 60 && Math.max(0, ...dead()) <= 10; i++) await new Promise((r) => setTimeout(r, 250));
      const done = await growth.stop();
      expect(done.firstError).toBe('');
      const last = (name: string): number => samples.filter((s) => s.name === name).at(-1)!.value;
      // Before the updates none; after them some (heap-only updates are pruned as pages are read, so not all 500 stay).
      expect(dead()[0]).toBe(0);
      expect(Math.max(...dead())).toBeGreaterThan(10);
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
