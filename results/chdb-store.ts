/**
 * The results store on embedded ClickHouse (`chdb`): data under a local
 * folder that persists across runs.
 *
 * chdb holds ONE data directory per process, so sessions are shared: every
 * store opened on the same folder reuses one session (closed with the last
 * store), and opening a second folder is refused with a clear error. All
 * statements on a session run one at a time, each with its store's database
 * as the current database (`USE`), so stores of different databases can
 * share the folder.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Session } from 'chdb';
import type { RowOf, TableName } from './rows.js';
import type { SqlValue } from './store.js';
import type { StreamFormat, StreamingStore } from './stream.js';
import { bindParams } from './bind.js';
import { encodeRows, type EncodedBody, type RowFormat } from './encode.js';
import { StoreError, firstLine } from './errors.js';
import { coerceRows, stripTrailingSemicolon, type JsonAnswer } from './result.js';
import { addedColumnsSql, checkDatabaseName, columnNamesOf, migrationSql, presentColumnsSql } from './schema.js';
import { CHDB_CONNECTION_ARGS, loadChdb } from './chdb-load.js';

/**
 * How often, at most, the session hands memory that ClickHouse freed back to
 * the OS, ms. chdb allocates through jemalloc, which keeps freed pages for
 * reuse: 5 s as chdb ships, ~1 s as `./chdb-load.ts` sets it. The purge
 * bounds what a burst of queries leaves behind between those (seen once, by
 * hand, with the 5 s: after a report over 12 M ops, 428 MB RSS, 300 MB after
 * a purge). A purge costs 0.5–6 ms on chdb's thread, not on the event loop's.
 */
const PURGE_INTERVAL_MS = 5_000;

/** One chdb session and the stores using it. */
class SharedSession {
  refs = 0;
  #current = '';
  #tail: Promise<unknown> = Promise.resolve();
  #lastPurge = 0;
  #purges = true;

  constructor(
    readonly path: string,
    readonly session: Session,
  ) {}

