/**
 * The generator and the trace reader stream: memory stays flat however many
 * ops go through (3 million here), while every op keeps the stream invariants
 * (dense ids, non-decreasing integer `at` inside the schedule).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePlan, generateOps, loadScenario, openTrace, writeTrace, type Plan } from '../scenarios/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const dir = mkdtempSync(join(tmpdir(), 'hb-scenarios-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Heap in use after a full collection, bytes. */
function heap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function bigPlan(durationS: number): Promise<Plan> {
  const path = join(dir, `big-${durationS}.yaml`);
  writeFileSync(
    path,
    `name: big
description: three million ops
accounts: { count: 10000, balance: 1000000, hot: [{ name: hot }] }
phases: [{ duration: ${durationS}s, arrival: { process: poisson, rate: 1000000 }, bursts: { every: 500ms, length: 100ms, multiplier: 2 } }]
keys: { hot_share: 0.5, others: { distribution: zipf, s: 1.1 } }
mix: { charge: 8, topup: 1, read: 1 }
amounts: { default: { distribution: lognormal, median: 100, sigma: 1, max: 100000 } }
jobs: [{ account: hot, every: 1s, size: 10000 }]
`,
  );
  return compilePlan(await loadScenario(path));
}

describe('streaming', () => {
  it('generates 3 million ops with flat memory and intact invariants', async () => {
    const plan = await bigPlan(2.5);
    const before = heap();
    let peak = 0;
    let count = 0;
    let lastAt = 0;
    let broken = 0;
    for (const op of generateOps(plan)) {
      if (op.id !== count || op.at < lastAt || op.at >= plan.durationUs || !Number.isInteger(op.at)) broken++;
      lastAt = op.at;
      if (++count % 500_000 === 0) peak = Math.max(peak, heap() - before);
    }
    expect(broken).toBe(0);
    // ~1.2 M/s expected per second × 2.5 s plus 3 jobs of 10,000: about 3 million.
    expect(count).toBeGreaterThan(2_900_000);
    // Retaining the ops would take hundreds of MB; streaming stays within a few.
    expect(peak).toBeLessThan(8 * 1024 * 1024);
  });

  it('reads a large trace back without loading it', async () => {
    const plan = await bigPlan(0.8);
    const path = join(dir, 'big.ndjson');
    const written = await writeTrace(plan, path);
    expect(statSync(path).size).toBeGreaterThan(50 * 1024 * 1024);
    const source = await openTrace(path);
    const before = heap();
    let peak = 0;
    let count = 0;
    for await (const op of source.ops()) {
      if (op.id !== count) throw new Error(`id ${op.id} at position ${count}`);
      if (++count % 200_000 === 0) peak = Math.max(peak, heap() - before);
    }
    expect(count).toBe(written.ops);
    expect(peak).toBeLessThan(8 * 1024 * 1024);
  });
});
