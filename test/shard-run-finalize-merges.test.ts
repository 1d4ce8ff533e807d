/**
 * Two load shards of one run, in one process here (the CLI test runs them as
 * processes), against one PostgreSQL and the ClickHouse server: finalize
 * refuses while they run, then merges them into one run whose recorded ops
 * hash to the unsharded stream, whose audit ran once over the shared ledger,
 * and whose report's percentiles are those of all raw ops.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarizePlan } from '../scenarios/index.js';
import { builtinRegistry } from '../strategies/registry.js';
import { resolveRunConfig } from '../runner/config/run-config.js';
import { runShard } from '../runner/shard/run-shard.js';
import { finalizeRun } from '../runner/shard/finalize.js';
import { Recorder } from '../runner/record/recorder.js';
import { openStore } from '../results/open-store.js';
import { loadRunReport } from '../reports/run/queries.js';
import { PG_URL } from './support/database.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const dir = mkdtempSync(join(tmpdir(), 'hb-shard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a sharded run, finalized', () => {
  it('merges two shards into one audited run over all raw ops', async () => {
    const runId = `t-shard-${randomBytes(4).toString('hex')}`;
    const config = await resolveRunConfig({ scenario: 'advertiser-burst', strategies: 'atomic', duration: '3s', pg: PG_URL, clickhouse: CLICKHOUSE_URL, dataDir: dir, out: dir, connections: 4 }, {});
    const whole = summarizePlan(config.plan);
    const registry = builtinRegistry();
    const abort = new AbortController().signal;
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    const shards = [0, 1].map((index) => runShard(config, { registry, log, progress: 'off', abort, runId, shard: { index, count: 2 }, barrierTimeoutMs: 60_000 }));

    const store = await openStore({ url: CLICKHOUSE_URL, dataDir: dir });
    await store.migrate();
    const recorder = new Recorder(store, { spoolDir: join(dir, 'spool') });
    try {
      // Too early: the shards have not ended, so finalize refuses and writes nothing.
      for (let i = 0; i < 1200; i++) {
        const started = await store.query<{ n: number }>("SELECT count() AS n FROM shard_runs WHERE run_id = {run:String} AND status = 'started'", { run: runId });
        if ((started[0]?.n ?? 0) >= 1) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await expect(finalizeRun({ store, rows: recorder, pgUrl: PG_URL, runId, waitMs: 0, keepDatabases: false, log })).rejects.toThrow(
        new RegExp(`^run ${runId} is not finished: shard \\d/2 of atomic (is running on|has not started)[^\\n]*Nothing was written: run \`hotbench finalize ${runId}\` again`),
      );
      expect((await store.query<{ n: number }>('SELECT count() AS n FROM runs WHERE run_id = {run:String}', { run: runId }))[0]?.n).toBe(0);

      const [a, b] = await Promise.all(shards);
      expect(a!.parts[0]!.status).toBe('completed');
      expect(b!.parts[0]!.status).toBe('completed');
      expect(a!.streamSha256).toBe(whole.sha256);
      expect(a!.shardOps + b!.shardOps).toBe(whole.totalOps);
      expect(a!.shardSha256).not.toBe(b!.shardSha256);

      const result = await finalizeRun({ store, rows: recorder, pgUrl: PG_URL, runId, waitMs: 30_000, keepDatabases: false, log });
      await recorder.flush();
      expect(result.status).toBe('complete');
      const [stage] = result.stages;
      expect(stage!.recordedOps).toBe(whole.totalOps);
      expect(stage!.mergedSha256).toBe(whole.sha256);
      expect(stage!.mergedMatches).toBe(true);
      expect(stage!.audit?.conservationOk).toBe(true);
      expect(stage!.audit?.lost).toBe(0);
      expect(stage!.audit?.duplicated).toBe(0);
      // Every planned op was sent by one shard, or held back by upstream feedback (advertiser-burst stops an
      // account's charges on its budget signal; how many depends on when the signal lands, so count them).
      const [held] = await store.query<{ n: number }>("SELECT countIf(status = 'suppressed') AS n FROM ops WHERE run_id = {run:String}", { run: runId });
      expect(stage!.row.sent_ops + Number(held!.n)).toBe(whole.totalOps);

      // The report reads the finalized run like any other; its p99 is over every shard's raw ops.
      const report = await loadRunReport(store, runId);
      const atomic = report.strategies.find((s) => s.label === 'atomic')!;
      const exact = await store.query<{ p99: number; n: number }>(
        "SELECT quantileExact(0.99)(acked_us - intended_us) AS p99, count() AS n FROM ops WHERE run_id = {run:String} AND status NOT IN ('unsent', 'suppressed')",
        { run: runId },
      );
      // Suppressed ops were never sent, so they have no ack latency.
      expect(exact[0]!.n).toBe(whole.totalOps - Number(held!.n));
      expect(atomic.ack_latency_us.p99).toBe(exact[0]!.p99);
      expect(atomic.ops.sent).toBe(whole.totalOps - Number(held!.n));
      // Both shards really sent: the ops of each account parity come from its own shard.
      const perShard = await store.query<{ shard: number; n: number }>('SELECT account % 2 AS shard, count() AS n FROM ops WHERE run_id = {run:String} GROUP BY shard ORDER BY shard', { run: runId });
      expect(perShard.map((r) => r.n)).toEqual([a!.shardOps, b!.shardOps]);
      await expect(finalizeRun({ store, rows: recorder, pgUrl: PG_URL, runId, waitMs: 0, keepDatabases: false, log })).rejects.toThrow(/is already finalized/);
    } finally {
      await recorder.close();
      await store.close();
    }
  }, 180_000);
});
