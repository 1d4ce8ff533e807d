/**
 * Load shards of one run share one ledger: each shard's strategy instance
 * calls createLedger at the same time; exactly one creates and seeds it, the
 * others attach to it, and a ledger seeded differently is still refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedger, splitAccounts } from '../strategies/ledger.js';
import type { AccountSpec } from '../strategies/contract.js';
import { freshDatabase, type FreshDatabase } from './support/database.js';

let db: FreshDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => db?.drop());

const accounts: AccountSpec[] = Array.from({ length: 5_000 }, (_, id) => ({ id, balance: 1_000 + id, floor: id % 7 === 0 ? -50 : 0, hot: id === 0, name: id === 0 ? 'hot' : '', threshold: 0 }));

describe('one ledger shared by the shards of a run', () => {
  it('is created once when four shards set up at the same time', async () => {
    const pools = [0, 1, 2, 3].map(() => db.newPool({ max: 2 }));
    await Promise.all(pools.map((p) => createLedger(p, accounts)));
    const r = await db.pool.query<{ n: string; total: string }>('SELECT count(*)::text AS n, sum(balance)::text AS total FROM accounts');
    expect(r.rows[0]).toEqual({ n: '5000', total: String(accounts.reduce((s, a) => s + a.balance, 0)) });
  });

  it('attaches without touching balances a shard has already moved', async () => {
    await db.pool.query('UPDATE accounts SET balance = balance - 10 WHERE id = 0');
    await createLedger(db.pool, accounts);
    const r = await db.pool.query<{ balance: string }>('SELECT balance::text FROM accounts WHERE id = 0');
    expect(r.rows[0]?.balance).toBe('990');
  });

  it('refuses a ledger seeded with other balances, floors or layout', async () => {
    const richer = accounts.map((a) => (a.id === 4_321 ? { ...a, balance: a.balance + 1 } : a));
    await expect(createLedger(db.pool, richer)).rejects.toThrow('the ledger tables already exist in this database; strategies need a fresh database');
    const lower = accounts.map((a) => (a.id === 17 ? { ...a, floor: -1 } : a));
    await expect(createLedger(db.pool, lower)).rejects.toThrow(/already exist/);
    await expect(createLedger(db.pool, accounts, { physical: splitAccounts(accounts, (a) => (a.id === 0 ? 2 : 1)) })).rejects.toThrow(/already exist/);
  });
});
