/**
 * Load shards as real processes, against PostgreSQL and the ClickHouse
 * server: a shard ready after --start-at and a second process with a taken
 * shard index each get one clear line and record a `refused` row, while the
 * shards that ran keep everything they recorded: finalize still merges them.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openStore } from '../results/open-store.js';
import { runCli } from './support/cli.js';
import { PG_URL } from './support/database.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const env = { PG_URL, CLICKHOUSE_URL };
const run = ['run', '--scenario', 'rider-payouts', '--strategies', 'atomic', '--duration', '2s', '--progress', 'off', '--connections', '4'];

async function shardRows(runId: string): Promise<{ shard: number; status: string; sent_ops: number }[]> {
  const store = await openStore({ url: CLICKHOUSE_URL, dataDir: '/tmp' });
  try {
    return await store.query("SELECT shard, status, sent_ops FROM shard_runs WHERE run_id = {run:String} AND status != 'started' ORDER BY shard, status", { run: runId });
  } finally {
    await store.close();
  }
}

const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

describe('load shards: bad input, one line each, nothing recorded lost', () => {
  it('refuses a shard that is ready after --start-at', async () => {
    const runId = `t-late-${randomBytes(3).toString('hex')}`;
    const past = new Date(Date.now() - 60_000).toISOString();
    const r = await runCli([...run, '--shard', '0/1', '--run-id', runId, '--start-at', past], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`shard 0/1 of run ${runId} was ready \\d+\\.\\d s after --start-at ${past.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: its ops would go out that late, so it sends nothing`));
    noStack(r.stderr);
    expect(await shardRows(runId)).toEqual([{ shard: 0, status: 'refused', sent_ops: 0 }]);
  }, 120_000);

  it('refuses a second process with a taken shard index; the run still finalizes with every op', async () => {
    const runId = `t-dup-${randomBytes(3).toString('hex')}`;
    const zero = runCli([...run, '--shard', '0/2', '--run-id', runId], { env });
    // The duplicate comes while shard 0 waits at the barrier for shard 1.
    await new Promise((r) => setTimeout(r, 6_000));
    const dup = await runCli([...run, '--shard', '0/2', '--run-id', runId], { env });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(new RegExp(`shard 0/2 of run ${runId} \\(0/0/atomic\\): shard index 0 is already taken by host \\S+ pid \\d+ \\(joined [^)]+\\): two shards have the same index; give each process its own --shard i/2`));
    noStack(dup.stderr);
    const one = await runCli([...run, '--shard', '1/2', '--run-id', runId], { env });
    expect([(await zero).code, one.code]).toEqual([0, 0]);
    const fin = await runCli(['finalize', runId, '--wait', '30s'], { env });
    expect(fin.code, fin.stderr).toBe(0);
    expect(fin.stderr).toMatch(/merged stream equals the unsharded one/);
    expect(fin.stderr).toMatch(/audit over the shared ledger: conservation holds, 0 overdrafts, 0 lost, 0 duplicated, 0 phantom/);
    const rows = await shardRows(runId);
    expect(rows.map((r) => `${r.shard}:${r.status}`)).toEqual(['0:completed', '0:refused', '1:completed']);
  }, 240_000);
});
