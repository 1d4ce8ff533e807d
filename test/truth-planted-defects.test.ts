/**
 * The harness does not lie: every planted defect, run through the real path
 * (runBenchmark: open-loop driver, recorder, ClickHouse, audit, analyses,
 * report loaded back), is caught by the metric that names it, with the exact
 * count computed here from the op stream; and `atomic`, on the same traffic
 * in the same run, trips none of those metrics.
 *
 * Traffic: 400 ops over 2 s (90% charges of 7, 10% reads) on four accounts;
 * account `tiny` (10% of the traffic) starts at 20, so exactly two of its
 * charges fit (20 → 13 → 6) whatever order they reach its row in, and one
 * more lands on exactly -1 for `overdraft-by-one`. The three others are rich.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePlan, generateOps, loadScenario } from '../scenarios/index.js';
import type { Op } from '../strategies/contract.js';
import { atomic } from '../strategies/atomic/index.js';
import { StrategyRegistry } from '../strategies/registry.js';
import type { StrategyReport } from '../reports/run/queries.js';
import { resolveRunConfig } from '../runner/config/run-config.js';
import { runBenchmark, type RunBenchmarkResult } from '../runner/api/run.js';
import { PLANTED_STRATEGIES } from './fixtures/planted-strategies.js';
import { PG_URL } from './support/database.js';

const STALL_US = 2_000_000;
const CHARGE = 7;

const dir = mkdtempSync(join(tmpdir(), 'hotbench-truth-'));
const scenario = join(dir, 'truth.yaml');
writeFileSync(
  scenario,
  [
    'name: truth',
    'description: charges of 7 and reads on four accounts, one of them with a budget of 20',
    'seed: 7',
    'accounts: { count: 4, balance: 1000000000, floor: 0, hot: [{ name: tiny, balance: 20 }] }',
    'phases: [{ name: steady, duration: 2s, arrival: { process: constant, rate: 200 } }]',
    'keys: { hot_share: 0.1, others: { distribution: uniform } }',
    'mix: { charge: 90, read: 10 }',
    `amounts: { default: { distribution: fixed, value: ${CHARGE} } }`,
    '',
  ].join('\n'),
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The smallest `every` ≥ 20 whose selected ops (`pick(id, every)`) are all
 * non-read ops on rich accounts (so a doubled or dropped posting never meets
 * the tiny budget) and at least 3 of them: the expected count is then exact.
 */
function chooseEvery(ops: readonly Op[], tiny: number, pick: (id: number, every: number) => boolean): { every: number; ids: number[] } {
  for (let every = 20; every < ops.length; every++) {
    const chosen = ops.filter((op) => pick(op.id, every) && op.kind !== 'read');
    if (chosen.length >= 3 && chosen.every((op) => op.account !== tiny)) return { every, ids: chosen.map((op) => op.id) };
  }
  throw new Error('no suitable `every` in this stream: change the seed');
}

