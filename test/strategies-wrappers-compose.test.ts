/**
 * Wrappers compose: `rate-limit(split)`, `sharded(aggregate)` and
 * `rate-limit(sharded(row-lock))` resolve, each layer with its own
 * parameters and needs; a combination a wrapper refuses is one line saying
 * which and why; and `hotbench strategies` lists what each wrapper takes.
 */
import { describe, expect, it } from 'vitest';
import { wrapsOf } from '../runner/cli/commands/strategies.js';
import { planStrategies } from '../runner/replay/plan.js';
import { builtinRegistry } from '../strategies/registry.js';
import { needsOf, resolveStrategies, SpecError } from '../strategies/spec.js';

const registry = builtinRegistry();

describe('wrapper composition', () => {
  it('resolves wrappers around wrappers, parameters at every layer', () => {
    const [a, b, c] = resolveStrategies('rate-limit(split:parts=4):rate=100,sharded(aggregate:window=10ms),rate-limit(sharded(row-lock))', registry);
    expect(a?.label).toBe('rate-limit(split:parts=4):rate=100');
    expect(b?.label).toBe('sharded(aggregate:window=10ms)');
    expect(c?.label).toBe('rate-limit(sharded(row-lock))');
    expect(needsOf(c!)).toEqual(['postgres']);
    // The runner creates the shard databases for a spread ledger at any depth.
    const planned = planStrategies('rate-limit(sharded(row-lock)),rate-limit(row-lock)', registry);
    expect(planned.map((p) => p.ledgerShards)).toEqual([true, false]);
  });

  it.each([
    ['sharded(cache)', /^strategy spec 'sharded\(cache\)': sharded cannot wrap cache: it needs redis, one part every shard would share; .*$/],
    ['sharded(read-write-split)', /sharded cannot wrap read-write-split: it needs replica/],
    ['rate-limit(sharded(sharded(row-lock)))', /sharded cannot wrap sharded\(row-lock\): sharded\(row-lock\) is already sharded; wrap it once/],
  ])('refuses %s in one line', (spec, message) => {
    let error: unknown;
    try {
      resolveStrategies(spec, registry);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SpecError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('lets the queue decide: buffer on the in-process queue shards, on Redis it does not', () => {
    expect(resolveStrategies('sharded(buffer:queue=memory)', registry)[0]?.label).toBe('sharded(buffer:queue=memory)');
    expect(() => resolveStrategies('sharded(buffer:queue=redis-streams)', registry)).toThrow(/needs redis/);
  });

  it('lists, for each wrapper, what it takes and what it refuses with the reason', () => {
    const sharded = wrapsOf(registry, 'sharded');
    expect(sharded.allowed).toEqual(expect.arrayContaining(['row-lock', 'aggregate', 'split', 'rate-limit(row-lock)']));
    expect(sharded.refused.map((r) => r.inner)).toEqual(expect.arrayContaining(['cache', 'read-write-split', 'sharded(row-lock)']));
    expect(sharded.refused.find((r) => r.inner === 'cache')?.why).toMatch(/^it needs redis/);
    const rateLimit = wrapsOf(registry, 'rate-limit');
    expect(rateLimit.refused).toEqual([]);
    expect(rateLimit.allowed).toEqual(expect.arrayContaining(['split', 'sharded(row-lock)', 'cache']));
  });
});
