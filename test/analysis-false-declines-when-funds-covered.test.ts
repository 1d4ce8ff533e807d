/**
 * The false-decline analysis counts an insufficient-funds decline as false
 * exactly when the account's available funds (its ledger balance over all its
 * rows, minus debits accepted but not yet posted) covered the debit
 * throughout the decline's [sent, acked] window widened by the clock
 * uncertainty; it reads the declines and promised debits from ClickHouse
 * (the 18.16 server and embedded chdb alike) in pages and the entries from
 * PostgreSQL through a cursor, and ignores other reasons, other replays and
 * rows recorded twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../results/open-store.js';
import type { IncidentRow, OpRow, RowOf, TableName } from '../results/rows.js';
import type { Store } from '../results/store.js';
import { ANALYSES, type AnalysisContext } from '../runner/analysis/index.js';
import { falseDeclines, findFalseDeclines } from '../runner/analysis/false-declines.js';
import { OpFates } from '../runner/audit/fates.js';
import { compilePlan, loadScenario, type Plan } from '../scenarios/index.js';
import { createLedger } from '../strategies/ledger.js';
import { freshDatabase, type FreshDatabase } from './support/database.js';
import { makeAccounts } from './support/ops.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const database = `hbt_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'hbt-false-declines-'));
const run_id = `fd-${randomBytes(4).toString('hex')}`;
const key = { run_id, strategy: 'split', rep: 0 };
/** Schedule time 0 on PostgreSQL's clock, µs since the Unix epoch. */
const EPOCH_US = 1_700_000_000_000_000;
const UNCERTAINTY_US = 100;

// 0: 100, floor 0; 1: 0 with a credit limit of 50, in two rows (ids 1 and 3); 2: 10, floor 0, never posted to;
// 3: 100, floor 0, with debits accepted before they are posted (a deferred strategy).
const accounts = makeAccounts([{ balance: 100 }, { balance: 0, floor: -50 }, { balance: 10 }, { balance: 100 }]);
let db: FreshDatabase;
/** Both results stores, each with the same rows: the SQL must run on old and new ClickHouse alike. */
const stores: Record<'server' | 'chdb', Store | undefined> = { server: undefined, chdb: undefined };
let plan: Plan;

/** [op, account, kind, amount, sent, acked] of each recorded decline, schedule µs. */
const DECLINES: [number, number, string, number, number, number][] = [
  [1, 0, 'charge', 50, 2_000, 3_000], // balance 40 throughout: not covered
  [2, 0, 'charge', 30, 2_000, 3_000], // 40 ≥ 30: false
  [3, 0, 'charge', 100, 4_000, 6_000], // 40 until the credit at 5,000: not covered all along
  [4, 0, 'charge', 100, 6_000, 8_000], // 140: false
  [5, 0, 'withdraw', 100, 8_000, 10_000], // the debit at 9,000 leaves 10: not covered all along
  [6, 0, 'charge', 5, 8_000, 10_000], // never below 10: false
  [7, 0, 'charge', 100, 500, 800], // before any entry, the initial 100: false
  [10, 0, 'charge', 100, 5_050, 6_000], // 140 from 5,050, but the credit at 5,000 is within the 100 µs uncertainty: not
  [11, 0, 'adjust', -20, 6_000, 8_000], // a negative adjustment of 20 against 140: false
  [20, 1, 'charge', 60, 2_000, 2_500], // 20 - 60 = -40 ≥ -50: false
  [21, 1, 'charge', 80, 2_000, 2_500], // -60 < -50: not
  [30, 2, 'withdraw', 10, 100, 200], // exactly to the floor: false
  [31, 2, 'withdraw', 11, 100, 200], // not
  // Account 3: a charge of 70 accepted (sent 1,000), in the ledger at 3,900, reported posted at 4,000.
  [51, 3, 'charge', 50, 2_000, 2_500], // the ledger holds 100 but 70 are promised: 30 available, not covered
  [52, 3, 'charge', 25, 2_000, 2_500], // 30 ≥ 25: false
  [53, 3, 'charge', 30, 4_100, 4_500], // posted: 30 in the ledger, nothing promised: false
  [54, 3, 'charge', 30, 3_950, 4_500], // between the entry (3,900) and the report (4,000) it counts twice: -40, not
  // A charge of 10 accepted at 5,000 and never posted stays promised.
  [56, 3, 'charge', 25, 6_000, 6_500], // 30 - 10 = 20 < 25: not
  [57, 3, 'charge', 20, 6_000, 6_500], // 20 ≥ 20: false
];

function opRow(op: number, account: number, kind: string, amount: number, sent: number, acked: number, over: Partial<OpRow> = {}): OpRow {
  return {
    ...key, op_id: op, kind, account, amount, job: -1, intended_us: sent, sent_us: sent, acked_us: acked, status: 'rejected',
    reason: 'insufficient_funds', lock_wait_us: -1, pool_wait_us: -1, queue_us: -1, attempts: 1, balance: 0, detail: '', ...over,
  };
}

