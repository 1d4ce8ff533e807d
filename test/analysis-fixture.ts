/**
 * What the timeline-analysis tests share: a chdb results store in a temp
 * folder, a row sink that keeps what an analysis writes, an
 * {@link AnalysisContext} over a ledger pool, and a tiny driver that submits
 * ops to a strategy and records them through the runner's own
 * {@link ReplayRecorder} (so the rows are exactly what a real run records).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import type { Plan } from '../scenarios/index.js';
import type { AccountSpec, Clock, Op, Strategy } from '../strategies/contract.js';
import { openStore } from '../results/open-store.js';
import type { Store } from '../results/store.js';
import { TABLES, type RowOf, type TableName } from '../results/rows.js';
import type { AnalysisContext } from '../runner/analysis/types.js';
import { OpFates } from '../runner/audit/fates.js';
import { ReplayRecorder, type RowSink } from '../runner/replay/sink.js';
import type { RunReplayKey } from '../results/rows.js';
import { testRunId } from './recorder-fixture.js';

/** Keeps every pushed row, per table. */
export class CapturedRows implements RowSink {
  readonly tables = Object.fromEntries(TABLES.map((t) => [t, []])) as unknown as { [T in TableName]: RowOf[T][] };
  push<T extends TableName>(table: T, row: RowOf[T]): void {
    this.tables[table].push(row);
  }
  /** Writes every kept row to `store` and forgets them. */
  async flushTo(store: Store): Promise<void> {
    for (const table of TABLES) {
      const rows = this.tables[table].splice(0);
      if (rows.length > 0) await store.insert(table, rows as never);
    }
  }
}

/** A migrated chdb store in a fresh temp folder; `close()` closes it and removes the folder. */
export async function openTestStore(): Promise<{ store: Store; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hbt-analysis-'));
  const store = await openStore({ dataDir: join(dir, 'ch') });
  await store.migrate();
  return {
    store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh replay key (unique run id). */
export function testKey(strategy = 'test'): RunReplayKey {
  return { run_id: testRunId('an'), strategy, rep: 0 };
}

/**
 * An analysis context. The analyses read only `plan.accounts`, so the plan is
 * a stand-in holding the accounts. Default clock mapping: PostgreSQL epoch µs
 * minus `pgOriginUs` (0), uncertainty 0.
 */
export function analysisContext(o: {
  key: RunReplayKey;
  ledger: Pool;
  store: Store;
  accounts: readonly AccountSpec[];
  rows: RowSink;
  pgToScheduleUs?: (pgEpochUs: number) => number;
  uncertaintyUs?: number;
  logs?: string[];
}): AnalysisContext {
  return {
    key: o.key,
    strategyName: o.key.strategy,
    ledger: o.ledger,
    store: o.store,
    plan: { accounts: o.accounts } as unknown as Plan,
    fates: new OpFates(0),
    pgToScheduleUs: o.pgToScheduleUs ?? ((us) => us),
    pgClockUncertaintyUs: o.uncertaintyUs ?? 0,
    rows: o.rows,
    log: (line) => o.logs?.push(line),
  };
}

/** An `ops` row with defaults (an applied op); override what matters. */
export function opRow(key: RunReplayKey, o: Partial<RowOf['ops']> & Pick<RowOf['ops'], 'op_id' | 'kind' | 'account'>): RowOf['ops'] {
  return {
    ...key, amount: 0, job: -1, intended_us: 0, sent_us: 0, acked_us: 0, status: 'applied', reason: '', lock_wait_us: -1, pool_wait_us: -1, queue_us: -1, attempts: 1, balance: 0, detail: '', ...o,
  };
}

/**
 * Submits `ops` to `strategy` one after another (awaiting each), recording
 * each outcome through a {@link ReplayRecorder} into `rows` with sent/acked
 * times read from `clock`. Returns the recorder (also the strategy's event sink
 * if it was given as `ctx.events`).
 */
export async function driveInOrder(strategy: Strategy, ops: readonly Op[], recorder: ReplayRecorder, clock: Clock): Promise<void> {
  for (const op of ops) {
    const sent = clock.now();
    const outcome = await strategy.submit(op);
    recorder.settled(op, sent, clock.now(), outcome);
  }
}

/** A recorder for `key` writing into `rows`, sized for op ids below `plannedOps`. */
export function recorderFor(key: RunReplayKey, rows: RowSink, plannedOps: number): ReplayRecorder {
  return new ReplayRecorder(key, rows, new OpFates(plannedOps), plannedOps);
}
