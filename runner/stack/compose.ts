/**
 * `--stack compose` (or `HOTBENCH_STACK=compose`): every part of the stack at
 * the host ports that `docker-compose.yml` publishes. A preset only fills the
 * parts nobody named: a part given by its own flag or environment variable
 * (`--pg`, `PG_URL`, ...) keeps that value (see runner/config/run-config.ts).
 *
 * The ports avoid the usual local services (5432, 6379, 9092, 8123), so the
 * compose stack runs beside them. docker-compose.yml and this file must agree;
 * test/compose-file-matches-stack.test.ts checks that they do.
 */
import { UserError } from '../errors.js';

/** The parts a stack preset can point at, by run option. */
export interface StackPreset {
  /** PostgreSQL primary (superuser: hotbench creates a database per replay). */
  readonly pg: string;
  /** Its streaming replica (read-write-split). */
  readonly pgReplica: string;
  readonly redis: string;
  /** Kafka brokers, `host:port`. */
  readonly kafka: string;
  /** ClickHouse HTTP interface. */
  readonly clickhouse: string;
}

/** Host ports docker-compose.yml publishes, by compose service name. */
export const COMPOSE_PORTS = {
  postgres: 55432,
  'postgres-replica': 55433,
  redis: 56379,
  kafka: 59092,
  clickhouse: 58123,
} as const;

/**
 * Credentials docker-compose.yml sets. They guard a throw-away local stack
 * bound to 127.0.0.1 only; they are still masked wherever a URL is printed.
 */
export const COMPOSE_CREDENTIALS = {
  postgres: { user: 'postgres', password: 'hotbench', database: 'postgres' },
  replication: { user: 'replicator', password: 'replicator' },
  clickhouse: { user: 'hotbench', password: 'hotbench' },
} as const;

const pgUser = `${COMPOSE_CREDENTIALS.postgres.user}:${COMPOSE_CREDENTIALS.postgres.password}`;

/** The docker-compose.yml stack. */
export const COMPOSE_STACK: StackPreset = {
  pg: `postgres://${pgUser}@127.0.0.1:${COMPOSE_PORTS.postgres}/${COMPOSE_CREDENTIALS.postgres.database}`,
  pgReplica: `postgres://${pgUser}@127.0.0.1:${COMPOSE_PORTS['postgres-replica']}/${COMPOSE_CREDENTIALS.postgres.database}`,
  redis: `redis://127.0.0.1:${COMPOSE_PORTS.redis}`,
  kafka: `127.0.0.1:${COMPOSE_PORTS.kafka}`,
  clickhouse: `http://${COMPOSE_CREDENTIALS.clickhouse.user}:${COMPOSE_CREDENTIALS.clickhouse.password}@127.0.0.1:${COMPOSE_PORTS.clickhouse}`,
};

/** Stack presets by `--stack` name. */
export const STACKS: Readonly<Record<string, StackPreset>> = { compose: COMPOSE_STACK };

/** The preset named by a `--stack` / `HOTBENCH_STACK` value; undefined when none is given. */
export function stackPreset(value: unknown, where: string): { readonly name: string; readonly preset: StackPreset } | undefined {
  if (value === undefined) return undefined;
  const name = String(value).trim();
  const preset = STACKS[name];
  if (preset === undefined) throw new UserError(`${where}: ${JSON.stringify(name)} is not a known stack; use ${Object.keys(STACKS).join(', ')} (the services of docker-compose.yml), or omit it.`);
  return { name, preset };
}
