/**
 * What one op costs the harness in CPU time, measured flat out (every op
 * due at once), so the figure holds on a busy machine where wall-clock rates
 * do not: the process's CPU time divided by the ops, which contention does
 * not inflate much (the late-op search in bench:driver needs a quiet
 * machine; this does not).
 *
 * - pipeline: generator → open-loop driver → record sink → recorder,
 *   encoding included, into a store that discards the batches (so it is the
 *   main thread's share);
 * - ingest: ClickHouse (chdb, in process) taking the encoded `ops` and
 *   `postings` rows of those ops, as the recorder sends them (TabSeparated).
 */
import { join } from 'node:path';
import type { Plan } from '../scenarios/index.js';
import { generateOps } from '../scenarios/index.js';
import type { Store } from '../results/store.js';
import type { EncodedBody, RowFormat } from '../results/encode.js';
import type { RowOf, TableName } from '../results/rows.js';
import { OpFates } from '../runner/audit/fates.js';
import { OpenLoopDriver } from '../runner/driver/open-loop.js';
import { ReplayRecorder } from '../runner/replay/sink.js';
import { Recorder } from '../runner/record/recorder.js';
import { SPOOL_FORMAT } from '../runner/record/spool.js';
import { NoopStrategy } from './noop-strategy.js';

/** CPU µs per op, and how many ops one core could do at that cost. */
export interface OpCost {
  readonly ops: number;
  readonly cpuUsPerOp: number;
  readonly wallUsPerOp: number;
}

const cpuUs = (u: NodeJS.CpuUsage): number => u.user + u.system;

/** A store that takes every batch and keeps nothing but the largest body per table (a sample for the ingest cost). */
class DiscardStore implements Store {
  readonly kind = 'chdb' as const;
  readonly description = 'a store that discards';
  rows = 0;
  readonly sample = new Map<TableName, EncodedBody>();
  async version(): Promise<string> {
    return '';
  }
  async migrate(): Promise<void> {}
  async insert<T extends TableName>(_table: T, rows: readonly RowOf[T][]): Promise<void> {
    this.rows += rows.length;
  }
  async insertEncoded(table: TableName, body: EncodedBody, _format: RowFormat): Promise<void> {
    // The fullest batch: ingest is measured at the recorder's batch size. A copy: the recorder reuses the body's bytes.
    if (body.length > (this.sample.get(table)?.length ?? 0)) this.sample.set(table, Buffer.from(body));
    await new Promise((resolve) => setImmediate(resolve));
  }
  async query<T>(): Promise<T[]> {
    return [];
  }
  async close(): Promise<void> {}
}

/**
 * Runs `plan`'s ops (every one due at once) through the driver, the record
 * sink and a recorder writing to a store that discards. `spoolDir` is a
 * folder the recorder may use (it stays empty).
 */
export async function measurePipelineCost(plan: Plan, ops: number, spoolDir: string): Promise<OpCost & { bodies: ReadonlyMap<TableName, EncodedBody> }> {
  const store = new DiscardStore();
  const recorder = new Recorder(store, { spoolDir: join(spoolDir, 'discard-spool') });
  const sink = new ReplayRecorder({ run_id: 'cost', strategy: 'noop', rep: 0 }, recorder, new OpFates(ops), ops);
  const driver = new OpenLoopDriver(new NoopStrategy(), sink, { clock: { now: () => Number.MAX_SAFE_INTEGER }, concurrency: 512 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await driver.run(generateOps(plan));
  await recorder.close();
  const cpu = cpuUs(process.cpuUsage(cpu0));
  if (result.sent !== ops) throw new Error(`the cost pass sent ${result.sent} ops, expected ${ops}`);
  return { ops, cpuUsPerOp: cpu / ops, wallUsPerOp: ((performance.now() - t0) * 1000) / ops, bodies: store.sample };
}

/**
 * Inserts `ops` ops' worth of recorded rows (one `ops` and one `postings`
 * line per op, copies of `bodies`, in batches as the recorder makes them)
 * into `store` and returns the CPU cost per op (chdb's threads included: it
 * runs in this process).
 */
export async function measureIngestCost(store: Store, bodies: ReadonlyMap<TableName, EncodedBody>, ops: number): Promise<OpCost> {
  const batches = (['ops', 'postings'] as const).map((table) => {
    const body = bodies.get(table) ?? '';
    const lines = body.toString().split('\n').filter((l) => l !== '').length;
    return { table, body, lines };
  });
  if (batches.some((b) => b.lines === 0)) throw new Error('no sample batch to insert');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let done = 0;
  while (done < ops) {
    for (const b of batches) await store.insertEncoded(b.table, b.body, SPOOL_FORMAT);
    done += Math.min(batches[0]!.lines, batches[1]!.lines);
  }
  return { ops: done, cpuUsPerOp: cpuUs(process.cpuUsage(cpu0)) / done, wallUsPerOp: ((performance.now() - t0) * 1000) / done };
}
