/**
 * A {@link StrategyContext} over a fresh database, with a simple monotonic
 * clock and an in-memory event sink, for tests.
 */
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { AccountSpec, Clock, EventSink, Micros, Op, SignalKind, StrategyContext } from '../../strategies/contract.js';
import { freshDatabase, type FreshDatabase } from './database.js';

/** An {@link EventSink} that keeps every event in arrays, in arrival order. */
export class MemoryEvents implements EventSink {
  readonly postedOps: { op: Op; at: Micros }[] = [];
  readonly signals: { kind: SignalKind; account: number; at: Micros }[] = [];
  readonly samples: { name: string; value: number; at: Micros }[] = [];
  readonly notes: { kind: string; detail: string; at: Micros }[] = [];
  posted(ops: readonly Op[], at: Micros): void {
    for (const op of ops) this.postedOps.push({ op, at });
  }
  signal(kind: SignalKind, account: number, at: Micros): void {
    this.signals.push({ kind, account, at });
  }
  sample(name: string, value: number, at: Micros): void {
    this.samples.push({ name, value, at });
  }
  note(kind: string, detail: string, at: Micros): void {
    this.notes.push({ kind, detail, at });
  }
}

/** µs since construction, from `performance.now()`, floored to integers. */
export class TestClock implements Clock {
  private readonly origin = performance.now();
  now(): Micros {
    return Math.floor((performance.now() - this.origin) * 1000);
  }
}

/** What {@link makeContext} returns. `close()` ends the pools and drops the database. */
export interface TestContext {
  readonly ctx: StrategyContext;
  readonly events: MemoryEvents;
  readonly db: FreshDatabase;
  readonly logs: string[];
  /** Aborts `ctx.abort`. */
  abort(): void;
  close(): Promise<void>;
}

/**
 * Builds a context over a new database. `connections` (default 8) is the
 * default pool size handed out by `ctx.postgres.pool()`; keep it small, the
 * test server is shared. `ports` fills {@link StrategyContext.ports}.
 */
export async function makeContext(
  accounts: readonly AccountSpec[],
  opts: { connections?: number; ports?: StrategyContext['ports'] } = {},
): Promise<TestContext> {
  const db = await freshDatabase({ poolMax: 2 });
  const version = await db.pool.query<{ server_version: string }>('SHOW server_version');
  const connections = opts.connections ?? 8;
  const controller = new AbortController();
  const events = new MemoryEvents();
  const logs: string[] = [];
  const ctx: StrategyContext = {
    postgres: {
      pool: (o = {}): pg.Pool => db.newPool({ max: o.max ?? connections, applicationName: o.applicationName ?? 'hotbench-strategy' }),
      serverVersion: version.rows[0]?.server_version.split(' ')[0] ?? 'unknown',
      connections,
    },
    ports: opts.ports ?? {},
    clock: new TestClock(),
    events,
    accounts,
    abort: controller.signal,
    log: (line) => logs.push(line),
  };
  return { ctx, events, db, logs, abort: () => controller.abort(), close: () => db.drop() };
}
