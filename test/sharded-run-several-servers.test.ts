/**
 * `--pg` with several URLs (here two databases of the test server standing
 * in for two servers) and `--pg-shards N` (N embedded servers) give a
 * sharded(...) strategy one ledger shard each: the run completes audited,
 * the recorded config and the report name the shard count and placement,
 * no password is printed or recorded, and every shard database is dropped.
 * A shard count that disagrees with the URLs is one line.
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDataDir } from './compare-fixture.js';
import { hasStackTrace, runCli } from './support/cli.js';
import { freshDatabase, PG_URL, type FreshDatabase } from './support/database.js';

const SECRET = 'hunter2sharded';
const dir = tempDataDir('hotbench-sharded-');
const servers: FreshDatabase[] = [];
afterAll(async () => {
  for (const s of servers) await s.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** The URL of `db` with a password in it (the test server trusts local connections, so it is ignored there). */
function withPassword(db: FreshDatabase): string {
  const url = new URL(db.url);
  url.password = SECRET;
  return url.toString();
}

function reportOf(out: string): { text: string; json: { run: { config: Record<string, unknown> }; strategies: { strategy: string; status: string; conservation_ok?: unknown; audited?: unknown }[] } } {
  const runDir = join(out, readdirSync(out)[0]!);
  const text = readFileSync(join(runDir, 'report.md'), 'utf8') + readFileSync(join(runDir, 'report.json'), 'utf8');
  return { text, json: JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) };
}

async function databasesLike(prefix: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}%`])).rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

describe('ledger shards', () => {
  it('runs sharded(row-lock) on two --pg URLs, audited, passwords masked, nothing left behind', async () => {
    servers.push(await freshDatabase(), await freshDatabase());
    const out = join(dir, 'urls');
    const res = await runCli(
      ['run', '--scenario', 'budget-exhaustion', '--strategies', 'sharded(row-lock)', '--duration', '2s', '--noise-floor', 'off', '--progress', 'off', '--pg', servers.map(withPassword).join(','), '--data-dir', join(dir, 'data'), '--out', out],
      { timeoutMs: 240_000 },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout + res.stderr).not.toContain(SECRET);
    expect(res.stderr).toMatch(/ledger shards for sharded\(\.\.\.\): 0: PostgreSQL [\d.]+ at postgres:\/\/postgres:\*\*\*@.*; 1: /);
    const { text, json } = reportOf(out);
    expect(text).not.toContain(SECRET);
    expect(json.run.config['ledger_shards']).toBe(2);
    expect(String(json.run.config['pg']).match(/\*\*\*/g)).toHaveLength(2);
    expect(text).toMatch(/shard placement/);
    expect(res.stdout).toMatch(/sharded\(row-lock\) \[postgres\*2\].*✓\s*$/m); // conservation held on the audited, gathered ledger
    const runId = readdirSync(out)[0]!;
    expect(await databasesLike(`hb_${runId.toLowerCase().replace(/[^a-z0-9]/g, '_')}_`)).toEqual([]);
  }, 300_000);

  it('starts two embedded servers for --pg-shards 2', async () => {
    const out = join(dir, 'embedded');
    const res = await runCli(['run', '--scenario', 'budget-exhaustion', '--strategies', 'sharded(atomic)', '--duration', '1s', '--noise-floor', 'off', '--progress', 'off', '--pg-shards', '2', '--data-dir', join(dir, 'data'), '--out', out], { timeoutMs: 240_000 });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/ledger shards for sharded\(\.\.\.\): 0: embedded PostgreSQL [\d.]+ on 127\.0\.0\.1:(\d+); 1: embedded PostgreSQL [\d.]+ on 127\.0\.0\.1:(?!\1)\d+/);
    expect(res.stdout).toMatch(/sharded\(atomic\) \[postgres\*2\].*✓\s*$/m);
    expect(reportOf(out).json.run.config['ledger_shards']).toBe(2);
  }, 300_000);

  it('refuses --pg-shards that disagrees with the --pg URLs in one line', async () => {
    const res = await runCli(['run', '--strategies', 'sharded(row-lock)', '--pg', `${PG_URL},${PG_URL}`, '--pg-shards', '3', '--data-dir', join(dir, 'data'), '--out', join(dir, 'bad')], { timeoutMs: 60_000 });
    expect(res.code).toBe(2);
    expect(hasStackTrace(res.stderr)).toBe(false);
    expect(res.stderr.trim()).toMatch(/^hotbench: --pg-shards 3 but --pg gives 2 URLs: with --pg each URL is one shard; drop --pg-shards, or drop --pg to start 3 embedded servers\.$/);
  });

  it('refuses to serve a sharded strategy over --via http in one line', async () => {
    const res = await runCli(['run', '--strategies', 'sharded(row-lock)', '--via', 'http', '--pg', PG_URL, '--data-dir', join(dir, 'data'), '--out', join(dir, 'via')], { timeoutMs: 60_000 });
    expect(res.code).toBe(2);
    expect(hasStackTrace(res.stderr)).toBe(false);
    expect(res.stderr.trim()).toMatch(/^hotbench: sharded\(row-lock\) cannot be served over --via http: its ledger shards are handed over in-process; run it without --via$/);
  });

  it('names the bad URL of several in one line, without echoing it', async () => {
    const res = await runCli(['run', '--dry-run', '--pg', `postgres://u:${SECRET}@a/d,mysql://u:${SECRET}@b/d`, '--data-dir', join(dir, 'data')], { timeoutMs: 60_000 });
    expect(res.code).toBe(2);
    expect(res.stderr).not.toContain(SECRET);
    expect(res.stderr.trim()).toMatch(/^hotbench: --pg \(URL 2 of 2\): must start with postgres:\/\/ or postgresql:\/\/ \(got mysql:\/\/\); give postgres:\/\/user@host:5432\/database\.$/);
  });
});
