/**
 * Ack latency is measured from each op's intended send time, so a stalled
 * strategy cannot hide its stall (coordinated omission, DESIGN.md §5).
 *
 * A strategy whose every op takes 1 s, behind a concurrency cap of 10,
 * offered 20 ops/s: ops queue in the driver. The open-loop model gives each
 * op's latency exactly (sent = max(intended, the op 10 places earlier done);
 * done = sent + 1 s), growing by 0.5 s per wave; a driver that measured from
 * the send time would report ~1 s for all of them. The run goes through the
 * real path (PostgreSQL ledger, recorder, ClickHouse, report).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { generateOps, compilePlan, loadScenario } from '../scenarios/index.js';
import type { Op, Outcome, StrategyDefinition } from '../strategies/contract.js';
import { postAtomic } from '../strategies/atomic/index.js';
import { LedgerStrategy } from '../strategies/ledger-strategy.js';
import { StrategyRegistry } from '../strategies/registry.js';
import { resolveRunConfig } from '../runner/config/run-config.js';
import { runBenchmark, type RunBenchmarkResult } from '../runner/api/run.js';
import { stallOnce } from './fixtures/planted-strategies.js';
import { PG_URL } from './support/database.js';

const SERVICE_MS = 1000;
const CAP = 10;

const slowEveryOp: StrategyDefinition<Record<string, never>> = {
  name: 'slow-every-op',
  summary: 'TEST: atomic after a 1 s stall on every op',
  source: 'test',
  needs: ['postgres'],
  params: z.object({}).strict(),
  create: () =>
    new (class extends LedgerStrategy {
      protected async write(op: Op, delta: number): Promise<Outcome> {
        await new Promise((r) => setTimeout(r, SERVICE_MS));
        return postAtomic(this.pool, op, delta, this.counterLegs(op, delta)[0]?.account ?? null);
      }
    })('slow-every-op'),
};

const dir = mkdtempSync(join(tmpdir(), 'hotbench-co-'));
const scenario = join(dir, 'slow.yaml');
writeFileSync(
  scenario,
  [
    'name: co-check',
    'description: 20 charges/s for 2 s on one account',
    'accounts: { count: 2, balance: 1000000, floor: 0, hot: [{ name: hot, balance: 1000000 }] }',
    'phases: [{ name: steady, duration: 2s, arrival: { process: constant, rate: 20 } }]',
    'keys: { hot_share: 1, others: { distribution: uniform } }',
    'mix: { charge: 1 }',
    'amounts: { default: { distribution: fixed, value: 1 } }',
    '',
  ].join('\n'),
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(strategies: string, concurrency: number): Promise<RunBenchmarkResult> {
  const registry = new StrategyRegistry().register(slowEveryOp).register(stallOnce);
  const config = await resolveRunConfig({ scenario, strategies, pg: PG_URL, concurrency, dataDir: join(dir, strategies.replace(/\W/g, '_')), out: join(dir, 'out') }, {});
  return runBenchmark(config, { registry, log: () => undefined, progress: 'off', abort: new AbortController().signal });
}

describe('latency is measured from the intended send time', () => {
  let expected: number[];
  let result: RunBenchmarkResult;

  beforeAll(async () => {
    const plan = compilePlan(await loadScenario(scenario), {});
    const ops = [...generateOps(plan)];
    // The open-loop model with a cap: a slot frees when the op CAP places earlier is done.
    const done: number[] = [];
    expected = ops.map((op, i) => {
      const sent = i < CAP ? op.at : Math.max(op.at, done[i - CAP]!);
      done.push(sent + SERVICE_MS * 1000);
      return done[i]! - op.at;
    });
    result = await run('slow-every-op', CAP);
  }, 120_000);

  it('matches the open-loop model: p50, p99 and max grow with the queue, not ~1 s', () => {
    const s = result.report!.strategies[0]!;
    const sorted = [...expected].sort((a, b) => a - b);
    const at = (q: number): number => sorted[Math.floor(q * sorted.length)]!;
    // Overheads (a PostgreSQL round trip per op, timers) only add; allow 250 ms over 4 waves.
    for (const [q, got] of [[0.5, s.ack_latency_us.p50], [0.99, s.ack_latency_us.p99]] as const) {
      expect(got).toBeGreaterThanOrEqual(at(q) - 5_000);
      expect(got).toBeLessThanOrEqual(at(q) + 250_000);
    }
    expect(s.ack_latency_us.p99).toBeGreaterThanOrEqual(2_400_000); // from the send time it would be ~1.0 s
    expect(s.ops.late).toBeGreaterThanOrEqual(expected.length - CAP - 1); // every op behind the cap was sent late
    expect(s.conservation.ok).toBe(true);
  });

  it('a strategy that stalls 1 s once shows a max ack latency of at least 1 s', async () => {
    const res = await run('stall-once:op=10', 512);
    const s = res.report!.strategies[0]!;
    expect(s.ack_latency_us.max).toBeGreaterThanOrEqual(1_000_000);
    expect(s.ack_latency_us.p50).toBeLessThan(200_000);
  }, 120_000);
});
