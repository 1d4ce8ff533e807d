/**
 * A fresh PostgreSQL database per test file, on the server behind `PG_URL`
 * (default `postgres://postgres@127.0.0.1:5432/test`), dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server every test database is created on. */
export const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh database: its URL, a small pool on it, and `drop()` which ends the pool and drops it. */
export interface FreshDatabase {
  readonly name: string;
  readonly url: string;
  /** A pool on the database, `max` 4 by default. Ended by `drop()`. */
  readonly pool: pg.Pool;
  /** Ends every pool opened through `newPool` and `pool`, then drops the database (FORCE). Idempotent. */
  drop(): Promise<void>;
  /** Opens another pool on the database, ended by `drop()`. */
  newPool(options?: { max?: number; applicationName?: string }): pg.Pool;
}

/** Creates `hbt_<random>` on {@link PG_URL}. */
export async function freshDatabase(options: { poolMax?: number } = {}): Promise<FreshDatabase> {
  const name = `hbt_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const pools: pg.Pool[] = [];
  const newPool = (o: { max?: number; applicationName?: string } = {}): pg.Pool => {
    const p = new pg.Pool({ connectionString: url.toString(), max: o.max ?? 4, application_name: o.applicationName ?? 'hotbench-test' });
    // An idle client's error (e.g. the database being dropped) must not crash the test process.
    p.on('error', () => {});
    pools.push(p);
    return p;
  };
  const pool = newPool({ max: options.poolMax ?? 4 });
  let dropped = false;
  return {
    name,
    url: url.toString(),
    pool,
    newPool,
    async drop() {
      if (dropped) return;
      dropped = true;
      await Promise.all(pools.map((p) => p.end().catch(() => {})));
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