beforeAll(async () => {
  db = await freshDatabase({ poolMax: 2 });
  await createLedger(db.pool, accounts, {
    physical: [
      { id: 0, owner: 0, role: 'main', balance: 100, floor: 0 },
      { id: 1, owner: 1, role: 'sub', balance: 0, floor: -25 },
      { id: 3, owner: 1, role: 'sub', balance: 0, floor: -25 },
      { id: 2, owner: 2, role: 'main', balance: 10, floor: 0 },
      { id: 4, owner: 3, role: 'main', balance: 100, floor: 0 },
    ],
  });
  // [op, account row, owner, delta, schedule µs]: the entries, inserted out of time order on purpose.
  const entries: [number, number, number, number, number][] = [[102, 0, 0, 100, 5_000], [101, 0, 0, -60, 1_000], [103, 0, 0, -130, 9_000], [120, 3, 1, 20, 1_000], [50, 4, 3, -70, 3_900]];
  for (const [op, row, owner, delta, t] of entries) {
    await db.pool.query(
      `INSERT INTO entries (op_id, account_id, owner, delta, created_at) VALUES ($1, $2, $3, $4, to_timestamp(0) + $5::bigint * interval '1 microsecond')`,
      [op, row, owner, delta, EPOCH_US + t],
    );
  }
  stores.server = await openStore({ url: CLICKHOUSE_URL, dataDir: dir, database });
  stores.chdb = await openStore({ dataDir: join(dir, 'chdb'), database });
  const rows = [
    ...DECLINES.map(([op, account, kind, amount, sent, acked]) => opRow(op, account, kind, amount, sent, acked)),
    opRow(2, 0, 'charge', 30, 2_000, 3_000), // recorded twice
    opRow(40, 0, 'charge', 1, 2_000, 3_000, { reason: 'rate_limited' }),
    opRow(41, 0, 'charge', 1, 2_000, 3_000, { strategy: 'split:on_insufficient=try-others' }),
    opRow(42, 0, 'charge', 1, 2_000, 3_000, { rep: 1 }),
    opRow(43, 0, 'charge', 1, 2_000, 3_000, { status: 'applied', reason: '' }),
    // Promised debits of account 3: posted (50), never posted (55); a promised credit does not count as funds (58).
    opRow(50, 3, 'charge', 70, 1_000, 1_100, { status: 'accepted', reason: '' }),
    opRow(55, 3, 'charge', 10, 5_000, 5_100, { status: 'accepted', reason: '' }),
    opRow(58, 3, 'topup', 1_000, 1_000, 1_100, { status: 'accepted', reason: '' }),
    opRow(59, 3, 'charge', 100, 1_000, 1_100, { status: 'accepted', reason: '', strategy: 'wal' }), // another replay
  ];
  for (const store of [stores.server, stores.chdb]) {
    await store.migrate();
    await store.insert('ops', rows);
    await store.insert('postings', [{ ...key, op_id: 50, intended_us: 1_000, posted_us: 4_000 }, { ...key, op_id: 58, intended_us: 1_000, posted_us: 8_000 }]);
  }
  const base = compilePlan(await loadScenario('budget-exhaustion'), {});
  plan = { ...base, accounts };
});

afterAll(async () => {
  await stores.server?.close();
  await stores.chdb?.close();
  await db?.drop();
  await fetch(`${CLICKHOUSE_URL}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
  rmSync(dir, { recursive: true, force: true });
});

function context(store: Store, incidents: IncidentRow[]): AnalysisContext {
  return {
    key,
    strategyName: 'split',
    ledger: db.pool,
    store,
    plan,
    fates: new OpFates(1),
    pgToScheduleUs: (pgEpochUs) => pgEpochUs - EPOCH_US,
    pgClockUncertaintyUs: UNCERTAINTY_US,
    rows: {
      push<T extends TableName>(table: T, row: RowOf[T]): void {
        if (table === 'incidents') incidents.push(row as IncidentRow);
      },
    },
    log: () => undefined,
  };
}

describe.each(['server', 'chdb'] as const)('false-decline analysis on ClickHouse %s', (which) => {
  it('finds exactly the declines covered throughout their window, paging through both stores', async () => {
    const incidents: IncidentRow[] = [];
    const result = await findFalseDeclines(context(stores[which]!, incidents), { pageRows: 2, batchRows: 2 });
    expect(result).toEqual({ declines: 19, falseDeclines: 10 });
    const found = incidents.sort((a, b) => a.op_id - b.op_id).map((i) => [i.kind, i.op_id, i.account, i.amount, i.at_us]);
    expect(found).toEqual([
      ['false_decline', 2, 0, 30, 3_000],
      ['false_decline', 4, 0, 100, 8_000],
      ['false_decline', 6, 0, 5, 10_000],
      ['false_decline', 7, 0, 100, 800],
      ['false_decline', 11, 0, 20, 8_000],
      ['false_decline', 20, 1, 60, 2_500],
      ['false_decline', 30, 2, 10, 200],
      ['false_decline', 52, 3, 25, 2_500],
      ['false_decline', 53, 3, 30, 4_500],
      ['false_decline', 57, 3, 20, 6_500],
    ]);
    expect(incidents.every((i) => i.run_id === run_id && i.strategy === 'split' && i.rep === 0)).toBe(true);
    expect(incidents.find((i) => i.op_id === 2)?.detail).toBe(
      'declined a debit of 30 while the account had at least 40 available (floor 0) throughout [1900, 3100] µs (sent..acked ± 100 µs clock uncertainty)',
    );
    expect(incidents.find((i) => i.op_id === 20)?.detail).toContain('had at least 20 available (floor -50)');
    expect(incidents.find((i) => i.op_id === 57)?.detail).toContain('had at least 20 available (floor 0)');
  });

  it('gives the same answer with the default page sizes, and is registered among the post-replay analyses', async () => {
    const incidents: IncidentRow[] = [];
    expect(await findFalseDeclines(context(stores[which]!, incidents))).toEqual({ declines: 19, falseDeclines: 10 });
    expect(ANALYSES).toContain(falseDeclines);
  });
});
