/**
 * The results store on a ClickHouse server, through `@clickhouse/client`
 * over HTTP. Works down to Debian's ClickHouse 18.16: values are bound
 * client-side (`./bind.ts`), inserts send pre-encoded `JSONEachRow`, and
 * 64-bit integers are coerced back to numbers from the answer's column types.
 */
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { RowOf, TableName } from './rows.js';
import type { SqlValue } from './store.js';
import type { StreamFormat, StreamingStore } from './stream.js';
import { bindParams } from './bind.js';
import { encodeRows, type EncodedBody, type RowFormat } from './encode.js';
import { StoreError, firstLine, maskUrl } from './errors.js';
import { coerceRows, stripTrailingSemicolon, type JsonAnswer } from './result.js';
import { addedColumnsSql, checkDatabaseName, columnNamesOf, migrationSql, presentColumnsSql } from './schema.js';

/** Options of {@link openServerStore}. */
export interface ServerStoreOptions {
  /** `http(s)://[user[:password]@]host:port`; the password never appears in messages. */
  readonly url: string;
  /** Database name, validated; default `hotbench`. */
  readonly database: string;
  /** Per-request timeout, ms. Default 30 000. */
  readonly requestTimeoutMs?: number;
  /**
   * Check at open that the server answers (and fail with one line if not).
   * Default true; false opens without a round trip (for a server that may
   * come up later: the recorder spools until it does).
   */
  readonly verify?: boolean;
}

const UNREACHABLE = ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED'];

interface Endpoint {
  readonly origin: string;
  readonly username: string;
  readonly password: string;
  /** The URL as given, password masked. */
  readonly shown: string;
}

function parseUrl(url: string): Endpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreError(`ClickHouse URL ${JSON.stringify(maskUrl(url))} is not a valid URL: expected http://user:password@host:8123.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new StoreError(`ClickHouse URL ${maskUrl(url)} must start with http:// or https:// (the HTTP interface, usually port 8123).`);
  }
  return {
    origin: parsed.origin,
    username: decodeURIComponent(parsed.username) || 'default',
    password: decodeURIComponent(parsed.password),
    shown: maskUrl(url),
  };
}

