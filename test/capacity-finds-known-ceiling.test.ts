/**
 * `runCapacity` end to end on real PostgreSQL and chdb: a strategy that
 * serves at most 150 ops/s (`capped`, test/capacity-fixture.ts) must come out
 * at 150/s within −15 % / +6 % (the ladder 50, 100, 200 then three geometric
 * bisections resolve to ~9 %; keeping up with 95 % of the offered rate passes up to 1.053 ×
 * the ceiling). Every step is recorded as its own replays (2 to 3 repetitions)
 * of ONE run, with the rate it was offered, and the report rebuilt from
 * ClickHouse alone equals the one the search returned.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCapacityReport, renderCapacityTerminal, type CapacityReport } from '../reports/capacity/index.js';
import { openStore } from '../results/open-store.js';
import type { Store } from '../results/store.js';
import { parseSloText } from '../reports/common/slo.js';
import { runCapacity, type CapacityResult } from '../runner/api/capacity.js';
import { resolveRunConfig } from '../runner/config/run-config.js';
import { cappedRegistry } from './capacity-fixture.js';
import { HOT_SCENARIO, tempDataDir } from './compare-fixture.js';
import { PG_URL } from './support/database.js';

describe('capacity finds a known ceiling', () => {
  const dir = tempDataDir('hotbench-capacity-');
  let result: CapacityResult;
  let report: CapacityReport;
  let store: Store;

  beforeAll(async () => {
    const config = await resolveRunConfig({ scenario: HOT_SCENARIO, strategies: 'capped', pg: PG_URL, dataDir: dir, out: join(dir, 'out') }, {});
    // A lenient latency bound: on a shared 2-core machine the decision must come from the queue (kept_up), not from scheduling noise.
    const limits = parseSloText('p99_ack_ms<2s,overdraft_amount=0').slo;
    result = await runCapacity(
      config,
      { limits, startPerS: 50, maxPerS: 1000, factor: 2, stepDurationUs: 2_000_000, minStepOps: 0, maxStepOps: 30_000, bisect: 3 },
      { registry: cappedRegistry(), log: () => undefined, progress: 'off', abort: new AbortController().signal },
    );
    report = result.report!;
    store = await openStore({ dataDir: join(dir, 'clickhouse') });
  }, 480_000); // every step is replayed 2 to 3 times now (until its goodput interval is within ±10%)

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds 150 ops/s within -15% / +6%, bracketed by a failing step, broken by lag', () => {
    expect(result.status).toBe('complete');
    const capped = report.strategies[0]!;
    const shown = renderCapacityTerminal(report); // printed with any failure below
    expect(capped.label).toBe('capped');
    expect(capped.bound, shown).toBe('between');
    expect(capped.max_sustained_per_s, shown).toBeGreaterThanOrEqual(128);
    expect(capped.max_sustained_per_s, shown).toBeLessThanOrEqual(159);
    expect(capped.first_fail_per_s).toBeGreaterThan(capped.max_sustained_per_s!);
    expect(capped.first_fail_per_s).toBeLessThanOrEqual(200);
    expect(capped.broke_first?.category, shown).toBe('lag'); // acked less than 95% of what arrived
    expect(capped.steps.slice(0, 2).map((s) => [s.rate_per_s, s.verdict]), shown).toEqual([[50, 'pass'], [100, 'pass']]);
    expect(capped.steps.find((s) => s.rate_per_s === 200)?.verdict, shown).toBe('fail');
  });

  it('records every step as a replay of one capacity run, offered at its rate', async () => {
    const rows = await store.query<{ strategy: string; planned_ops: number; schedule_us: number; idx: number }>(
      'SELECT strategy, planned_ops, schedule_us, idx FROM strategy_runs WHERE run_id = {run:String} ORDER BY idx',
      { run: result.runId },
    );
    const steps = report.strategies[0]!.steps;
    // Each step is replayed 2 to 3 times (until its goodput interval is within ±10%): one row per repetition, in step order.
    const labels = rows.map((r) => r.strategy);
    expect([...new Set(labels)]).toEqual([...steps].sort((a, b) => a.order - b.order).map((s) => `capped@${s.rate_per_s}/s`));
    for (const s of steps) {
      expect(s.reps).toBeGreaterThanOrEqual(2);
      expect(s.reps).toBeLessThanOrEqual(3);
      expect(labels.filter((l) => l === s.label)).toHaveLength(s.reps);
    }
    for (const r of rows) {
      const rate = Number(/@(\d+)\/s$/.exec(r.strategy)![1]);
      expect(r.schedule_us).toBe(2_000_000);
      expect(r.planned_ops).toBe(rate * 2);
    }
    const ops = await store.query<{ strategy: string; n: number }>('SELECT strategy, count() AS n FROM ops WHERE run_id = {run:String} GROUP BY strategy, rep', { run: result.runId });
    for (const o of ops) expect(o.n).toBe(Number(/@(\d+)\/s$/.exec(o.strategy)![1]) * 2);
    const run = await store.query<{ command: string; config_json: string }>('SELECT command, config_json FROM runs WHERE run_id = {run:String}', { run: result.runId });
    expect(run[0]!.command).toBe('hotbench capacity');
    expect(JSON.parse(run[0]!.config_json).capacity).toMatchObject({ start_per_s: 50, factor: 2, bisect: 3, strategies: ['capped'] });
  });

  it('the report rebuilt from ClickHouse equals the search result; the files are written', async () => {
    expect(JSON.parse(JSON.stringify(await loadCapacityReport(store, result.runId)))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(report.slo).toBe('p99_ack_ms<=2000ms,overdraft_amount<=0,reject_pct<=1%,kept_up>=95%,lost<=0');
    for (const f of Object.values(result.files!.capacity)) expect(existsSync(f)).toBe(true);
    const md = readFileSync(result.files!.capacity.md, 'utf8');
    expect(md).toContain('← knee: max within SLO');
    expect(readFileSync(result.files!.capacity.html, 'utf8')).toContain('<svg');
  });
});
