/**
 * The `replica` part of the stack (read-write-split, DESIGN.md §2): a
 * PostgreSQL streaming replica of the ledger server, and the port that hands a
 * strategy its own database on it.
 *
 * - Embedded PostgreSQL (no `--pg`): a second embedded cluster is started as
 *   a hot standby of the embedded primary, lazily, when the first strategy
 *   needing it is replayed (most runs need none). The embedded binaries have
 *   no pg_basebackup, so one of the same major version is looked up in
 *   `/usr/lib/postgresql/<major>/bin` and on PATH (Debian's
 *   postgresql-client-<major>); without one the need is unavailable.
 * - External (`--pg URL`): the replica is `--pg-replica URL` / `PG_REPLICA_URL`,
 *   which must be a server in recovery; without it the need is unavailable.
 *
 * Either way each replay's fresh database is created on the primary and
 * reaches the replica through replication; `provide` waits until it is there.
 */
import { execFile, spawn } from 'node:child_process';
import { accessSync, chownSync, constants, writeFileSync, appendFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { ReplicaPort } from '../../strategies/ports.js';
import { redactUrl } from '../config/redact.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import type { PortProvider, PortProviders, PortRequest } from './needs.js';
import { describePgError } from './postgres.js';
import type { ProviderOpener } from './provider-types.js';
import { StackError } from './stack-error.js';

/** How long `provide` waits for a replay's database to appear on the replica, ms. */
const DATABASE_WAIT_MS = 30_000;
/** Longest replication lag {@link ReplicaPort.lagUs} measures before giving up (and returning it as a lower bound), µs. */
export const LAG_CAP_US = 10_000_000;

/** Opens the replica part: sets a provider, or marks `replica` unavailable with one line. Never throws. */
export const openReplica: ProviderOpener = async (providers, ctx) => {
  try {
    const provider = ctx.postgres.kind === 'embedded'
        ? await embeddedProvider(ctx.postgres.adminUrl, ctx.postgres.version, ctx.config.pgReplicaUrl, ctx.config.connections)
        : await externalProvider(ctx.config.pgReplicaUrl, ctx.config.connections);
    providers.set('replica', provider);
  } catch (err) {
    markUnavailable(providers, err);
  }
};

function markUnavailable(providers: PortProviders, err: unknown): void {
  providers.unavailable('replica', err instanceof StackError ? err.message : describePgError(err));
}

/** The replica of the embedded primary: checked now, started on first use. */
async function embeddedProvider(primaryUrl: string, version: string, replicaUrl: string | undefined, connections: number): Promise<PortProvider> {
  if (replicaUrl !== undefined) {
    throw new StackError('--pg-replica was given without --pg, but a replica must stream from the --pg server; give both, or neither to start an embedded replica');
  }
  const major = version.split('.')[0] ?? version;
  const basebackup = await findBaseBackup(major);
  let started: Promise<EmbeddedPostgres> | undefined;
  const server = (): Promise<EmbeddedPostgres> => (started ??= startStreamingReplica(primaryUrl, basebackup));
  return new ReplicaProvider(`embedded streaming replica (PostgreSQL ${version}, copied with ${basebackup})`, version, connections, async () => (await server()).url, async () => {
    if (started !== undefined) await (await started.catch(() => undefined))?.stop();
  });
}

/** `--pg-replica`: checked to be reachable and in recovery. */
async function externalProvider(replicaUrl: string | undefined, connections: number): Promise<PortProvider> {
  if (replicaUrl === undefined) throw new StackError('no --pg-replica (PG_REPLICA_URL) was given for the external --pg server');
  const client = new pg.Client({ connectionString: replicaUrl, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const res = await client.query<{ recovery: boolean; version: string }>('SELECT pg_is_in_recovery() AS recovery, current_setting($1) AS version', ['server_version']);
    const row = res.rows[0];
    if (row?.recovery !== true) throw new StackError(`--pg-replica ${redactUrl(replicaUrl)} is not a replica (pg_is_in_recovery() is false); give a streaming replica of --pg`);
    const version = row.version.split(' ')[0] ?? row.version;
    return new ReplicaProvider(`PostgreSQL ${version} replica at ${redactUrl(replicaUrl)}`, version, connections, async () => replicaUrl);
  } catch (err) {
    if (err instanceof StackError) throw err;
    throw new StackError(`--pg-replica ${redactUrl(replicaUrl)} is unreachable (${describePgError(err, replicaUrl)})`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A pg_basebackup whose major version is `major`: `/usr/lib/postgresql/<major>/bin`
 * first, then PATH. Throws a {@link StackError} naming what was found when none fits.
 */
export async function findBaseBackup(major: string): Promise<string> {
  const candidates = [join('/usr/lib/postgresql', major, 'bin', 'pg_basebackup'), ...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== '').map((d) => join(d, 'pg_basebackup'))];
  const seen: string[] = [];
  for (const path of new Set(candidates)) {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      continue;
    }
    const found = await commandVersion(path);
    if (found === major) return path;
    seen.push(`${path} is ${found === undefined ? 'of an unknown version' : `version ${found}`}`);
  }
  throw new StackError(
    `the embedded replica needs pg_basebackup ${major} (e.g. apt-get install postgresql-client-${major}), ${seen.length === 0 ? 'and none is on PATH' : `but ${seen.join(', ')}`}; or give --pg and --pg-replica`,
  );
}

function commandVersion(path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(path, ['--version'], { timeout: 10_000 }, (err, stdout) => resolve(err ? undefined : /\(PostgreSQL\)\s+(\d+)/.exec(stdout)?.[1]));
  });
}

/**
 * Copies the primary behind `primaryUrl` (the embedded superuser URL) with
 * `basebackup` and starts the copy as a hot standby streaming from it.
 * `hot_standby_feedback` keeps the primary from vacuuming rows the replica's
 * readers still see, so reads are not cancelled by recovery conflicts.
 */
export async function startStreamingReplica(primaryUrl: string, basebackup: string): Promise<EmbeddedPostgres> {
  const primary = new URL(primaryUrl);
  const password = decodeURIComponent(primary.password);
  // The embedded password is base64url; anything else could break the quoting below.
  if (!/^[A-Za-z0-9_-]+$/.test(password)) throw new StackError('the embedded primary has an unexpected password format; cannot configure its replica');
  const user = decodeURIComponent(primary.username);
  return startEmbeddedPostgres({
    settings: { hot_standby: 'on', hot_standby_feedback: 'on' },
    initData: async (data, owner) => {
      await runBaseBackup(basebackup, ['-h', primary.hostname, '-p', primary.port, '-U', user, '-D', data, '-X', 'stream', '--checkpoint=fast', '--no-sync', '-w'], password, owner);
      const signal = join(data, 'standby.signal');
      writeFileSync(signal, '');
      if (owner.uid !== undefined) chownSync(signal, owner.uid, owner.gid ?? owner.uid);
      appendFileSync(join(data, 'postgresql.auto.conf'), `primary_conninfo = 'host=${primary.hostname} port=${primary.port} user=${user} password=${password} application_name=hotbench_replica'\n`);
      return password;
    },
  });
}

function runBaseBackup(path: string, args: string[], password: string, owner: { uid?: number; gid?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    // The password goes through the environment, never the command line (visible in `ps`).
    const child = spawn(path, args, { ...owner, env: { ...process.env, PGPASSWORD: password }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (err) => reject(new StackError(`pg_basebackup could not run: ${err.message}`)));
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new StackError(`pg_basebackup of the embedded primary failed (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`));
    });
  });
}

