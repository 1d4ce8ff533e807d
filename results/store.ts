/**
 * The results store port: ClickHouse, either embedded (chdb) or a server
 * (`@clickhouse/client`). The recorder writes through it; the reports query
 * through it. Implementations: `./chdb-store.ts`, `./server-store.ts`;
 * `./open-store.ts` picks one.
 *
 * SQL must stay portable to ClickHouse 18.16 (Debian's server): no
 * DateTime64, LowCardinality, toStartOfInterval, window functions or
 * server-side query parameters. Values are bound client-side by `./bind.ts`
 * with the same `{name:Type}` placeholder syntax ClickHouse uses.
 */
import type { RowOf, TableName } from './rows.js';
import type { EncodedBody, RowFormat } from './encode.js';

/** A value bindable to a `{name:Type}` placeholder. */
export type SqlValue = string | number | boolean | readonly (string | number)[];

/** The results store. */
export interface Store {
  /** `chdb` (embedded) or `server`. */
  readonly kind: 'chdb' | 'server';
  /** Where the data lives, safe to print (passwords masked), e.g. `chdb at .hotbench/clickhouse`. */
  readonly description: string;
  /** The ClickHouse engine version, e.g. `26.7.2.1` or `18.16.1`. */
  version(): Promise<string>;
  /** Creates the database and tables if absent (idempotent). */
  migrate(): Promise<void>;
  /** Appends rows to a table. Resolves when ClickHouse acknowledged them. */
  insert<T extends TableName>(table: T, rows: readonly RowOf[T][]): Promise<void>;
  /**
   * Appends rows already encoded (`encodeTsvRow` / `encodeRow` lines, each
   * newline-terminated) to a table; the recorder inserts the bytes it wrote
   * at push time and replays its spool this way. Resolves when ClickHouse
   * acknowledged them. A Buffer body is only lent for the call: the recorder
   * reuses its bytes once the returned promise settles, so an implementation
   * that keeps it longer must copy it.
   */
  insertEncoded(table: TableName, body: EncodedBody, format: RowFormat): Promise<void>;
  /**
   * Runs a SELECT and returns its rows as objects. Placeholders `{name:Type}`
   * (Type: String, UInt64, Int64, Float64, UInt8...) are bound from `params`.
   * Numeric columns come back as JS numbers on both implementations.
   */
  query<T = Record<string, unknown>>(sql: string, params?: Readonly<Record<string, SqlValue>>): Promise<T[]>;
  /** Releases the connection. Idempotent. */
  close(): Promise<void>;
}

/** The database every hotbench table lives in (both implementations). */
export const DATABASE = 'hotbench';
