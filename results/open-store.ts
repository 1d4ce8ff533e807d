/**
 * Opens the results store: a ClickHouse server when a URL is given, else the
 * embedded chdb store under `dataDir` (persisting across runs, so `hotbench
 * runs` finds earlier runs).
 *
 * Queries run with the store's database as the current database: write table
 * names unqualified (`FROM ops`), so tests can use their own database.
 */
import type { Store } from './store.js';
import { DATABASE } from './store.js';
import { openServerStore } from './server-store.js';
import { checkDatabaseName } from './schema.js';

/** Where the results live. */
export interface StoreLocation {
  /** ClickHouse server URL (`http://user:password@host:8123`). When absent, chdb is used. */
  readonly url?: string;
  /** The chdb data folder (created if absent); ignored with `url`. */
  readonly dataDir: string;
  /** Database name, `^[A-Za-z_][A-Za-z0-9_]{0,62}$`. Default `hotbench`. */
  readonly database?: string;
}

/**
 * Opens the store and checks that it answers. Does not create tables: call
 * `migrate()` before writing or reading. Throws a `StoreError` with one clean
 * line (which part failed, how to fix it) when the server is unreachable,
 * rejects the credentials, or the chdb folder is not writable.
 */
export async function openStore(location: StoreLocation): Promise<Store> {
  const database = checkDatabaseName(location.database ?? DATABASE);
  if (location.url !== undefined && location.url.trim() !== '') return openServerStore({ url: location.url.trim(), database });
  // Loaded only when used: libchdb maps ~180 MB of code into the process, which a run recording to a
  // server should not carry (bench:memory with --clickhouse: peak RSS 341 MB with it mapped).
  const { openChdbStore } = await import('./chdb-store.js');
  return openChdbStore({ dataDir: location.dataDir, database });
}