  /** Runs `fn` after every earlier statement, with `database` current (when given). */
  run<T>(database: string | undefined, fn: (session: Session) => Promise<T>): Promise<T> {
    const next = this.#tail.then(async () => {
      if (database !== undefined && database !== this.#current) {
        await this.session.queryAsync(`USE ${database}`);
        this.#current = database;
      }
      return fn(this.session);
    });
    // The purge (when due) runs before the next statement, not before this one's caller gets its answer.
    this.#tail = next.catch(() => undefined).then(() => this.#purgeNow());
    return next;
  }

  /** Returns jemalloc's retained pages to the OS when the last purge is {@link PURGE_INTERVAL_MS} old. */
  async #purgeNow(): Promise<void> {
    const now = performance.now();
    if (!this.#purges || now - this.#lastPurge < PURGE_INTERVAL_MS) return;
    this.#lastPurge = now;
    // A chdb built without jemalloc refuses the statement: then memory is the system allocator's business.
    await this.session.queryAsync('SYSTEM JEMALLOC PURGE').catch(() => (this.#purges = false));
  }
}

let shared: SharedSession | undefined;

async function ensureWritable(dir: string, shown: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const probe = join(dir, `.hotbench-write-probe-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? firstLine(err);
    throw new StoreError(`chdb data directory ${shown} is not writable (${code}). Choose a writable folder with --data-dir (or HOTBENCH_HOME), or pass --clickhouse URL to record into a ClickHouse server.`);
  }
}

function acquire(path: string, shown: string, open: (path: string) => Session): SharedSession {
  if (shared && shared.path !== path) {
    throw new StoreError(`chdb can hold one data directory per process: ${shared.path} is open, so ${shown} cannot be. Close the other store first, or use the same --data-dir.`);
  }
  if (!shared) {
    try {
      shared = new SharedSession(path, open(path));
    } catch (err) {
      throw new StoreError(`chdb could not open its data directory ${shown} (${firstLine(err)}). Check that no other hotbench process uses it, or choose another --data-dir.`);
    }
  }
  shared.refs += 1;
  return shared;
}

/** Options of {@link openChdbStore}. */
export interface ChdbStoreOptions {
  /** Data folder, created if absent. */
  readonly dataDir: string;
  /** Database name, validated; default `hotbench`. */
  readonly database: string;
}

/**
 * One thread per insert: the driver shares the machine's cores with chdb, and
 * parallel parsing of a batch only adds threads that take time slices from it.
 */
const INSERT_SETTINGS = { input_format_skip_unknown_fields: 1, input_format_parallel_parsing: 0, max_threads: 1, max_insert_threads: 1 } as const;

/** The embedded store. Create it with {@link openChdbStore}. */
export class ChdbStore implements StreamingStore {
  readonly kind = 'chdb' as const;
  readonly description: string;
  #closed = false;

  constructor(
    private readonly shared: SharedSession,
    private readonly database: string,
    dataDir: string,
  ) {
    this.description = `chdb at ${dataDir}${database === 'hotbench' ? '' : ` (database ${database})`}`;
  }

  async version(): Promise<string> {
    const rows = await this.#select<{ v: string }>('SELECT version() AS v', undefined);
    return rows[0]?.v ?? '';
  }

  async migrate(): Promise<void> {
    for (const statement of migrationSql(this.database)) await this.#exec(undefined, (s) => s.queryAsync(statement));
    const present = await this.#select<{ table: string; name: string }>(presentColumnsSql(this.database), undefined);
    for (const statement of addedColumnsSql(this.database, new Set(present.map((c) => `${c.table}.${c.name}`)))) await this.#exec(undefined, (s) => s.queryAsync(statement));
  }

  async insert<T extends TableName>(table: T, rows: readonly RowOf[T][]): Promise<void> {
    if (rows.length > 0) await this.insertEncoded(table, encodeRows(table, rows), 'JSONEachRow');
  }

  async insertEncoded(table: TableName, body: EncodedBody, format: RowFormat): Promise<void> {
    if (body.length === 0) return;
    const values = typeof body === 'string' ? Buffer.from(body) : body;
    const columns = format === 'TabSeparated' ? { columns: columnNamesOf(table) } : {};
    await this.#exec(undefined, (s) => s.insert({ table: `${this.database}.${table}`, values, format, ...columns, settings: INSERT_SETTINGS }));
  }

  async query<T = Record<string, unknown>>(sql: string, params?: Readonly<Record<string, SqlValue>>): Promise<T[]> {
    return this.#select<T>(bindParams(sql, params), this.database);
  }

  /**
   * Streams a SELECT's answer. The session runs one statement at a time (and
   * chdb one stream per session), so the stream holds the session's turn
   * until it ends or the consumer stops reading.
   */
  async *queryStream(sql: string, params: Readonly<Record<string, SqlValue>> | undefined, format: StreamFormat): AsyncIterable<Uint8Array> {
    if (this.#closed) throw new StoreError(`${this.description} is closed.`);
    const text = stripTrailingSemicolon(bindParams(sql, params));
    let release = (): void => undefined;
    const held = new Promise<void>((r) => (release = r));
    const turn = new Promise<Session>((resolve, reject) => {
      this.shared.run(this.database, async (session) => {
        resolve(session);
        await held;
      }).catch(reject);
    });
    try {
      const session = await turn;
      for await (const chunk of session.queryStream(text, { format })) yield chunk.raw();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`ClickHouse (${this.description}) failed: ${firstLine(err)}`, { cause: err });
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Wait for statements already queued before the session can go.
    await this.shared.run(undefined, async () => undefined).catch(() => undefined);
    this.shared.refs -= 1;
    if (this.shared.refs === 0 && shared === this.shared) {
      shared = undefined;
      this.shared.session.close();
    }
  }

  async #select<T>(sql: string, database: string | undefined): Promise<T[]> {
    const result = await this.#exec(database, (s) => s.queryAsync(stripTrailingSemicolon(sql), { format: 'JSON' }));
    const text = result.text();
    return text.trim() === '' ? [] : coerceRows<T>(JSON.parse(text) as JsonAnswer);
  }

  async #exec<T>(database: string | undefined, fn: (session: Session) => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreError(`${this.description} is closed.`);
    try {
      return await this.shared.run(database, fn);
    } catch (err) {
      throw new StoreError(`ClickHouse (${this.description}) failed: ${firstLine(err)}`, { cause: err });
    }
  }
}

/**
 * Opens (creating if needed) the chdb store at `dataDir`. Throws a
 * {@link StoreError} when the folder is not writable, when another folder is
 * already open in this process, or when chdb cannot open it.
 */
export async function openChdbStore(options: ChdbStoreOptions): Promise<ChdbStore> {
  const database = checkDatabaseName(options.database);
  const path = resolve(options.dataDir);
  const { Session } = await loadChdb();
  const open = (at: string): Session => new Session(at, { connectionArgs: CHDB_CONNECTION_ARGS });
  if (shared && shared.path !== path) acquire(path, options.dataDir, open); // throws: another folder is open
  if (!shared) await ensureWritable(path, options.dataDir);
  return new ChdbStore(acquire(path, options.dataDir, open), database, options.dataDir);
}
