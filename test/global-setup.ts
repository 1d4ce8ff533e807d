/**
 * Before any test file: the servers the tests talk to must answer. Tests use
 * real PostgreSQL, Redis and a ClickHouse server (never mocks), so a missing
 * one is reported once, in one line each, with how to provide it, instead of
 * as dozens of failures. Installing and starting them is
 * scripts/test-services.sh's job (`npm test` runs it first); this only checks,
 * for a `npx vitest run` started on its own.
 */
import { createConnection } from 'node:net';

const PG_URL = process.env['PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';

function reachable(host: string, port: number, timeoutMs = 1_500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function endpoint(url: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || defaultPort) };
}

async function clickhousePing(url: string): Promise<boolean> {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.pathname = '/ping';
    const res = await fetch(u, { signal: AbortSignal.timeout(1_500) });
    return res.ok;
  } catch {
    return false;
  }
}

/** vitest global setup: checks that the servers the suite needs are reachable. */
export default async function setup(): Promise<void> {
  const missing: string[] = [];
  const pg = endpoint(PG_URL, 5432);
  if (!(await reachable(pg.host, pg.port))) missing.push(`PostgreSQL at ${pg.host}:${pg.port} is unreachable: run scripts/test-services.sh (npm test does) or set PG_URL.`);
  const redis = endpoint(REDIS_URL, 6379);
  if (!(await reachable(redis.host, redis.port))) missing.push(`Redis at ${redis.host}:${redis.port} is unreachable: run scripts/test-services.sh (npm test does) or set REDIS_URL.`);
  if (!(await clickhousePing(CLICKHOUSE_URL))) {
    missing.push(`ClickHouse server at ${new URL(CLICKHOUSE_URL).host} is unreachable: run scripts/test-services.sh (npm test does) or set CLICKHOUSE_URL.`);
  }
  if (missing.length > 0) throw new Error(`the tests need real servers:\n${missing.join('\n')}`);
}
