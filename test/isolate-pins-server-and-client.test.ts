/**
 * `--isolate` and bench:fidelity's isolated figure: the CPUs split into a
 * server half and a client half, and a real PostgreSQL pinned to its half
 * keeps the pin for the backends it forks afterwards (the property the
 * isolation rests on: connections open after the pin).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { allowedCpus, describeLayout, formatCpuList, parseCpuList, pinProcessTree, splitCpus, tasksetAvailable } from '../runner/cpu-layout.js';
import { openPostgres } from '../runner/stack/postgres.js';
import { isolateServers } from '../runner/isolate.js';
import { spawn } from 'node:child_process';
import { PortProviders } from '../runner/stack/needs.js';
import { RedisProvider } from '../runner/stack/redis.js';

describe('CPU layout', () => {
  it('splits the CPUs into a server half and a client half, and nothing with one CPU', () => {
    expect(splitCpus([0, 1])).toEqual({ server: [0], client: [1] });
    expect(splitCpus([0, 1, 2, 3, 4])).toEqual({ server: [0, 1, 2], client: [3, 4] });
    expect(splitCpus([3])).toBeNull();
    expect(describeLayout({ server: [0], client: [1] }, 2)).toBe('isolated: server on CPU 0, client on CPU 1 (of 2)');
  });

  it('reads and writes Linux CPU lists, and rejects anything else in one line', () => {
    expect(parseCpuList('0-2,5,7-8')).toEqual([0, 1, 2, 5, 7, 8]);
    expect(formatCpuList([8, 0, 1, 2, 5, 7])).toBe('0-2,5,7-8');
    expect(() => parseCpuList('0-a')).toThrow(/^not a CPU list: "0-a" \(expected e.g. 0-3,6\)$/);
  });

  it.skipIf(allowedCpus().length < 2 || !tasksetAvailable())(
    'pins an embedded PostgreSQL to the server half, and backends forked afterwards inherit it',
    async () => {
      const layout = splitCpus()!;
      const stack = await openPostgres({});
      try {
        const pinned = pinProcessTree(stack.serverPid!(), layout.server);
        expect(pinned).toBeGreaterThan(1); // the postmaster and its helpers (checkpointer, walwriter, ...)
        expect(allowedCpus(stack.serverPid!())).toEqual(layout.server);
        const db = await stack.createDatabase(`hb_isolate_${randomBytes(4).toString('hex')}`);
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        try {
          const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
          expect(allowedCpus(pid)).toEqual(layout.server);
        } finally {
          await client.end();
        }
        expect(allowedCpus()).not.toEqual(layout.server); // this test process was left alone
      } finally {
        await stack.stop();
      }
    },
    60_000,
  );

  it.skipIf(allowedCpus().length < 2 || !tasksetAvailable())('isolates owned servers and the driver on opposite halves, and leaves external ones alone', () => {
    const server = spawn('sleep', ['30'], { stdio: 'ignore' });
    const driver = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const layout = splitCpus()!;
      const record = isolateServers([{ name: 'embedded PostgreSQL', pid: server.pid }, { name: 'Kafka', pid: undefined }], driver.pid!);
      expect(allowedCpus(server.pid!)).toEqual(layout.server);
      expect(allowedCpus(driver.pid!)).toEqual(layout.client);
      expect(record).toMatchObject({ mode: 'isolated', pinned: ['embedded PostgreSQL'], external: ['Kafka'] });
      expect(record.text).toMatch(/^isolated: server on CPU.* client on CPU.*; pinned: embedded PostgreSQL; external, not pinned: Kafka$/);
    } finally {
      server.kill();
      driver.kill();
    }
  });

  it.skipIf(allowedCpus().length < 2 || !tasksetAvailable())(
    "lists a redis-server the run started among the servers to pin (and a reachable one as external), so --isolate moves it to the server half",
    async () => {
      // Port 1 never answers: the provider starts its own redis-server.
      const started = await RedisProvider.open({ defaultUrl: 'redis://127.0.0.1:1' });
      const found = await RedisProvider.open({ allowStart: false });
      const driver = spawn('sleep', ['30'], { stdio: 'ignore' });
      try {
        const providers = new PortProviders();
        providers.set('redis', started);
        const [own] = providers.servers();
        expect(own).toMatchObject({ name: 'redis-server' });
        expect(own!.pid).toBeGreaterThan(0);
        expect(found.serverProcess()).toEqual({ name: 'Redis (external)', pid: undefined });
        const record = isolateServers([own!, found.serverProcess()], driver.pid!);
        expect(allowedCpus(own!.pid)).toEqual(splitCpus()!.server);
        expect(record).toMatchObject({ pinned: ['redis-server'], external: ['Redis (external)'] });
      } finally {
        driver.kill();
        await started.stop();
        await found.stop();
      }
    },
    60_000,
  );
});
