/**
 * The `replica` need: with an external --pg it is met only by a reachable
 * --pg-replica that is in recovery, and otherwise explained in one line; a
 * missing pg_basebackup of the right major version is explained too. With
 * the embedded server a replica is started, and its port's lag probe
 * measures how long a committed change takes to become visible there; the
 * pools it handed out are ended when the replay is released.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedRunConfig } from '../runner/config/run-config.js';
import { HOW_TO_PROVIDE, PortProviders } from '../runner/stack/needs.js';
import { openPostgres, type PostgresStack } from '../runner/stack/postgres.js';
import { findBaseBackup, openReplica } from '../runner/stack/replica.js';
import { PG_URL } from './support/database.js';
import { startReplicatedStack, type ReplicatedStack } from './replica-fixture.js';

const config = (pgReplicaUrl?: string) => ({ pgReplicaUrl, connections: 4 }) as unknown as ResolvedRunConfig; // the opener reads only these

async function unmetWith(postgres: PostgresStack, pgReplicaUrl?: string): Promise<string[]> {
  const providers = new PortProviders();
  await openReplica(providers, { config: config(pgReplicaUrl), postgres, log: () => undefined });
  const unmet = providers.unmet(['postgres', 'replica']);
  await providers.stop();
  return unmet;
}

describe('with an external --pg', () => {
  let external: PostgresStack;
  beforeAll(async () => {
    external = await openPostgres({ url: PG_URL });
  });
  afterAll(async () => {
    await external?.stop();
  });

  it('is unavailable without --pg-replica, in one line saying how to provide it', async () => {
    expect(await unmetWith(external)).toEqual([
      'needs replica (no --pg-replica (PG_REPLICA_URL) was given for the external --pg server): ' + HOW_TO_PROVIDE.replica,
    ]);
  });

  it('refuses a --pg-replica that is not in recovery, and one that is unreachable, without printing a password', async () => {
    const [notReplica] = await unmetWith(external, PG_URL);
    expect(notReplica).toContain('is not a replica (pg_is_in_recovery() is false); give a streaming replica of --pg');
    const [unreachable] = await unmetWith(external, 'postgres://someone:s3cret-pw@127.0.0.1:1/db');
    expect(unreachable).toMatch(/^needs replica \(--pg-replica postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/db is unreachable \(.*ECONNREFUSED/);
    expect(unreachable).not.toContain('s3cret');
    expect(unreachable).not.toContain('\n');
  });
});

it('explains a missing pg_basebackup of the server major version', async () => {
  await expect(findBaseBackup('99')).rejects.toThrow(/^the embedded replica needs pg_basebackup 99 \(e\.g\. apt-get install postgresql-client-99\), but .*pg_basebackup is version 15.*; or give --pg and --pg-replica$/);
  expect(await findBaseBackup('15')).toBe('/usr/lib/postgresql/15/bin/pg_basebackup');
});

describe('with the embedded server', () => {
  let stack: ReplicatedStack;
  beforeAll(async () => {
    stack = await startReplicatedStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('explains that --pg-replica needs --pg', async () => {
    expect(await unmetWith(stack.postgres, PG_URL)).toEqual([
      'needs replica (--pg-replica was given without --pg, but a replica must stream from the --pg server; give both, or neither to start an embedded replica): ' + HOW_TO_PROVIDE.replica,
    ]);
  });

  it('streams the database, and the lag probe measures how long a commit takes to reach the replica', async () => {
    const c = await stack.context([{ id: 0, balance: 0, floor: 0, hot: false, name: '', threshold: 0 }]);
    await c.primary.query('CREATE TABLE t (x int)');
    const idle = await c.port.lagUs(); // idle: caught up at once, or within a few polls on a busy machine
    expect(idle).toBeGreaterThanOrEqual(0);
    expect(idle).toBeLessThan(1_000_000);
    expect((await c.replica.query('SELECT count(*)::int AS n FROM t')).rows[0]).toEqual({ n: 0 });

    await c.replica.query('SELECT pg_wal_replay_pause()');
    await c.primary.query('INSERT INTO t VALUES (1)');
    const started = Date.now();
    const probe = c.port.lagUs();
    await sleep(400);
    await c.replica.query('SELECT pg_wal_replay_resume()');
    const lag = await probe;
    // The commit was held back for the 400 ms of the pause (plus resuming); the probe saw all of it.
    expect(lag).toBeGreaterThanOrEqual(390_000);
    expect(lag).toBeLessThanOrEqual((Date.now() - started) * 1000);
    expect((await c.replica.query('SELECT count(*)::int AS n FROM t')).rows[0]).toEqual({ n: 1 });

    // Replicas are read-only.
    await expect(c.replica.query('INSERT INTO t VALUES (2)')).rejects.toMatchObject({ code: '25006' });
  });

  it('ends the pools it handed out when the replay is released', async () => {
    const providers = stack.providers;
    const database = await stack.postgres.createDatabase('hbt_release_check');
    const request = { database, namespace: 'hbt_release_check' };
    const port = (await providers.provide(['replica'], request)).replica as { pool(): import('pg').Pool };
    const pool = port.pool();
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await providers.release(['replica'], request);
    await expect(pool.query('SELECT 1')).rejects.toThrow(/after calling end/);
    await database.drop();
  });
});
