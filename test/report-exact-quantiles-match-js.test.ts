/**
 * selectExactQuantiles (bounded-memory percentiles by narrowing histograms)
 * returns exactly quantileExact's values, checked against plain JS on
 * seeded random samples of many shapes: one value, all equal, tiny and huge
 * ranges (one, two and four narrowing passes), negatives, heavy duplicates,
 * levels whose rank q·n is a whole number; on chdb and on the 18.16 server.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rankOf, selectExactQuantiles } from '../reports/run/exact-quantiles.js';
import type { PostingRow } from '../results/rows.js';
import { openStore, type StoreLocation } from '../results/open-store.js';
import { quantile } from './report-fixture.js';
import { testRunId } from './recorder-fixture.js';
import { seededRandom } from './support/ops.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const database = `hbt_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'hbt-exact-q-'));
afterAll(async () => {
  await fetch(`${CLICKHOUSE_URL}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
  rmSync(dir, { recursive: true, force: true });
});

const LEVELS = [0, 0.001, 0.25, 0.5, 0.9, 0.99, 0.999, 1];

/** Named samples (posting delays, µs). */
function samples(): Record<string, number[]> {
  const r = seededRandom(7);
  const n = (count: number, f: (i: number) => number) => Array.from({ length: count }, (_, i) => f(i));
  return {
    one: [42],
    equal: n(500, () => -3),
    small: n(1000, () => Math.floor(r() * 100)),
    exact_ranks: n(1000, (i) => i * 7), // q·n whole for 0.25, 0.5, 0.9, 0.99, 0.999
    two_passes: n(3000, () => Math.floor(r() * 300_000_000)),
    four_passes: n(3000, () => Math.floor((r() - 0.5) * 2 ** 52)),
    outliers: n(5000, (i) => (i % 1000 === 0 ? 9_000_000_000_000 + i : Math.floor(r() * 2000))),
    duplicates: n(4000, () => [5, 5, 5, 7, 1_000_000][Math.floor(r() * 5)]!),
  };
}

describe.each<[string, StoreLocation]>([
  ['chdb', { dataDir: join(dir, 'chdb') }],
  ['the ClickHouse 18.16 server', { url: CLICKHOUSE_URL, dataDir: join(dir, 'server'), database }],
])('exact percentiles in bounded memory, on %s', (_name, location) => {
  it('equal quantileExact computed in JS for every sample shape and level', async () => {
    const store = await openStore(location);
    try {
      await store.migrate();
      const runId = testRunId('exactq');
      const shapes = samples();
      const rows: PostingRow[] = [];
      Object.entries(shapes).forEach(([strategy, values]) => {
        values.forEach((v, i) => rows.push({ run_id: runId, strategy, rep: 0, op_id: i, intended_us: 1_000_000_000_000, posted_us: 1_000_000_000_000 + v }));
      });
      await store.insert('postings', rows);
      const got = await selectExactQuantiles(store, runId, { table: 'postings', expr: 'posted_us - intended_us', cond: '1' }, LEVELS);
      expect(got.map((g) => g.strategy).sort()).toEqual(Object.keys(shapes).sort());
      for (const g of got) {
        const values = shapes[g.strategy]!;
        expect(g.n).toBe(values.length);
        const sorted = [...values].sort((a, b) => a - b);
        expect([g.strategy, ...g.values]).toEqual([g.strategy, ...LEVELS.map((q) => (q === 1 ? sorted[sorted.length - 1]! : quantile(values, q)))]);
      }
      // rankOf is quantileExact's rule: floor(q·n), n − 1 at q = 1.
      expect([rankOf(0.99, 100), rankOf(0.5, 3), rankOf(1, 10), rankOf(0, 10)]).toEqual([99, 1, 9, 0]);
    } finally {
      await store.close();
    }
  }, 60_000);
});
