/**
 * The PostgreSQL part of the stack: embedded by default, or an external
 * server (`--pg URL` / `PG_URL`). Either way every strategy replay gets a
 * fresh database, so replays never see each other's rows.
 */
import pg from 'pg';
import { redactUrl, redactText } from '../config/redact.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { StackError } from './stack-error.js';

/** A database created for one strategy replay. */
export interface StrategyDatabase {
  readonly name: string;
  /** Connection URL (contains the password: never print it; use {@link redactUrl}). */
  readonly url: string;
  /** Drops the database (terminating leftover sessions). Idempotent. */
  drop(): Promise<void>;
  /**
   * Keeps the database: {@link PostgresStack.stop} will not drop it (`--keep-databases`).
   * Absent where hotbench does not own the database (a serve child's, a test's).
   */
  keep?(): void;
}

/** A PostgreSQL server hotbench can create databases on. */
export interface PostgresStack {
  readonly kind: 'embedded' | 'external';
  /** Safe to print: `embedded PostgreSQL 15.18 on 127.0.0.1:40123` or the redacted URL. */
  readonly description: string;
  /** `server_version`, e.g. `15.18`. */
  readonly version: string;
  /** Admin URL (the server's maintenance database). Contains the password. */
  readonly adminUrl: string;
  /** Creates a fresh, empty database named `name` (validated: `^[a-z_][a-z0-9_]{0,62}$`). */
  createDatabase(name: string): Promise<StrategyDatabase>;
  /**
   * Embedded only (absent for an external server, which hotbench never
   * restarts): crash-restarts the server on the same port and data (see
   * `EmbeddedPostgres.restart`), for `--fault postgres:restart`.
   */
  restart?(): Promise<{ readonly oldPid: number; readonly newPid: number }>;
  /**
   * Embedded only: the postmaster's process id now (a restart changes it), so
   * `--isolate` and bench:fidelity can give the server its own CPUs. Absent
   * for an external server, which hotbench does not own.
   */
  serverPid?(): number;
  /** Stops the embedded server (no-op for an external one). Idempotent. */
  stop(): Promise<void>;
}

const DB_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Options for {@link openPostgres}. */
export interface OpenPostgresOptions {
  /** External server URL; absent ⇒ embedded. */
  readonly url?: string;
  /** Extra settings for an embedded server (ignored for an external one). */
  readonly settings?: Readonly<Record<string, string>>;
}

/** Starts the embedded server or checks the external one; throws a one-line {@link StackError} when it cannot. */
export async function openPostgres(options: OpenPostgresOptions = {}): Promise<PostgresStack> {
  if (options.url === undefined || options.url === '') {
    const server = await startEmbeddedPostgres(options.settings ? { settings: options.settings } : {});
    try {
      const version = await serverVersion(server.url, 'embedded PostgreSQL');
      return makeStack('embedded', `embedded PostgreSQL ${version} on 127.0.0.1:${server.port}`, version, server.url, server);
    } catch (err) {
      await server.stop();
      throw err;
    }
  }
  const url = validateUrl(options.url);
  const version = await serverVersion(url, `PostgreSQL at ${redactUrl(url)}`);
  return makeStack('external', `PostgreSQL ${version} at ${redactUrl(url)}`, version, url, undefined);
}

function validateUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new StackError(`--pg / PG_URL is not a URL: give postgres://user[:password]@host:5432/database.`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new StackError(`--pg / PG_URL must start with postgres:// (got ${url.protocol}//...).`);
  }
  return text;
}

/** Reads `server_version`, turning connection failures into one clear line. */
async function serverVersion(url: string, what: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return (result.rows[0]?.server_version ?? 'unknown').split(' ')[0] ?? 'unknown';
  } catch (err) {
    throw new StackError(`${what} is unreachable (${describePgError(err, url)}). Start it, fix the URL, or omit --pg to use the embedded server.`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A short, password-free description of a node-postgres error. */
export function describePgError(err: unknown, url?: string): string {
  const e = err as { code?: string; message?: string };
  const secrets = url ? [safePassword(url)] : [];
  const text = redactText(e.message ?? String(err), secrets).split('\n')[0] ?? '';
  return e.code && !text.includes(e.code) ? `${e.code}: ${text}` : text;
}

function safePassword(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

function makeStack(kind: PostgresStack['kind'], description: string, version: string, adminUrl: string, server: EmbeddedPostgres | undefined): PostgresStack {
  const admin = new pg.Pool({ connectionString: adminUrl, max: 2 });
  admin.on('error', () => undefined);
  const created = new Set<string>();

  const drop = async (name: string): Promise<void> => {
    if (!created.delete(name)) return;
    // WITH (FORCE) terminates sessions a stopped strategy may have leaked (PostgreSQL 13+).
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  };

  return {
    kind,
    description,
    version,
    adminUrl,
    ...(server ? { restart: () => server.restart(), serverPid: () => server.pid } : {}),
    async createDatabase(name: string): Promise<StrategyDatabase> {
      if (!DB_NAME.test(name)) throw new StackError(`invalid database name ${JSON.stringify(name)}: use [a-z_][a-z0-9_]*, at most 63 characters.`);
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
      } catch (err) {
        throw new StackError(`cannot create database ${name} on ${description} (${describePgError(err, adminUrl)}). The --pg user needs CREATEDB.`);
      }
      created.add(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return { name, url: url.toString(), drop: () => drop(name), keep: () => void created.delete(name) };
    },
    async stop(): Promise<void> {
      // Only databases still owned here: a kept one (`keep()`) was taken out of `created`.
      for (const name of [...created]) await drop(name);
      await admin.end().catch(() => undefined);
      await server?.stop();
    },
  };
}
