/**
 * docker-compose.yml cannot be started here (no Docker engine), so its
 * structure is checked instead: the five services, each on its official
 * image with a health check and one loopback port mapping equal to what
 * `--stack compose` (runner/stack/compose.ts) connects to, the credentials
 * the preset uses, the replication wiring (role + pg_hba on the primary,
 * pg_basebackup -R on the replica), Kafka in KRaft mode advertising the host
 * port, and no `$` that compose would interpolate by accident.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot } from '../scenarios/index.js';
import { pinnedKafkaVersion } from '../runner/stack/kafka-jars.js';
import { COMPOSE_CREDENTIALS, COMPOSE_PORTS, COMPOSE_STACK } from '../runner/stack/compose.js';

interface Service {
  image?: string;
  ports?: string[];
  healthcheck?: { test?: string[] | string; interval?: string; retries?: number };
  environment?: Record<string, string | number>;
  entrypoint?: string[];
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const text = readFileSync(join(packageRoot(), 'docker-compose.yml'), 'utf8');
const file = parse(text) as { name?: string; services: Record<string, Service> };
const services = file.services;
const script = (s: Service): string => (s.entrypoint ?? []).join('\n');

describe('docker-compose.yml', () => {
  it('has exactly the five services, each on its official image with a health check', () => {
    expect(Object.keys(services).sort()).toEqual(['clickhouse', 'kafka', 'postgres', 'postgres-replica', 'redis']);
    const images = Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.image]));
    expect(images).toEqual({
      postgres: 'postgres:15',
      'postgres-replica': 'postgres:15',
      redis: 'redis:7',
      kafka: `apache/kafka:${pinnedKafkaVersion()}`,
      clickhouse: expect.stringMatching(/^clickhouse\/clickhouse-server:\d+/),
    });
    for (const [name, s] of Object.entries(services)) {
      const test = s.healthcheck?.test;
      expect(Array.isArray(test) && (test[0] === 'CMD' || test[0] === 'CMD-SHELL') && test.length >= 2, `${name} health check`).toBe(true);
      expect(s.healthcheck?.retries, `${name} retries`).toBeGreaterThan(0);
    }
  });

  it('publishes each service on 127.0.0.1 at the port --stack compose connects to', () => {
    const containerPort: Record<keyof typeof COMPOSE_PORTS, number> = { postgres: 5432, 'postgres-replica': 5432, redis: 6379, kafka: COMPOSE_PORTS.kafka, clickhouse: 8123 };
    for (const [name, port] of Object.entries(COMPOSE_PORTS)) {
      expect(services[name]?.ports, name).toEqual([`127.0.0.1:${port}:${containerPort[name as keyof typeof COMPOSE_PORTS]}`]);
    }
    const portOf = (url: string): number => Number(new URL(url.includes('://') ? url : `tcp://${url}`).port);
    expect([portOf(COMPOSE_STACK.pg), portOf(COMPOSE_STACK.pgReplica), portOf(COMPOSE_STACK.redis), portOf(COMPOSE_STACK.kafka), portOf(COMPOSE_STACK.clickhouse)]).toEqual([
      COMPOSE_PORTS.postgres,
      COMPOSE_PORTS['postgres-replica'],
      COMPOSE_PORTS.redis,
      COMPOSE_PORTS.kafka,
      COMPOSE_PORTS.clickhouse,
    ]);
    // None of them is a port the usual local services take.
    for (const port of Object.values(COMPOSE_PORTS)) expect([5432, 5433, 6379, 9092, 8123, 9000]).not.toContain(port);
  });

  it('sets the credentials the preset uses', () => {
    const pgUrl = new URL(COMPOSE_STACK.pg);
    expect([pgUrl.username, pgUrl.password, pgUrl.pathname]).toEqual([COMPOSE_CREDENTIALS.postgres.user, String(services['postgres']!.environment!['POSTGRES_PASSWORD']), `/${COMPOSE_CREDENTIALS.postgres.database}`]);
    expect(new URL(COMPOSE_STACK.pgReplica).password).toBe(pgUrl.password);
    const ch = new URL(COMPOSE_STACK.clickhouse);
    expect([ch.username, ch.password]).toEqual([services['clickhouse']!.environment!['CLICKHOUSE_USER'], services['clickhouse']!.environment!['CLICKHOUSE_PASSWORD']]);
  });

  it('wires streaming replication: role and pg_hba on the primary, pg_basebackup -R on the replica once the primary is healthy', () => {
    const primary = services['postgres']!;
    const { user, password } = COMPOSE_CREDENTIALS.replication;
    expect(script(primary)).toContain(`CREATE ROLE ${user} WITH REPLICATION LOGIN PASSWORD '${password}'`);
    expect(script(primary)).toContain(`host replication ${user} all scram-sha-256`);
    expect(script(primary)).toMatch(/\/docker-entrypoint-initdb\.d\/.*\.sh/);
    expect(script(primary)).toContain('exec docker-entrypoint.sh "$$@"');
    expect(primary.command).toEqual(expect.arrayContaining(['wal_level=replica', 'max_wal_senders=10', 'hot_standby=on']));
    const replica = services['postgres-replica']!;
    expect(replica.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(replica.environment?.['PGPASSWORD']).toBe(password);
    expect(script(replica)).toMatch(new RegExp(`pg_basebackup --host=postgres --port=5432 --username=${user} .*--wal-method=stream --write-recovery-conf`));
    expect(script(replica)).toContain('standby.signal');
    expect(script(replica)).toContain('primary_conninfo');
    expect(JSON.stringify(replica.healthcheck?.test)).toContain('pg_is_in_recovery()');
  });

  it('runs Kafka as one KRaft node that advertises the host port', () => {
    const env = services['kafka']!.environment!;
    expect(env['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(env['KAFKA_CONTROLLER_QUORUM_VOTERS']).toBe(`${env['KAFKA_NODE_ID']}@localhost:9093`);
    expect(env['KAFKA_ADVERTISED_LISTENERS']).toBe(`PLAINTEXT://${COMPOSE_STACK.kafka}`);
    expect(env['KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR']).toBe(1);
  });

  it('escapes every $ for compose ($$), so no shell variable is interpolated away', () => {
    const single = text.split('\n').filter((line) => !line.trimStart().startsWith('#') && line.replace(/\$\$/g, '').includes('$'));
    expect(single).toEqual([]);
    expect(file.name).toBeUndefined(); // docker-compose 1.29 refuses a top-level name (compose-file-validates.test.ts)
    expect(text).not.toMatch(/^version:/m); // obsolete in the compose spec
  });
});
