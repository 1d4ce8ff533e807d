/**
 * A tiny shell process that outlives us by at most a second: when this Node
 * process disappears (even by SIGKILL, when no handler can run), it stops the
 * server we started and removes its temporary directory. This is how a killed
 * run leaves no orphan `postgres` or `redis-server`.
 */
import { spawn } from 'node:child_process';

/** Options for {@link startWatchdog}. */
export interface WatchdogOptions {
  /** PID of the server to stop when we die. */
  readonly pid: number;
  /** Signal for a graceful stop first (default `INT`, PostgreSQL's fast shutdown). */
  readonly signal?: 'INT' | 'TERM';
  /** Directory to remove after the server stopped (optional). */
  readonly removeDir?: string;
}

/** Starts the watchdog; it exits by itself once the server is gone. */
export function startWatchdog(options: WatchdogOptions): void {
  const { pid } = options;
  const parent = process.pid;
  if (!Number.isInteger(pid) || pid <= 1) return;
  const dir = options.removeDir;
  if (dir !== undefined && !/^\/[A-Za-z0-9._/-]+$/.test(dir)) {
    throw new Error(`refusing to watch an unusual directory path: ${dir}`);
  }
  const removal = dir ? `rm -rf '${dir}'` : 'true';
  const script = [
    // Wait while both we and the server live; stop if the server exits on its own.
    `while kill -0 ${parent} 2>/dev/null && kill -0 ${pid} 2>/dev/null; do sleep 0.5; done`,
    `if kill -0 ${pid} 2>/dev/null; then kill -${options.signal ?? 'INT'} ${pid} 2>/dev/null;`,
    `  i=0; while kill -0 ${pid} 2>/dev/null && [ $i -lt 20 ]; do sleep 0.25; i=$((i+1)); done;`,
    `  kill -KILL ${pid} 2>/dev/null; fi`,
    `if ! kill -0 ${parent} 2>/dev/null; then ${removal}; fi`,
  ].join('\n');
  const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
}