describe('every planted defect is caught by the metric that names it; atomic trips none', () => {
  let ops: Op[];
  let tiny: number;
  let doubled: { every: number; ids: number[] };
  let dropped: { every: number; ids: number[] };
  let result: RunBenchmarkResult;
  const replay = (name: string): StrategyReport => {
    const s = result.report?.strategies.find((r) => r.name === name);
    if (!s) throw new Error(`no replay of ${name} in the report`);
    return s;
  };
  const kind = (s: StrategyReport, k: string): number => s.incidents.by_kind[k]?.count ?? 0;

  beforeAll(async () => {
    const plan = compilePlan(await loadScenario(scenario), {});
    ops = [...generateOps(plan)];
    tiny = plan.accounts.find((a) => a.name === 'tiny')!.id;
    doubled = chooseEvery(ops, tiny, (id, every) => id % every === 0);
    dropped = chooseEvery(ops, tiny, (id, every) => id % every === every - 1);
    const stallAt = ops.find((op) => op.at >= 500_000)!.id;

    const registry = new StrategyRegistry().register(atomic);
    for (const def of PLANTED_STRATEGIES) registry.register(def);
    const strategies = [
      'overdraft-by-one',
      `double-post:every=${doubled.every}`,
      `lose-ops:every=${dropped.every}`,
      'applied-before-posting:delay=20ms',
      `stall-once:stall=${STALL_US / 1000}ms,op=${stallAt}`,
      'atomic',
    ].join(',');
    const config = await resolveRunConfig({ scenario, strategies, pg: PG_URL, concurrency: 64, dataDir: join(dir, 'data'), out: join(dir, 'out') }, {});
    result = await runBenchmark(config, { registry, log: () => undefined, progress: 'off', abort: new AbortController().signal });
  }, 300_000);

  it('runs every replay to completion and records every op', () => {
    expect(result.status).toBe('complete');
    expect(ops.length).toBe(400);
    for (const s of result.report!.strategies) {
      expect([s.label, s.status]).toEqual([s.label, 'completed']);
      expect(s.ops.recorded).toBe(ops.length);
    }
  });

  it('overdraft-by-one: one overdraft of exactly 1, on the tiny account', () => {
    const s = replay('overdraft-by-one');
    expect(s.overdrafts).toEqual({ count: 1, amount: 1 });
    expect(s.conservation.ok).toBe(true);
  });

  it('double-post: duplicated = the non-read ops with id % every = 0', () => {
    const s = replay('double-post');
    expect(kind(s, 'duplicated')).toBe(doubled.ids.length);
    expect(s.incidents.duplicated).toBe(doubled.ids.length);
    expect(s.incidents.by_kind['duplicated']!.amount).toBe(doubled.ids.length * CHARGE);
  });

  it('lose-ops: lost = the non-read ops with id % every = every - 1', () => {
    const s = replay('lose-ops');
    expect(s.incidents.lost).toBe(dropped.ids.length);
    expect(s.incidents.by_kind['lost']!.amount).toBe(dropped.ids.length * CHARGE);
  });

  it('applied-before-posting: every posted op is flagged applied_before_posting (the ledger is otherwise clean)', () => {
    const s = replay('applied-before-posting');
    // It says applied to every charge; the tiny account's charges beyond the two that fit are never posted (lost).
    const charges = ops.filter((op) => op.kind !== 'read');
    const tinyCharges = charges.filter((op) => op.account === tiny).length;
    const posted = charges.length - Math.max(0, tinyCharges - 2);
    expect(kind(s, 'applied_before_posting')).toBe(posted);
    expect(s.incidents.lost).toBe(charges.length - posted);
    expect(s.overdrafts.count).toBe(0);
    expect(s.conservation.ok).toBe(true);
  });

  it('stall-once: max ack latency at least the stall; the median stays low', () => {
    const s = replay('stall-once');
    expect(s.ack_latency_us.max).toBeGreaterThanOrEqual(STALL_US);
    expect(s.ack_latency_us.p50).toBeLessThan(STALL_US / 4);
  });

  it('atomic on the same traffic: no overdraft, duplicate, loss, early ack or stall', () => {
    const s = replay('atomic');
    expect(s.overdrafts).toEqual({ count: 0, amount: 0 });
    expect(s.incidents.duplicated).toBe(0);
    expect(s.incidents.lost).toBe(0);
    expect(s.incidents.phantom).toBe(0);
    expect(s.incidents.mismatch).toBe(0);
    expect(kind(s, 'applied_before_posting')).toBe(0);
    expect(s.conservation.ok).toBe(true);
    expect(s.ack_latency_us.max).toBeLessThan(STALL_US);
    // Exactly two of the tiny account's charges fit its budget of 20.
    const tinyCharges = ops.filter((op) => op.kind === 'charge' && op.account === tiny).length;
    expect(s.rejects.by_reason).toEqual(tinyCharges > 2 ? [{ reason: 'insufficient_funds', count: tinyCharges - 2, share: (tinyCharges - 2) / ops.length }] : []);
  });
});