/** The store on a server. Create it with {@link openServerStore}. */
export class ServerStore implements StreamingStore {
  readonly kind = 'server' as const;
  readonly description: string;
  /** Queries and inserts run with the store's database as the current one. */
  readonly #client: ClickHouseClient;
  /** For what must work before the database exists: version, CREATE DATABASE. */
  readonly #admin: ClickHouseClient;
  #closed = false;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly database: string,
    requestTimeoutMs: number,
  ) {
    this.description = `ClickHouse server at ${endpoint.shown}${database === 'hotbench' ? '' : ` (database ${database})`}`;
    const common = {
      url: endpoint.origin,
      username: endpoint.username,
      password: endpoint.password,
      request_timeout: requestTimeoutMs,
      log: { level: ClickHouseLogLevel.OFF },
      // max_execution_time: the server keeps running a query whose client gave up (request_timeout);
      // bound it there too (18.16 spins forever on e.g. numbers(0)), a little past the client's wait.
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 as const, max_execution_time: Math.ceil(requestTimeoutMs / 1000) + 30 },
    };
    this.#client = createClient({ ...common, database });
    this.#admin = createClient(common);
  }

  async version(): Promise<string> {
    const rows = await this.#select<{ v: string }>(this.#admin, 'SELECT version() AS v');
    return rows[0]?.v ?? '';
  }

  async migrate(): Promise<void> {
    for (const statement of migrationSql(this.database)) {
      await this.#call(() => this.#admin.command({ query: statement }));
    }
    const present = await this.#select<{ table: string; name: string }>(this.#admin, presentColumnsSql(this.database));
    for (const statement of addedColumnsSql(this.database, new Set(present.map((c) => `${c.table}.${c.name}`)))) {
      await this.#call(() => this.#admin.command({ query: statement }));
    }
  }

  async insert<T extends TableName>(table: T, rows: readonly RowOf[T][]): Promise<void> {
    if (rows.length > 0) await this.insertEncoded(table, encodeRows(table, rows), 'JSONEachRow');
  }

  async insertEncoded(table: TableName, body: EncodedBody, format: RowFormat): Promise<void> {
    if (body.length === 0) return;
    const columns = format === 'TabSeparated' ? ` (${columnNamesOf(table).join(', ')})` : '';
    await this.#call(async () => {
      const result = await this.#client.exec({
        query: `INSERT INTO ${this.database}.${table}${columns} FORMAT ${format}`,
        values: Readable.from([typeof body === 'string' ? Buffer.from(body) : body]),
        clickhouse_settings: { input_format_skip_unknown_fields: 1 },
      });
      // Drain the (empty) answer so the socket returns to the pool.
      for await (const _ of result.stream) void _;
    });
  }

  async query<T = Record<string, unknown>>(sql: string, params?: Readonly<Record<string, SqlValue>>): Promise<T[]> {
    return this.#select<T>(this.#client, bindParams(sql, params));
  }

  /** Streams a SELECT's answer: the HTTP response body, read as the consumer asks (`exec`, so 18.16 formats it itself). */
  async *queryStream(sql: string, params: Readonly<Record<string, SqlValue>> | undefined, format: StreamFormat): AsyncIterable<Uint8Array> {
    const query = `${stripTrailingSemicolon(bindParams(sql, params))}\nFORMAT ${format}`;
    const result = await this.#call(() => this.#client.exec({ query }));
    try {
      for await (const chunk of result.stream as AsyncIterable<Buffer>) yield chunk;
    } catch (err) {
      throw this.#explain(err);
    } finally {
      result.stream.destroy();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#client.close(), this.#admin.close()]);
  }

  async #select<T>(client: ClickHouseClient, sql: string): Promise<T[]> {
    return this.#call(async () => {
      const result = await client.query({ query: stripTrailingSemicolon(sql), format: 'JSON' });
      return coerceRows<T>((await result.json()) as JsonAnswer);
    });
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreError(`${this.description} is closed.`);
    try {
      return await fn();
    } catch (err) {
      throw this.#explain(err);
    }
  }

  /** One line saying what went wrong and how to fix it; the password never appears. */
  #explain(err: unknown): StoreError {
    const { shown, username, password } = this.endpoint;
    const secrets = password ? [password] : [];
    const code = (err as { code?: unknown }).code;
    const line = firstLine(err, secrets);
    if ((typeof code === 'string' && UNREACHABLE.includes(code)) || /^Timeout error|socket hang up/i.test(line)) {
      const why = typeof code === 'string' && UNREACHABLE.includes(code) ? code : line;
      return new StoreError(`ClickHouse server at ${shown} is unreachable (${why}). Start it, or omit --clickhouse to use the embedded chdb store.`, { cause: err });
    }
    if (/Wrong password|Authentication failed|Unknown user|password is incorrect|AUTHENTICATION_FAILED|REQUIRED_PASSWORD/i.test(line)) {
      return new StoreError(`ClickHouse server at ${shown} rejected user ${JSON.stringify(username)} (wrong user or password). Fix the credentials in the --clickhouse URL (http://user:password@host:8123).`, { cause: err });
    }
    if (/Database \S+ doesn't exist|UNKNOWN_DATABASE/i.test(line)) {
      return new StoreError(`ClickHouse server at ${shown} has no database ${this.database} yet: run the store's migrate() (any \`hotbench run\` does) first.`, { cause: err });
    }
    return new StoreError(`ClickHouse query failed on ${shown}: ${line}`, { cause: err });
  }
}

/**
 * Connects to the server at `url` and checks it answers (`SELECT version()`).
 * Throws a {@link StoreError} of one line when the URL is malformed, the
 * server is unreachable, or it rejects the credentials.
 */
export async function openServerStore(options: ServerStoreOptions): Promise<ServerStore> {
  const database = checkDatabaseName(options.database);
  const store = new ServerStore(parseUrl(options.url), database, options.requestTimeoutMs ?? 30_000);
  if (options.verify === false) return store;
  try {
    await store.version();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
