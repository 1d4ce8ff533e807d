/**
 * The stack parts behind the queues: Redis is the given server, else
 * 127.0.0.1:6379, else a redis-server hotbench starts (and stops, leaving no
 * process or directory behind); a part that cannot be had is one line.
 * Kafka is never faked: an unreachable broker makes the need unavailable
 * with the reason (no broker at all: see kafka-embedded-broker.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KafkaProvider, openKafka } from '../runner/stack/kafka.js';
import { PortProviders } from '../runner/stack/needs.js';
import { RedisProvider } from '../runner/stack/redis.js';
import type { ProviderContext } from '../runner/stack/providers.js';
import { REDIS_URL } from './redis-fixture.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('redis provider', () => {
  it('uses a reachable server and records its version; release deletes only the namespace', async () => {
    const provider = await RedisProvider.open({ url: REDIS_URL });
    expect(provider.started).toBe(false);
    expect(provider.version).toMatch(/^\d+\.\d+\.\d+$/);
    const version = execFileSync('redis-cli', ['-u', REDIS_URL, 'info', 'server'], { encoding: 'utf8' }).match(/redis_version:(\S+)/)?.[1];
    expect(provider.version).toBe(version);
    const request = { namespace: 'hbt_provider_ns', database: { name: '', url: '', drop: async () => {} } };
    const port = await provider.provide(request);
    const c = port.client({ name: 'probe' });
    await c.set('hbt_provider_ns:a', '1');
    await c.set('hbt_provider_other:b', '2');
    await provider.release(request);
    const admin = port.client();
    expect(await admin.exists('hbt_provider_ns:a', 'hbt_provider_other:b')).toBe(1); // the other key survives
    await admin.del('hbt_provider_other:b');
    admin.disconnect();
    await provider.stop();
  });

  it('starts redis-server when the default is unreachable, restarts it (new pid, keys gone) and stops it without a trace', async () => {
    const provider = await RedisProvider.open({ defaultUrl: 'redis://127.0.0.1:1' });
    expect(provider.started).toBe(true);
    expect(provider.description).toMatch(/^redis-server \d+\.\d+\.\d+ started by hotbench on 127\.0\.0\.1:\d+$/);
    const request = { namespace: 'hbt_started', database: { name: '', url: '', drop: async () => {} } };
    const port = await provider.provide(request);
    const c = port.client({ name: 'probe' });
    await c.set('hbt_started:k', 'v');
    const detail = await provider.injectStackFault('restart', request);
    const [, oldPid, newPid] = /pid (\d+) → (\d+)/.exec(detail)!.map(Number) as [number, number, number];
    expect(newPid).not.toBe(oldPid);
    expect(alive(oldPid)).toBe(false);
    expect(await c.get('hbt_started:k')).toBeNull(); // reconnected to the new server: no persistence
    const dir = execFileSync('redis-cli', ['-p', /:(\d+)$/.exec(provider.url)![1]!, 'config', 'get', 'dir'], { encoding: 'utf8' }).split('\n')[1]!;
    expect(existsSync(dir)).toBe(true);
    await provider.stop();
    expect(alive(newPid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('an explicit unreachable server, or no server and no binary, is one line', async () => {
    await expect(RedisProvider.open({ url: 'redis://user:secret@127.0.0.1:1' })).rejects.toThrow(/^Redis at redis:\/\/user:\*\*\*@127\.0\.0\.1:1 is unreachable \(.+\)$/);
    await expect(RedisProvider.open({ defaultUrl: 'redis://127.0.0.1:1', binary: 'no-such-redis-server' })).rejects.toThrow(
      /^redis:\/\/127\.0\.0\.1:1 is unreachable \(.+\), and no-such-redis-server is not on PATH$/,
    );
  });
});

describe('kafka provider', () => {
  const ctx = (brokers: string[]): ProviderContext => ({ config: { kafkaBrokers: brokers } as never, postgres: {} as never, log: () => {} });

  it('an unreachable broker is reported within the probe timeout', async () => {
    const started = Date.now();
    await expect(KafkaProvider.open(['127.0.0.1:1'], 1_500)).rejects.toThrow(/^Kafka at 127\.0\.0\.1:1 is unreachable \(.+\)$/);
    expect(Date.now() - started).toBeLessThan(5_000);
    const providers = new PortProviders();
    await openKafka(providers, ctx(['127.0.0.1:1']));
    expect(providers.unmet(['kafka'])[0]).toMatch(/^needs kafka \(Kafka at 127\.0\.0\.1:1 is unreachable \(.+\)\): give --kafka/);
  });
});
