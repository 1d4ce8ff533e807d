/**
 * Load shards split the op stream by account: the n shards' ops, re-merged in
 * stream order, are exactly the unsharded stream (same sha256), no account is
 * in two shards, and each shard keeps its ops' ids and intended times.
 */
import { describe, expect, it } from 'vitest';
import { compilePlan, generateOps, loadScenario, streamSha256, summarizePlan } from '../scenarios/index.js';
import { mergeShards, parseShardSpec, shardOps, type ShardSpec } from '../scenarios/shard.js';
import type { Op } from '../strategies/contract.js';

const shardsOf = (count: number): ShardSpec[] => Array.from({ length: count }, (_, index) => ({ index, count }));

describe('load shards of one op stream', () => {
  for (const scenario of ['advertiser-burst', 'fleet-bulk', 'rider-payouts']) {
    it(`${scenario}: the union of 1, 2, 3 and 4 shards hashes to the unsharded stream`, async () => {
      const plan = compilePlan(await loadScenario(scenario), { durationUs: 3_000_000 });
      const whole = summarizePlan(plan);
      for (const count of [1, 2, 3, 4]) {
        const shards = shardsOf(count);
        const merged = await streamSha256(mergeShards(shards.map((s) => shardOps(generateOps(plan), s))));
        expect(merged, `${count} shards`).toBe(whole.sha256);
        const sizes = shards.map((s) => [...shardOps(generateOps(plan), s)].length);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(whole.totalOps);
        // More than one shard really splits the stream: no shard gets everything.
        if (count > 1) for (const n of sizes) expect(n).toBeLessThan(whole.totalOps);
      }
    });
  }

  it('keeps every op of an account (jobs included) in one shard, with its id and intended time', async () => {
    const plan = compilePlan(await loadScenario('fleet-bulk'), { durationUs: 6_000_000 });
    const owner = new Map<number, number>();
    const byId = new Map<number, Op>();
    for (const op of generateOps(plan)) byId.set(op.id, op);
    let jobOps = 0;
    for (const shard of shardsOf(4)) {
      for (const op of shardOps(generateOps(plan), shard)) {
        const seen = owner.get(op.account);
        if (seen !== undefined) expect(seen, `account ${op.account}`).toBe(shard.index);
        owner.set(op.account, shard.index);
        expect(op).toEqual(byId.get(op.id));
        if (op.job >= 0) jobOps++;
      }
    }
    expect(jobOps).toBeGreaterThan(0);
    expect(owner.size).toBeGreaterThan(4);
  });

  it('sends each op at its original time, so a shard runs at its accounts\' share of the rate', async () => {
    const plan = compilePlan(await loadScenario('rider-payouts'), { durationUs: 4_000_000 });
    const perSecond = (ops: Iterable<Op>) => {
      const counts = [0, 0, 0, 0];
      for (const op of ops) counts[Math.floor(op.at / 1e6)]! += 1;
      return counts;
    };
    const whole = perSecond(generateOps(plan));
    const parts = shardsOf(2).map((s) => perSecond(shardOps(generateOps(plan), s)));
    whole.forEach((n, sec) => expect(parts[0]![sec]! + parts[1]![sec]!).toBe(n));
    // 5,000 riders spread evenly: each half gets 40-60% of every second's ops.
    for (const p of parts) p.forEach((n, sec) => expect(n / whole[sec]!).toBeGreaterThan(0.4));
  });

  it('refuses overlapping shards when merging', async () => {
    const plan = compilePlan(await loadScenario('advertiser-burst'), { durationUs: 1_000_000 });
    const twice = { index: 0, count: 2 };
    expect(() => [...mergeShards([shardOps(generateOps(plan), twice), shardOps(generateOps(plan), twice)])]).toThrow(/in two shards/);
  });

  it('parses i/n and says what is wrong in one line otherwise', () => {
    expect(parseShardSpec('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShardSpec(' 0 / 1 ')).toEqual({ index: 0, count: 1 });
    for (const [text, message] of [
      ['4/4', /i must be below n \(shards are numbered 0\.\.3\)/],
      ['1/0', /n must be between 1 and 1024/],
      ['two/4', /expected i\/n/],
      ['1/4/2', /expected i\/n/],
      ['-1/4', /expected i\/n/],
    ] as const) {
      expect(() => parseShardSpec(text)).toThrow(message);
      try {
        parseShardSpec(text);
      } catch (err) {
        expect(String((err as Error).message)).not.toContain('\n');
      }
    }
  });
});
