/**
 * Completeness: every generated op appears exactly once in ClickHouse, with
 * its own fields and its outcome, including the ops that were sent late
 * (a concurrency cap of 2 in front of a strategy slower than the offered
 * rate), rejected (a budget that runs out) or errored (a strategy that
 * throws, synchronously, asynchronously or inside its write); and the run's
 * op count in ClickHouse equals the plan's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compilePlan, generateOps, loadScenario } from '../scenarios/index.js';
import { isDebit, type Op, type Outcome, type StrategyDefinition } from '../strategies/contract.js';
import { postAtomic } from '../strategies/atomic/index.js';
import { LedgerStrategy } from '../strategies/ledger-strategy.js';
import { StrategyRegistry } from '../strategies/registry.js';
import { openStore } from '../results/open-store.js';
import type { Store } from '../results/store.js';
import { resolveRunConfig } from '../runner/config/run-config.js';
import { runBenchmark, type RunBenchmarkResult } from '../runner/api/run.js';
import { PG_URL } from './support/database.js';

const SERVICE_MS = 15;
const CAP = 2;
const LATE_US = 5_000;

/** How each planted failure surfaces: `submit` throws at once, returns a rejected promise, or `write` throws. */
const throwsAtOnce = (op: Op): boolean => op.id % 17 === 3;
const rejectsPromise = (op: Op): boolean => !throwsAtOnce(op) && op.id % 19 === 7;
const writeThrows = (op: Op): boolean => !throwsAtOnce(op) && !rejectsPromise(op) && op.kind !== 'read' && op.id % 11 === 5;
const errors = (op: Op): boolean => throwsAtOnce(op) || rejectsPromise(op) || writeThrows(op);

const flakySlow: StrategyDefinition<Record<string, never>> = {
  name: 'flaky-slow',
  summary: 'TEST: atomic after 15 ms, failing three different ways on some ops',
  source: 'test',
  needs: ['postgres'],
  params: z.object({}).strict(),
  create: () =>
    new (class extends LedgerStrategy {
      override submit(op: Op): Promise<Outcome> {
        if (throwsAtOnce(op)) throw new Error('planted: submit threw synchronously');
        if (rejectsPromise(op)) return Promise.reject(new Error('planted: submit rejected'));
        return super.submit(op);
      }
      protected async write(op: Op, delta: number): Promise<Outcome> {
        await sleep(SERVICE_MS);
        if (writeThrows(op)) throw new Error('planted: write failed');
        return postAtomic(this.pool, op, delta, this.counterLegs(op, delta)[0]?.account ?? null);
      }
    })('flaky-slow'),
};

const dir = mkdtempSync(join(tmpdir(), 'hotbench-complete-'));
const scenario = join(dir, 'complete.yaml');
writeFileSync(
  scenario,
  [
    'name: completeness',
    'description: a small budget that runs out, behind a tight concurrency cap',
    'seed: 3',
    'accounts: { count: 3, balance: 1000000000, floor: 0, hot: [{ name: small, balance: 700 }] }',
    'phases: [{ name: steady, duration: 3s, arrival: { process: poisson, rate: 200 } }]',
    'keys: { hot_share: 0.6, others: { distribution: uniform } }',
    'mix: { charge: 80, topup: 10, read: 10 }',
    'amounts: { default: { distribution: uniform, min: 5, max: 15 } }',
    '',
  ].join('\n'),
);

interface Row {
  op_id: number;
  kind: string;
  account: number;
  amount: number;
  job: number;
  intended_us: number;
  sent_us: number;
  acked_us: number;
  status: string;
  reason: string;
  detail: string;
}

