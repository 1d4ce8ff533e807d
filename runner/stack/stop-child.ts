/**
 * Stopping a server hotbench started as a child process: one signal, then
 * SIGKILL if it has not exited within 15 s. Shared by the embedded
 * PostgreSQL and Kafka servers.
 */
import type { ChildProcess } from 'node:child_process';

/** How long a child gets to exit on `signal` before SIGKILL, ms. */
const KILL_AFTER_MS = 15_000;

/** Signals `child` and resolves once it has exited (SIGKILL after 15 s); at once if it already has. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  await exited;
  clearTimeout(killer);
}
