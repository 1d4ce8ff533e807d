/**
 * Stale reads on a real streaming replica: read-write-split's reads made
 * while the replica's replay is held back, after charges were acknowledged by
 * the primary, are exactly the stale ones the analysis counts (with the
 * exact distance, and "has budget" flagged once the ledger is below the
 * threshold); reads before the charges and after the replica caught up are
 * not. The same ops on `atomic` (reads on the primary) give no stale read.
 * Holding replay back makes "a read right after a write" deterministic.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findStaleReads } from '../runner/analysis/stale-reads.js';
import { pgToSchedule, syncPgClock } from '../runner/replay/pg-clock.js';
import { AtomicStrategy } from '../strategies/atomic/index.js';
import type { AccountSpec, Op, Strategy } from '../strategies/contract.js';
import { readBalance } from '../strategies/ledger.js';
import { ReadWriteSplitStrategy } from '../strategies/read-write-split/index.js';
import type { Store } from '../results/store.js';
import { makeOps } from './support/ops.js';
import { analysisContext, CapturedRows, driveInOrder, openTestStore, recorderFor, testKey } from './analysis-fixture.js';
import { startReplicatedStack, type ReplicatedStack } from './replica-fixture.js';

const accounts: AccountSpec[] = [{ id: 0, balance: 1000, floor: 0, hot: true, name: 'hot', threshold: 850 }];
const before = makeOps([['read', 0, 0], ['read', 0, 0], ['read', 0, 0]], 0);
const paused = makeOps([['charge', 0, 100], ...Array.from({ length: 5 }, () => ['read', 0, 0] as const), ['charge', 0, 100], ['read', 0, 0], ['read', 0, 0]], 3);
const after = makeOps([['read', 0, 0], ['read', 0, 0], ['read', 0, 0]], 12);

let stack: ReplicatedStack;
let store: Store;
let closeStore: () => Promise<void>;
beforeAll(async () => {
  stack = await startReplicatedStack();
  ({ store, close: closeStore } = await openTestStore());
});
afterAll(async () => {
  await closeStore?.();
  await stack?.close();
});

async function run(strategy: Strategy) {
  const key = testKey(strategy instanceof AtomicStrategy ? 'atomic' : 'read-write-split');
  const rows = new CapturedRows();
  const recorder = recorderFor(key, rows, 15);
  const c = await stack.context(accounts, recorder);
  await strategy.setup(c.ctx);
  const sync = await syncPgClock(c.primary, c.clock);
  const drive = (ops: readonly Op[]): Promise<void> => driveInOrder(strategy, ops, recorder, c.clock);
  await drive(before);
  await c.replica.query('SELECT pg_wal_replay_pause()');
  try {
    await drive(paused);
  } finally {
    await c.replica.query('SELECT pg_wal_replay_resume()');
  }
  for (let i = 0; i < 3_000 && (await readBalance(c.replica, 0)) !== 800; i++) await sleep(10); // caught up (30 s at most)
  await drive(after);
  await strategy.stop();
  await rows.flushTo(store);
  const out = new CapturedRows();
  const counts = await findStaleReads(analysisContext({ key, ledger: c.primary, store, accounts, rows: out, pgToScheduleUs: pgToSchedule(sync, 0), uncertaintyUs: sync.uncertaintyUs }));
  return { counts, incidents: out.tables.incidents };
}

it('counts exactly the reads made while the replica lagged behind acknowledged charges', async () => {
  const { counts, incidents } = await run(new ReadWriteSplitStrategy({ precheck: false }));
  expect(counts).toEqual({ reads: 13, stale: 7, falseBudget: 2 });
  expect(incidents.map((i) => [i.op_id, i.amount, i.detail.startsWith('false "has budget"')])).toEqual([
    [4, 100, false], [5, 100, false], [6, 100, false], [7, 100, false], [8, 100, false],
    [10, 200, true], [11, 200, true],
  ]);
});

it('finds no stale read for atomic, whose reads go to the primary', async () => {
  const { counts, incidents } = await run(new AtomicStrategy());
  expect(counts).toEqual({ reads: 13, stale: 0, falseBudget: 0 });
  expect(incidents).toEqual([]);
});
