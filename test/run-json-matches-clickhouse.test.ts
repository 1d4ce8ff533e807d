/**
 * `hotbench run --json` prints numbers that equal what ClickHouse holds for
 * the run id: the JSON is read back from the store, and this test checks it
 * against its own SQL over the raw rows (fleet-bulk).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../reports/run/queries.js';
import type { Store } from '../results/store.js';
import { recordJsonRun } from './support/json-run.js';

describe('run --json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotbench-json-'));
  let report: RunReport;
  let store: Store;

  beforeAll(async () => {
    ({ report, store } = await recordJsonRun(dir, ['run', '--scenario', 'fleet-bulk', '--strategies', 'row-lock', '--duration', '6s']));
  }, 240_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const one = async <T>(sql: string): Promise<T> => {
    const rows = await store.query<T>(sql, { run: report.run.run_id });
    return rows[0]!;
  };

  it('reports the run that ClickHouse holds, with its provenance', async () => {
    expect(report.run.status).toBe('complete');
    expect(report.run.scenario).toBe('fleet-bulk');
    const run = await one<{ planned_ops: number; stream_sha256: string; seed: number }>('SELECT planned_ops, stream_sha256, seed FROM runs WHERE run_id = {run:String}');
    expect(report.run.planned_ops).toBe(run.planned_ops);
    expect(report.run.stream_sha256).toBe(run.stream_sha256);
    expect(report.strategies.map((s) => s.label)).toEqual(['row-lock']);
  });

  it('op counts and statuses equal the ops rows', async () => {
    const s = report.strategies[0]!;
    const c = await one<{ n: number; applied: number; rejected: number; accepted: number }>(
      "SELECT count() AS n, countIf(status = 'applied') AS applied, countIf(status = 'rejected') AS rejected, countIf(status = 'accepted') AS accepted FROM ops WHERE run_id = {run:String}",
    );
    expect(c.n).toBe(report.run.planned_ops); // every planned op recorded exactly once
    expect(s.ops.recorded).toBe(c.n);
    expect(s.by_status.applied).toBe(c.applied);
    expect(s.by_status.rejected).toBe(c.rejected);
    expect(s.by_status.accepted).toBe(c.accepted);
    expect(s.by_status.applied).toBeGreaterThan(0);
  });

  it('latency percentiles and lock wait equal quantileExact over the raw rows', async () => {
    const s = report.strategies[0]!;
    const l = await one<{ p50: number; p99: number; p999: number; mx: number; lw: number; lwp99: number }>(
      `SELECT quantileExact(0.5)(acked_us - intended_us) AS p50, quantileExact(0.99)(acked_us - intended_us) AS p99,
              quantileExact(0.999)(acked_us - intended_us) AS p999, max(acked_us - intended_us) AS mx,
              (SELECT sum(lock_wait_us) FROM ops WHERE run_id = {run:String} AND lock_wait_us >= 0) AS lw,
              (SELECT quantileExact(0.99)(lock_wait_us) FROM ops WHERE run_id = {run:String} AND lock_wait_us >= 0) AS lwp99
       FROM ops WHERE run_id = {run:String} AND acked_us >= 0`,
    );
    expect(s.ack_latency_us.p50).toBe(l.p50);
    expect(s.ack_latency_us.p99).toBe(l.p99);
    expect(s.ack_latency_us.p999).toBe(l.p999);
    expect(s.ack_latency_us.max).toBe(l.mx);
    expect(s.lock_wait.total_s).toBeCloseTo(l.lw / 1e6, 6);
    expect(s.lock_wait.p99_us).toBe(l.lwp99);
    // The fleet account's bulk jobs queue on one row: row-lock must show real lock waits.
    expect(s.lock_wait.total_s).toBeGreaterThan(0.1);
  });

  it('goodput, incidents and the audit equal their rows', async () => {
    const s = report.strategies[0]!;
    const g = await one<{ ok: number; last: number; schedule: number }>(
      "SELECT countIf(status IN ('applied', 'accepted')) AS ok, max(acked_us) AS last, (SELECT any(schedule_us) FROM strategy_runs WHERE run_id = {run:String}) AS schedule FROM ops WHERE run_id = {run:String}",
    );
    expect(s.goodput_per_s).toBeCloseTo(g.ok / (Math.max(g.schedule, g.last) / 1e6), 6);
    const i = await one<{ overdrafts: number; lost: number }>("SELECT countIf(kind = 'overdraft') AS overdrafts, countIf(kind = 'lost') AS lost FROM incidents WHERE run_id = {run:String}");
    expect(s.overdrafts.count).toBe(i.overdrafts);
    expect(s.incidents.lost).toBe(i.lost);
    const a = await one<{ audited: number; ok: number }>('SELECT audited, conservation_ok AS ok FROM strategy_runs WHERE run_id = {run:String}');
    expect(s.conservation.audited).toBe(a.audited === 1);
    expect(s.conservation.ok).toBe(a.ok === 1);
    expect(s.conservation.ok).toBe(true);
  });
});
