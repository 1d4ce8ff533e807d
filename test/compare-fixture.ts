/**
 * Test-only strategies and helpers for `hotbench compare` and `capacity`
 * tests. Not in `builtinRegistry()`.
 *
 * `sleepy` is `atomic` after a fixed pause: registering it with two different
 * default pauses gives two "versions of the code" under the SAME label, which
 * is exactly what a regression gate compares (a change that made `sleepy`
 * slower). Its connections commit without waiting for the WAL flush
 * (`synchronous_commit = off`), so the shared machine's disk does not add
 * noise that has nothing to do with the planted change.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { postAtomic } from '../strategies/atomic/index.js';
import type { Op, Outcome, StrategyContext, StrategyDefinition } from '../strategies/contract.js';
import { LedgerStrategy } from '../strategies/ledger-strategy.js';
import { duration } from '../strategies/params.js';
import { builtinRegistry, type StrategyRegistry } from '../strategies/registry.js';
import type { StrategyReport } from '../reports/common/report-types.js';
import { resolveRunConfig, type RunOptions } from '../runner/config/run-config.js';
import { capacityScenarioPath } from '../runner/api/capacity.js';
import { runBenchmark } from '../runner/api/run.js';
import { PG_URL } from './support/database.js';

/** The capacity scenario (one hot account, constant arrivals, 1,000/s at rate-scale 1). */
export const HOT_SCENARIO = capacityScenarioPath();

/** A {@link LedgerStrategy} whose connections commit without waiting for the disk (a default of its own database). */
export abstract class RelaxedCommitStrategy extends LedgerStrategy {
  override async setup(ctx: StrategyContext): Promise<void> {
    const admin = ctx.postgres.pool({ max: 1, applicationName: 'hotbench-test-setup' });
    try {
      await admin.query("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = off', current_database()); END $$");
    } finally {
      await admin.end();
    }
    await super.setup(ctx); // its pool's connections start after the ALTER, so they inherit it
  }
}

/** `sleepy`, pausing `defaultDelay` (e.g. `2ms`) before posting unless `delay=` is given. */
export function sleepyDefinition(defaultDelay: string): StrategyDefinition<{ delay: number }> {
  return {
    name: 'sleepy',
    summary: 'TEST: atomic after a fixed pause',
    source: 'test fixture',
    needs: ['postgres'],
    params: z.object({ delay: duration(defaultDelay) }).strict(),
    create: ({ delay }) =>
      new (class extends RelaxedCommitStrategy {
        protected async write(op: Op, delta: number): Promise<Outcome> {
          await sleep(delay / 1000);
          return postAtomic(this.pool, op, delta, this.counterLegs(op, delta)[0]?.account ?? null);
        }
      })('sleepy'),
  };
}

/** The built-ins plus `sleepy` with `defaultDelay`. */
export function sleepyRegistry(defaultDelay: string): StrategyRegistry {
  return builtinRegistry().register(sleepyDefinition(defaultDelay) as never);
}

/** A fresh chdb data folder under the OS temp dir. */
export function tempDataDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Records one run into the chdb store under `dataDir` (ledger on the test
 * PostgreSQL server) and returns its id; throws unless it completed.
 */
export async function recordRun(registry: StrategyRegistry, dataDir: string, options: RunOptions): Promise<string> {
  const config = await resolveRunConfig({ pg: PG_URL, dataDir, out: join(dataDir, 'out'), ...options }, {});
  const result = await runBenchmark(config, { registry, log: () => undefined, progress: 'off', abort: new AbortController().signal });
  if (result.status !== 'complete') throw new Error(`run ${result.runId} ended ${result.status}: ${result.strategies.map((s) => `${s.strategy} ${s.status} ${s.detail}`).join('; ')}`);
  return result.runId;
}

/** Knobs of {@link fakeStrategyReport}; everything else is a plausible completed replay. */
export interface FakeReplay {
  readonly label?: string;
  readonly rep?: number;
  readonly idx?: number;
  readonly status?: StrategyReport['status'];
  readonly p99Us?: number | null;
  readonly p999Us?: number | null;
  readonly goodput?: number | null;
  readonly offered?: number | null;
  readonly planned?: number;
  readonly rejected?: number;
  readonly late?: number;
  readonly concurrency?: number;
  readonly postingP99Us?: number | null;
  readonly overdrafts?: number;
  readonly overdraftAmount?: number;
  readonly lost?: number;
}

/** A hand-made {@link StrategyReport} (for tests of pure judgements), 1,000 ops over 10 s by default. */
export function fakeStrategyReport(k: FakeReplay = {}): StrategyReport {
  const planned = k.planned ?? 1000;
  const rejected = k.rejected ?? 0;
  const p99 = k.p99Us === undefined ? 10_000 : k.p99Us;
  return {
    label: k.label ?? 'sleepy',
    name: (k.label ?? 'sleepy').split(/[:(@]/)[0]!,
    backend: 'postgres',
    rep: k.rep ?? 0,
    idx: k.idx ?? 0,
    status: k.status ?? 'completed',
    detail: '',
    params: {},
    started_at: '2026-01-01 00:00:00',
    schedule_us: 10_000_000,
    elapsed_us: 10_000_000,
    ops: { planned, sent: planned, late: k.late ?? 0, late_threshold_us: 5_000, recorded: planned, acked: planned, concurrency: k.concurrency ?? 512 },
    offered_per_s: k.offered === undefined ? planned / 10 : k.offered,
    goodput_per_s: k.goodput === undefined ? (planned - rejected) / 10 : k.goodput,
    money_safe_goodput_per_s: k.goodput === undefined ? (planned - rejected) / 10 : k.goodput,
    goodput_window_us: 10_000_000,
    ledger_model: '',
    by_status: { applied: planned - rejected, accepted: 0, rejected, unsent: 0, suppressed: 0 },
    rejects: { total: rejected, share: rejected / planned, by_reason: rejected > 0 ? [{ reason: 'error', count: rejected, share: rejected / planned }] : [] },
    ack_latency_us: { count: planned, p50: p99 === null ? null : Math.round(p99 / 2), p90: p99, p99, p999: k.p999Us === undefined ? p99 : k.p999Us, max: p99 },
    posting_delay_us: { posted: planned - rejected, p50: null, p99: k.postingP99Us === undefined ? p99 : k.postingP99Us, max: null },
    lock_wait: { ops: 0, total_s: 0, p99_us: null },
    lock_wait_sampled: { polls: 0, total_s: null, max_waiters: null },
    stop_delivery: { signalled: 0, missed: 0, max_delay_us: null },
    lag: { consumer_max_ops: null, replication_max_us: null },
    overdrafts: { count: k.overdrafts ?? 0, amount: k.overdraftAmount ?? k.overdrafts ?? 0 },
    incidents: { lost: k.lost ?? 0, duplicated: 0, phantom: 0, mismatch: 0, conservation: 0, global_conservation: 0, false_declines: 0, stale_reads: 0, by_kind: {} },
    conservation: { audited: true, ok: true, accounts_checked: 1 },
    events: { signals: 0, notes: 0, items: [] },
    bulk_jobs: null,
  };
}
