/**
 * `hotbench run --via http`: every op of a short run goes over HTTP to the
 * strategy served by a `hotbench serve` child process; the replay is audited
 * as usual (conservation holds, nothing lost or duplicated), the backend says
 * `http+<inner>`, and a deferred strategy's postings, measured in the child,
 * come back on the run's clock (after the intended time, within the replay).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../reports/run/queries.js';
import type { Store } from '../results/store.js';
import { recordJsonRun } from './support/json-run.js';
import { PG_URL } from './support/database.js';

describe('run --via http', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotbench-via-http-'));
  let report: RunReport;
  let stderr: string;
  let store: Store;

  beforeAll(async () => {
    ({ report, store, stderr } = await recordJsonRun(dir, ['run', '--scenario', 'advertiser-burst', '--strategies', 'atomic,wal:interval=50ms', '--duration', '3s', '--rate-scale', '0.5', '--via', 'http', '--pg', PG_URL, '--progress', 'off']));
  }, 240_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves each strategy from a child process and names the HTTP backend', () => {
    expect(report.strategies.map((s) => [s.label, s.backend, s.status])).toEqual([
      ['atomic', 'http+postgres', 'completed'],
      ['wal:interval=50ms', 'http+postgres', 'completed'],
    ]);
    expect(stderr).toMatch(/atomic: serving over HTTP from process \d+ at http:\/\/127\.0\.0\.1:\d+/);
    expect((report.run.config as { via?: string }).via).toBe('http');
  });

  it('audits every replay: money conserved, nothing lost, duplicated or phantom, every planned op recorded once', () => {
    for (const s of report.strategies) {
      expect(s.conservation, s.label).toMatchObject({ audited: true, ok: true });
      expect(s.incidents, s.label).toMatchObject({ lost: 0, duplicated: 0, phantom: 0, mismatch: 0, conservation: 0 });
      expect(s.ops.recorded, s.label).toBe(report.run.planned_ops);
      // Transport failures would be `error` rejects; over loopback there must be none.
      expect(s.rejects.by_reason.filter((r) => r.reason === 'error' || r.reason === 'timeout'), s.label).toEqual([]);
    }
    const atomic = report.strategies[0]!;
    expect(atomic.by_status.applied).toBeGreaterThan(0);
    expect(atomic.by_status.accepted).toBe(0);
  });

  it("posts wal's accepted ops in the child and records them on the run's clock", async () => {
    const wal = report.strategies[1]!;
    expect(wal.by_status.accepted).toBeGreaterThan(0);
    // Applied ops (reads, checked withdrawals) are posted at their ack; accepted ones when the child reports them.
    expect(wal.posting_delay_us.posted).toBe(wal.by_status.accepted + wal.by_status.applied);
    const [row] = await store.query<{ n: number; early: number; beyond: number; min_delay: number }>(
      `SELECT count() AS n, countIf(p.posted_us < o.acked_us - 1000000) AS early, countIf(p.posted_us > {elapsed:Int64}) AS beyond, min(p.posted_us - p.intended_us) AS min_delay
       FROM hotbench.postings AS p INNER JOIN hotbench.ops AS o ON o.run_id = p.run_id AND o.strategy = p.strategy AND o.op_id = p.op_id
       WHERE p.run_id = {run:String} AND p.strategy = {strategy:String} AND o.status = 'accepted'`,
      { run: report.run.run_id, strategy: wal.label, elapsed: wal.elapsed_us },
    );
    expect(row!.n).toBe(wal.by_status.accepted);
    // A posting cannot precede its op's intended time, nor (beyond clock noise) the moment the op was accepted.
    expect(row!.min_delay).toBeGreaterThan(0);
    expect(row!.early).toBe(0);
    expect(row!.beyond).toBe(0);
  });
});
