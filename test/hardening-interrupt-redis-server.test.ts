/**
 * SIGINT, SIGTERM and SIGKILL during a run whose Redis hotbench started
 * itself (no Redis reachable: the CLI runs in a network namespace of its own,
 * so redis://127.0.0.1:6379 does not answer and it starts `redis-server` from
 * PATH, as it does for a user without Redis): no `redis-server` or `postgres`
 * is left behind, and for the catchable signals the partial replay is
 * recorded and the run marked incomplete. (An explicit `--redis` URL that
 * does not answer is reported unreachable, never replaced: runner/stack/redis.ts.)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../results/open-store.js';
import { canIsolateNetwork, smallScenario, until, watchCli } from './hardening-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-int-redis-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const isolated = canIsolateNetwork();

/** Live processes whose command line matches `pattern`. */
function processes(pattern: RegExp): string[] {
  return execFileSync('ps', ['-eo', 'pid,stat,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => pattern.test(l) && !/^\s*\d+\s+Z/.test(l)); // zombies are gone already, only not reaped
}

function portsOf(stderr: string): { redis: string; pg: string } {
  const redis = /started redis-server [\d.]+ on 127\.0\.0\.1:(\d+)/.exec(stderr)?.[1];
  const pg = /embedded PostgreSQL [\d.]+ on 127\.0\.0\.1:(\d+)/.exec(stderr)?.[1];
  expect(redis, stderr).toBeDefined();
  expect(pg, stderr).toBeDefined();
  return { redis: redis!, pg: pg! };
}

/** Waits until neither server on these ports is alive; returns what is left. */
async function leftovers(ports: { redis: string; pg: string }, ms: number): Promise<string[]> {
  const alive = () => [...processes(new RegExp(`redis-server .*:${ports.redis}\\b`)), ...processes(new RegExp(`\\bpostgres\\b.* -p ${ports.pg} `))];
  await until(() => alive().length === 0, ms);
  return alive();
}

function args(name: string): string[] {
  const data = join(dir, name);
  return ['run', '--scenario', smallScenario(dir, { seconds: 20, rate: 100 }), '--strategies', 'cache', '--progress', 'plain', '--data-dir', data, '--out', join(data, 'out')];
}

describe.skipIf(!isolated).each(['SIGINT', 'SIGTERM'] as const)('%s during a run with a redis-server hotbench started', (signal) => {
  it('stops both servers, records the partial replay and marks the run incomplete', async () => {
    let sent = false;
    const res = await watchCli(args(signal), {
      isolatedNetwork: true,
      timeoutMs: 150_000,
      onStderr: (stderr, kill) => {
        if (sent || !/cache: \d+ ops over/.test(stderr)) return;
        sent = true;
        setTimeout(() => kill(signal), 3_000);
      },
    });
    expect(res.stderr).toMatch(/redis: redis:\/\/127\.0\.0\.1:6379 is unreachable .*; started redis-server/);
    expect(res.code, res.stderr).toBe(130);
    expect(res.stderr).toContain(`${signal}: stopping`);
    expect(await leftovers(portsOf(res.stderr), 5_000)).toEqual([]);

    const runId = /^run (\S+): incomplete/m.exec(res.stderr)?.[1];
    expect(runId, res.stderr).toBeDefined();
    const store = await openStore({ dataDir: join(dir, signal, 'clickhouse') });
    try {
      expect(await store.query('SELECT status FROM run_ends WHERE run_id = {run:String}', { run: runId! })).toEqual([{ status: 'incomplete' }]);
      const [replay] = await store.query<{ strategy: string; backend: string; status: string; sent_ops: number; planned_ops: number }>(
        'SELECT strategy, backend, status, sent_ops, planned_ops FROM strategy_runs WHERE run_id = {run:String}',
        { run: runId! },
      );
      expect(replay).toMatchObject({ strategy: 'cache', status: 'interrupted', planned_ops: 2_000 });
      expect(replay!.sent_ops).toBeGreaterThan(0);
      expect(replay!.sent_ops).toBeLessThan(2_000);
      const [ops] = await store.query<{ n: number }>('SELECT count() AS n FROM ops WHERE run_id = {run:String}', { run: runId! });
      expect(ops?.n).toBe(replay!.sent_ops);
    } finally {
      await store.close();
    }
  }, 180_000);
});

describe.skipIf(!isolated)('SIGKILL during a run with a redis-server hotbench started', () => {
  it('leaves no redis-server and no postgres behind (the watchdogs stop them)', async () => {
    let sent = false;
    const res = await watchCli(args('kill'), {
      isolatedNetwork: true,
      timeoutMs: 150_000,
      onStderr: (stderr, kill) => {
        if (sent || !/cache: \d+ ops over/.test(stderr)) return;
        sent = true;
        setTimeout(() => kill('SIGKILL'), 2_000);
      },
    });
    expect(res.signal, res.stderr).toBe('SIGKILL');
    const ports = portsOf(res.stderr);
    expect(await leftovers(ports, 15_000)).toEqual([]);
  }, 180_000);
});
