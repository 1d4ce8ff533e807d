/**
 * createLedger builds the schema and seeds many accounts in one statement;
 * sub-account layouts keep every logical total.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedger, LedgerError, oneAccountEach, readBalance, splitAccounts } from '../strategies/ledger.js';
import { freshDatabase, type FreshDatabase } from './support/database.js';
import { makeAccounts } from './support/ops.js';

let db: FreshDatabase;
let split: FreshDatabase;
beforeAll(async () => {
  [db, split] = await Promise.all([freshDatabase(), freshDatabase()]);
});
afterAll(() => Promise.all([db?.drop(), split?.drop()]));

describe('ledger seeding', () => {
  it('seeds 20,000 accounts quickly, one main row each with id = owner', async () => {
    const accounts = makeAccounts(Array.from({ length: 20_000 }, (_, i) => ({ balance: i * 3, floor: i % 2 === 0 ? 0 : -500 })));
    const started = performance.now();
    await createLedger(db.pool, accounts);
    const ms = performance.now() - started;
    console.log(`createLedger: 20,000 accounts in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(3_000);
    const r = await db.pool.query<{ n: string; total: string; floors: string; mismatched: string; mains: string }>(
      `SELECT count(*) n, sum(balance) total, sum(floor) floors, count(*) FILTER (WHERE id <> owner OR initial <> balance OR version <> 0) mismatched,
              count(*) FILTER (WHERE role = 'main') mains FROM accounts`,
    );
    expect(r.rows[0]).toEqual({ n: '20000', total: String((3 * 19_999 * 20_000) / 2), floors: String(-500 * 10_000), mismatched: '0', mains: '20000' });
    expect(await readBalance(db.pool, 12_345)).toBe(37_035);
    const entries = await db.pool.query('SELECT count(*)::int AS n FROM entries');
    expect(entries.rows[0].n).toBe(0);
  });

  it('refuses to create the ledger twice in one database', async () => {
    await expect(createLedger(db.pool, makeAccounts([{ balance: 1 }]))).rejects.toThrow(
      'the ledger tables already exist in this database; strategies need a fresh database',
    );
  });

  it('splits accounts into sub-accounts whose balances and floors sum to the logical ones', async () => {
    const accounts = makeAccounts([{ balance: 1000, floor: -100 }, { balance: 7 }, { balance: 10, floor: -5 }]);
    const layout = splitAccounts(accounts, (a) => (a.id === 1 ? 1 : 3));
    expect(layout).toEqual([
      { id: 0, owner: 0, role: 'sub', balance: 334, floor: -34 },
      { id: 3, owner: 0, role: 'sub', balance: 333, floor: -33 },
      { id: 4, owner: 0, role: 'sub', balance: 333, floor: -33 },
      { id: 1, owner: 1, role: 'main', balance: 7, floor: 0 },
      { id: 2, owner: 2, role: 'sub', balance: 4, floor: -2 },
      { id: 5, owner: 2, role: 'sub', balance: 3, floor: -2 },
      { id: 6, owner: 2, role: 'sub', balance: 3, floor: -1 },
    ]);
    await createLedger(split.pool, accounts, { physical: layout });
    expect(await readBalance(split.pool, 0)).toBe(1000);
    expect(await readBalance(split.pool, 2)).toBe(10);
    expect(oneAccountEach(accounts).map((r) => r.id)).toEqual([0, 1, 2]);
  });

  it('refuses a layout whose initial balances do not add up, naming the account', async () => {
    const accounts = makeAccounts([{ balance: 10 }, { balance: 5 }]);
    const physical = [
      { id: 0, owner: 0, role: 'main', balance: 10, floor: 0 },
      { id: 1, owner: 1, role: 'main', balance: 4, floor: 0 },
    ];
    await expect(createLedger(db.pool, accounts, { physical })).rejects.toThrow(new LedgerError('account 1: physical initial balances sum to 4, not the logical 5'));
    await expect(createLedger(db.pool, accounts, { physical: [...physical, { id: 1, owner: 1, role: 'sub', balance: 1, floor: 0 }] })).rejects.toThrow(
      'physical account id 1 is used twice',
    );
    await expect(createLedger(db.pool, accounts, { physical: [{ ...physical[0]!, role: 'Main; drop' }, physical[1]!] })).rejects.toThrow(
      "physical account 0: role 'Main; drop' must match ^[a-z][a-z0-9_]{0,31}$",
    );
  });
});