/** The provider: per replay, the same database on the replica, once it has arrived there. */
class ReplicaProvider implements PortProvider {
  readonly #open = new Map<string, { close(): Promise<void> }>();

  /**
   * @param connections default pool size of the ports (`--connections`).
   * @param replicaUrl resolves to the replica's admin URL (starting the replica if it is embedded).
   */
  constructor(
    readonly description: string,
    readonly version: string,
    private readonly connections: number,
    private readonly replicaUrl: () => Promise<string>,
    private readonly stopServer?: () => Promise<void>,
  ) {}

  async provide(request: PortRequest): Promise<ReplicaPort> {
    const admin = await this.replicaUrl();
    const name = request.database.name;
    await waitForDatabase(admin, name);
    const opened = openReplicaPort(request.database.url, withDatabase(admin, name), this.connections);
    this.#open.set(request.namespace, opened);
    return opened.port;
  }

  async release(request: PortRequest): Promise<void> {
    const opened = this.#open.get(request.namespace);
    this.#open.delete(request.namespace);
    await opened?.close();
  }

  async stop(): Promise<void> {
    for (const opened of this.#open.values()) await opened.close();
    this.#open.clear();
    await this.stopServer?.();
  }
}

/** `url` with its database replaced by `name` (validated by the caller: created by PostgresStack). */
function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function waitForDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const deadline = Date.now() + DATABASE_WAIT_MS;
    for (;;) {
      const res = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (res.rowCount === 1) return;
      if (Date.now() > deadline) {
        throw new StackError(`database ${name}, created on the primary, did not reach the replica within ${DATABASE_WAIT_MS / 1000} s: is the replica streaming from the primary?`);
      }
      await sleep(20);
    }
  } catch (err) {
    if (err instanceof StackError) throw err;
    throw new StackError(`the replica is unreachable (${describePgError(err, adminUrl)})`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A {@link ReplicaPort} on `replicaUrl` whose lag is measured against
 * `primaryUrl` (both the same database), and `close()` ending every pool it
 * opened. `defaultMax` is the default pool size.
 */
export function openReplicaPort(primaryUrl: string, replicaUrl: string, defaultMax: number): { port: ReplicaPort; close(): Promise<void> } {
  const pools: pg.Pool[] = [];
  const newPool = (url: string, max: number, applicationName: string): pg.Pool => {
    const pool = new pg.Pool({ connectionString: url, max, application_name: applicationName });
    // Idle clients die when the replay's database is dropped; that must not crash the run.
    pool.on('error', () => undefined);
    pools.push(pool);
    return pool;
  };
  let probe: { primary: pg.Pool; replica: pg.Pool } | undefined;
  const port: ReplicaPort = {
    pool: (options = {}) => newPool(replicaUrl, options.max ?? defaultMax, options.applicationName ?? 'hotbench:replica'),
    lagUs: () => {
      probe ??= { primary: newPool(primaryUrl, 1, 'hotbench:lag-probe'), replica: newPool(replicaUrl, 1, 'hotbench:lag-probe') };
      return measureLagUs(probe.primary, probe.replica);
    },
  };
  return {
    port,
    async close() {
      const all = pools.splice(0);
      await Promise.all(all.map((p) => p.end().catch(() => undefined)));
    },
  };
}

/**
 * The lag probe behind {@link ReplicaPort.lagUs}: µs from the primary
 * reporting its WAL flush position (everything committed, hence visible,
 * there) to the replica reporting it has replayed that far (1 ms between
 * polls); 0 if the first poll already found it replayed (caught up within one
 * round trip); {@link LAG_CAP_US} at most.
 */
export async function measureLagUs(primary: pg.Pool, replica: pg.Pool): Promise<number> {
  // Connect first, so that connection set-up is never counted as lag.
  const [p, r] = await Promise.all([primary.connect(), replica.connect()]);
  try {
    const res = await p.query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn');
    const since = process.hrtime.bigint();
    const lsn = res.rows[0]?.lsn;
    for (let first = true; ; first = false) {
      const poll = await r.query<{ done: boolean | null }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [lsn]);
      const elapsedUs = Number((process.hrtime.bigint() - since) / 1000n);
      if (poll.rows[0]?.done === true) return first ? 0 : elapsedUs;
      if (elapsedUs >= LAG_CAP_US) return LAG_CAP_US;
      await sleep(1);
    }
  } finally {
    p.release();
    r.release();
  }
}
