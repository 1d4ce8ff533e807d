/**
 * A `redis-server` from PATH that hotbench starts when no Redis is reachable:
 * a free port on 127.0.0.1, no persistence (`--save "" --appendonly no`), a
 * temporary directory, its own process group (a terminal's Ctrl-C reaches
 * only us), and a watchdog so that even a SIGKILL of this process leaves no
 * orphan. `restart()` kills it outright (SIGKILL: a crash, all data gone) and
 * starts it again on the same port, for `--fault redis:restart`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { onTeardown } from './lifecycle.js';
import { StackError } from './stack-error.js';
import { startWatchdog } from './watchdog.js';

/** A running server that hotbench started. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** PID of the current process (changes on restart). */
  readonly pid: number;
  /** Kills the server (SIGKILL) and starts a new one on the same port; resolves when it answers PING. */
  restart(): Promise<{ readonly oldPid: number; readonly newPid: number }>;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/** Options for {@link startRedisServer}. */
export interface RedisServerOptions {
  /** The executable. Default `redis-server` (from PATH). */
  readonly binary?: string;
  /** Milliseconds to wait for PING to answer. Default 10,000. */
  readonly startTimeoutMs?: number;
}

/** Starts a server; throws a one-line {@link StackError} when it cannot (not on PATH, did not answer). */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? 'redis-server';
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'hotbench-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess;
  try {
    child = await launch(binary, port, dir, timeoutMs);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      unregister();
      await terminate(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  const unregister = onTeardown(stop);
  return {
    url,
    port,
    get pid() {
      return child.pid ?? -1;
    },
    async restart() {
      if (stopping) throw new StackError('redis-server was stopped; it cannot be restarted');
      const oldPid = child.pid ?? -1;
      await terminate(child, 'SIGKILL');
      child = await launch(binary, port, dir, timeoutMs);
      return { oldPid, newPid: child.pid ?? -1 };
    },
    stop,
  };
}

async function launch(binary: string, port: number, dir: string, timeoutMs: number): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
  const logFile = join(dir, 'redis.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(new StackError(err.code === 'ENOENT' ? `${binary} is not on PATH` : `${binary} could not start: ${err.message}`)),
    ),
  );
  spawnError.catch(() => undefined);
  if (child.pid !== undefined) startWatchdog({ pid: child.pid, signal: 'TERM', removeDir: dir });
  await Promise.race([spawnError, waitForPing(port, child, logFile, timeoutMs)]).catch(async (err: unknown) => {
    await terminate(child, 'SIGKILL');
    throw err;
  });
  return child;
}

async function waitForPing(port: number, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new StackError(`redis-server exited during start-up (see ${logFile})`);
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch {
      client.disconnect();
      if (Date.now() > deadline) throw new StackError(`redis-server did not answer PING within ${timeoutMs} ms (see ${logFile})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function terminate(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(killer);
}
