/**
 * The lifecycle of a server hotbench started as a child process, once for
 * the embedded PostgreSQL and Kafka: the current child; a stop that is
 * idempotent, registered for teardown, waits for a restart in progress,
 * signals the child and removes the server's folder; and a restart that
 * kills the child with a signal, launches a new one and waits until it is
 * ready. A stopped server cannot be restarted.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { onTeardown } from './lifecycle.js';
import { StackError } from './stack-error.js';
import { stopChild } from './stop-child.js';

/** A supervised child-process server. */
export interface ChildServer {
  /** The running child (a new one after each restart). */
  child(): ChildProcess;
  /** The running child's pid, -1 when it has none. */
  readonly pid: number;
  /** Kills the child with the restart signal, launches a new one and waits until it is ready; `ms` is how long that took. */
  restart(): Promise<{ readonly oldPid: number; readonly newPid: number; readonly ms: number }>;
  /** Stops the child with the stop signal (SIGKILL after 15 s) and removes `dir`; every call returns the same promise. */
  stop(): Promise<void>;
}

/** How to supervise one server. */
export interface ChildServerOptions {
  /** For messages: `embedded PostgreSQL`. */
  readonly name: string;
  /** The server's folder, removed on stop. */
  readonly dir: string;
  /** The signal of an orderly stop (`SIGINT` for PostgreSQL's fast shutdown, `SIGTERM` for Kafka). */
  readonly stopSignal: NodeJS.Signals;
  /** The signal of a restart (`SIGQUIT`, `SIGKILL`: like a crash). */
  readonly restartSignal: NodeJS.Signals;
  /** Starts a new child. */
  launch(): ChildProcess | Promise<ChildProcess>;
  /** Resolves once `child` serves; rejects with a one-line error when it does not. */
  ready(child: ChildProcess): Promise<void>;
}

/** Supervises `first` (already launched) as {@link ChildServerOptions} say; registers its stop for teardown. */
export function superviseChild(first: ChildProcess, o: ChildServerOptions): ChildServer {
  let child = first;
  let stopping: Promise<void> | undefined;
  let restarting: Promise<unknown> = Promise.resolve();
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      unregister();
      await restarting.catch(() => undefined);
      await stopChild(child, o.stopSignal);
      rmSync(o.dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  const unregister = onTeardown(stop);
  const restart = async (): Promise<{ oldPid: number; newPid: number; ms: number }> => {
    if (stopping) throw new StackError(`${o.name} was stopped; it cannot be restarted`);
    const oldPid = child.pid ?? -1;
    const t0 = Date.now();
    const run = (async () => {
      await stopChild(child, o.restartSignal);
      child = await o.launch();
      await o.ready(child);
    })();
    restarting = run;
    await run;
    return { oldPid, newPid: child.pid ?? -1, ms: Date.now() - t0 };
  };
  return {
    child: () => child,
    get pid() {
      return child.pid ?? -1;
    },
    restart,
    stop,
  };
}
