/**
 * `--stack compose` / `HOTBENCH_STACK=compose` points every part at the
 * docker-compose.yml services, but only where nothing more specific was
 * given: a part's own flag or environment variable wins (precedence:
 * defaults < scenario < stack preset < environment < flags), and the
 * recorded sources say which layer each value came from.
 */
import { describe, expect, it } from 'vitest';
import { recordedConfig, resolveRunConfig } from '../runner/config/run-config.js';
import { COMPOSE_STACK } from '../runner/stack/compose.js';

describe('--stack compose', () => {
  it('fills pg, pg-replica, redis, kafka and clickhouse from the preset', async () => {
    const c = await resolveRunConfig({ stack: 'compose' }, {});
    expect([c.pgUrl, c.pgReplicaUrl, c.redisUrl, c.kafkaBrokers, c.clickhouseUrl]).toEqual([
      'postgres://postgres:hotbench@127.0.0.1:55432/postgres',
      'postgres://postgres:hotbench@127.0.0.1:55433/postgres',
      'redis://127.0.0.1:56379',
      ['127.0.0.1:59092'],
      'http://hotbench:hotbench@127.0.0.1:58123',
    ]);
    expect(c.stack).toBe('compose');
    expect(c.sources).toMatchObject({ stack: 'flag', pg: 'stack', pgReplica: 'stack', redis: 'stack', kafka: 'stack', clickhouse: 'stack' });
    const recorded = recordedConfig(c, ['row-lock']);
    expect(recorded).toMatchObject({ stack: 'compose', pg: 'postgres://postgres:***@127.0.0.1:55432/postgres', clickhouse: 'http://hotbench:***@127.0.0.1:58123/' });
  });

  it('is chosen by HOTBENCH_STACK too', async () => {
    const c = await resolveRunConfig({}, { HOTBENCH_STACK: 'compose' });
    expect(c.redisUrl).toBe(COMPOSE_STACK.redis);
    expect(c.sources['stack']).toBe('environment');
  });

  it('yields to a part given by flag or environment; flags beat the environment', async () => {
    const c = await resolveRunConfig({ stack: 'compose', pg: 'postgres://me@db:5432/x' }, { REDIS_URL: 'redis://env:6379', PG_URL: 'postgres://env@db:5432/y' });
    expect(c.pgUrl).toBe('postgres://me@db:5432/x');
    expect(c.redisUrl).toBe('redis://env:6379');
    expect(c.kafkaBrokers).toEqual(['127.0.0.1:59092']);
    expect(c.sources).toMatchObject({ pg: 'flag', redis: 'environment', kafka: 'stack' });
  });

  it('without a preset nothing changes: the embedded defaults stay', async () => {
    const c = await resolveRunConfig({}, {});
    expect([c.pgUrl, c.redisUrl, c.clickhouseUrl, c.kafkaBrokers, c.stack]).toEqual([undefined, undefined, undefined, [], undefined]);
  });

  it('refuses an unknown stack in one line naming the known ones', async () => {
    await expect(resolveRunConfig({ stack: 'kubernetes' }, {})).rejects.toThrow('--stack: "kubernetes" is not a known stack; use compose (the services of docker-compose.yml), or omit it.');
    await expect(resolveRunConfig({}, { HOTBENCH_STACK: 'swarm' })).rejects.toThrow(/^HOTBENCH_STACK: "swarm" is not a known stack/);
  });

  it('--via is parsed and recorded the same way', async () => {
    expect((await resolveRunConfig({ via: 'http' }, {})).via).toBe('http');
    expect((await resolveRunConfig({}, { HOTBENCH_VIA: 'http-inprocess' })).via).toBe('http-inprocess');
    expect((await resolveRunConfig({}, {})).via).toBe('direct');
    await expect(resolveRunConfig({ via: 'grpc' }, {})).rejects.toThrow('--via: "grpc" is not a way to reach the strategies; use direct, http, http-inprocess.');
  });
});
