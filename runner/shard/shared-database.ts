/**
 * The one ledger database the load shards of a run share: whichever shard
 * comes first creates it, the others find it. Unlike a single-process
 * replay's database it is never dropped by a shard (the others may still be
 * writing): `hotbench finalize` audits it and then drops it.
 */
import pg from 'pg';
import { describePgError, type StrategyDatabase } from '../stack/postgres.js';
import { StackError } from '../stack/stack-error.js';

const DB_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The URL of database `name` on the server of `adminUrl` (which may hold a password: never print it). */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates `name` unless it exists (serialized by an advisory lock: CREATE DATABASE cannot run in a transaction). */
export async function openSharedDatabase(adminUrl: string, name: string): Promise<StrategyDatabase> {
  if (!DB_NAME.test(name)) throw new StackError(`invalid database name ${JSON.stringify(name)}: use [a-z_][a-z0-9_]*, at most 63 characters.`);
  const admin = new pg.Client({ connectionString: adminUrl, application_name: 'hotbench:shard' });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
    await admin.query("SELECT pg_advisory_lock(hashtext('hotbench_shared_database'))");
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
    await admin.query("SELECT pg_advisory_unlock(hashtext('hotbench_shared_database'))");
  } catch (err) {
    throw new StackError(`cannot create the shared database ${name} (${describePgError(err, adminUrl)}). The --pg user needs CREATEDB.`);
  } finally {
    await admin.end().catch(() => undefined);
  }
  return { name, url: databaseUrl(adminUrl, name), drop: () => dropSharedDatabase(adminUrl, name) };
}

/** Drops the shared database (finalize, once the audit has read it). Idempotent. */
export async function dropSharedDatabase(adminUrl: string, name: string): Promise<void> {
  if (!DB_NAME.test(name)) return;
  const admin = new pg.Client({ connectionString: adminUrl, application_name: 'hotbench:finalize' });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end().catch(() => undefined);
  }
}
