/**
 * `--keep-databases` keeps each replay's database on the external server and
 * the report names it; without the flag none is left behind. On the embedded
 * server there is nothing to keep (its data goes with it), so the flag is
 * refused there in one line. (Before, the stack dropped every database it had
 * created when it stopped, whatever the flag said.)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRunReport } from '../reports/run/queries.js';
import { renderMarkdown } from '../reports/run/render-markdown.js';
import { openStore } from '../results/open-store.js';
import { resolveRunConfig } from '../runner/config/run-config.js';
import { runBenchmark } from '../runner/api/run.js';
import { builtinRegistry } from '../strategies/registry.js';
import { recordRun, tempDataDir } from './compare-fixture.js';
import { PG_URL } from './support/database.js';

async function databasesLike(prefix: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const res = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname', [`${prefix}%`]);
    return res.rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

async function dropDatabase(name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unexpected database name ${name}`);
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

const RUN = { scenario: 'budget-exhaustion', strategies: 'atomic', duration: '2s', seed: 3 } as const;

describe('--keep-databases', () => {
  const dir = tempDataDir('hotbench-keep-');
  const kept: string[] = [];
  afterAll(async () => {
    for (const name of kept) await dropDatabase(name);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the replay database with its ledger, and the report names it', async () => {
    const runId = await recordRun(builtinRegistry(), dir, { ...RUN, keepDatabases: true });
    const prefix = `hb_${runId.toLowerCase().replace(/[^a-z0-9]/g, '_')}_`;
    const names = await databasesLike(prefix);
    kept.push(...names);
    expect(names).toHaveLength(1);
    const client = new pg.Client({ connectionString: Object.assign(new URL(PG_URL), { pathname: `/${names[0]}` }).toString() });
    await client.connect();
    try {
      const entries = await client.query<{ n: string }>('SELECT count(*) AS n FROM entries');
      expect(Number(entries.rows[0]!.n)).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
    const store = await openStore({ dataDir: join(dir, 'clickhouse') });
    try {
      const markdown = renderMarkdown(await loadRunReport(store, runId)).replace(/\\_/g, '_'); // Markdown escapes `_`
      expect(markdown).toContain(`${names[0]} on `);
      expect(markdown).toMatch(/kept database/);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('leaves no database behind without the flag', async () => {
    const runId = await recordRun(builtinRegistry(), dir, { ...RUN });
    expect(await databasesLike(`hb_${runId.toLowerCase().replace(/[^a-z0-9]/g, '_')}_`)).toEqual([]);
  }, 120_000);

  it('is refused in one line on the embedded server, which keeps nothing', async () => {
    const config = await resolveRunConfig({ ...RUN, keepDatabases: true, dataDir: dir, out: join(dir, 'out') }, {});
    const run = runBenchmark(config, { registry: builtinRegistry(), log: () => undefined, progress: 'off', abort: new AbortController().signal });
    await expect(run).rejects.toThrow(/^--keep-databases needs an external server: give --pg/);
  }, 60_000);
});