describe('every generated op is recorded exactly once, with its outcome', () => {
  let ops: Op[];
  let small: number;
  let result: RunBenchmarkResult;
  let store: Store;
  let rows: Row[];

  beforeAll(async () => {
    const plan = compilePlan(await loadScenario(scenario), {});
    ops = [...generateOps(plan)];
    small = plan.accounts.find((a) => a.name === 'small')!.id;
    const registry = new StrategyRegistry().register(flakySlow);
    const config = await resolveRunConfig({ scenario, strategies: 'flaky-slow', pg: PG_URL, concurrency: CAP, lateThreshold: `${LATE_US}us`, dataDir: join(dir, 'data'), out: join(dir, 'out') }, {});
    result = await runBenchmark(config, { registry, log: () => undefined, progress: 'off', abort: new AbortController().signal });
    store = await openStore({ dataDir: join(dir, 'data', 'clickhouse') });
    rows = await store.query<Row>(
      'SELECT op_id, kind, account, amount, job, intended_us, sent_us, acked_us, status, reason, detail FROM ops WHERE run_id = {run:String} ORDER BY op_id',
      { run: result.runId },
    );
  }, 240_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds as many op rows as the plan has ops, one per op id, each with the generated fields', async () => {
    const [run] = await store.query<{ planned_ops: number }>('SELECT planned_ops FROM runs WHERE run_id = {run:String}', { run: result.runId });
    expect(run!.planned_ops).toBe(ops.length);
    expect(rows.length).toBe(ops.length);
    expect(rows.map((r) => r.op_id)).toEqual(ops.map((op) => op.id));
    expect(rows.map((r) => [r.kind, r.account, r.amount, r.job, r.intended_us])).toEqual(ops.map((op) => [op.kind, op.account, op.amount, op.job, op.at]));
    expect(result.report!.strategies[0]!.ops.recorded).toBe(ops.length);
  });

  it('records every op as sent and answered, never before its intended time', () => {
    expect(rows.every((r) => r.sent_us >= r.intended_us && r.acked_us >= r.sent_us)).toBe(true);
  });

  it('records the ops sent late, and the summary counts exactly those', async () => {
    const late = rows.filter((r) => r.sent_us - r.intended_us > LATE_US).length;
    expect(late).toBeGreaterThan(ops.length / 4); // 2 × 15 ms per op cannot keep up with 200 ops/s
    const [summary] = await store.query<{ late_ops: number; sent_ops: number }>('SELECT late_ops, sent_ops FROM strategy_runs WHERE run_id = {run:String}', { run: result.runId });
    expect(summary).toEqual({ late_ops: late, sent_ops: ops.length });
  });

  it('records each errored op as rejected / error, with how it failed', () => {
    const byId = new Map(rows.map((r) => [r.op_id, r]));
    const failed = ops.filter(errors);
    expect(failed.length).toBeGreaterThan(50);
    for (const op of failed) {
      const r = byId.get(op.id)!;
      expect([op.id, r.status, r.reason]).toEqual([op.id, 'rejected', 'error']);
      const says = throwsAtOnce(op) ? 'submit threw: planted: submit threw synchronously' : rejectsPromise(op) ? 'submit threw: planted: submit rejected' : 'planted: write failed';
      expect(r.detail).toContain(says);
    }
  });

  it('records every other op as applied, or refused for funds only when it is a debit of the small account', () => {
    const others = rows.filter((r) => !errors(ops[r.op_id]!));
    const refused = others.filter((r) => r.status === 'rejected');
    expect(others.every((r) => r.status === 'applied' || (r.status === 'rejected' && r.reason === 'insufficient_funds'))).toBe(true);
    expect(refused.every((r) => r.account === small && isDebit(ops[r.op_id]!))).toBe(true);
    expect(refused.length).toBeGreaterThan(50); // the budget ran out
  });

  it('holds one posting per applied non-read op and nothing else; the audit finds no loss or phantom', async () => {
    const postings = await store.query<{ op_id: number }>('SELECT op_id FROM postings WHERE run_id = {run:String} ORDER BY op_id', { run: result.runId });
    const applied = rows.filter((r) => r.status === 'applied').map((r) => r.op_id);
    expect(postings.map((p) => p.op_id)).toEqual(applied);
    const s = result.report!.strategies[0]!;
    expect([s.incidents.lost, s.incidents.phantom, s.incidents.duplicated, s.overdrafts.count]).toEqual([0, 0, 0, 0]);
    expect(s.conservation.ok).toBe(true);
  });
});
