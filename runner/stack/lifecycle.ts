/**
 * Process lifecycle: the first SIGINT/SIGTERM asks the run to stop gracefully
 * (stop sending, record what was measured, mark the run incomplete, stop the
 * servers); a second one skips straight to stopping the servers and exits.
 *
 * Servers register their stop function with {@link onTeardown}; they also
 * have their own watchdog (see `watchdog.ts`) so that even a SIGKILL of this
 * process leaves no orphan `postgres` or `redis-server` behind.
 */

type Teardown = () => Promise<void>;

const teardowns = new Set<Teardown>();
const controller = new AbortController();
let installed = false;
let signalCount = 0;

/** Aborted when the user asked the run to stop (first SIGINT / SIGTERM). */
export const interrupted: AbortSignal = controller.signal;

/** Which signal interrupted the run, if any. */
export let interruptedBy: NodeJS.Signals | undefined;

/**
 * Registers a stop function (a server, a temp dir). Returns a function that
 * unregisters it, for the normal path where the owner stops it itself.
 */
export function onTeardown(fn: Teardown): () => void {
  teardowns.add(fn);
  return () => teardowns.delete(fn);
}

/** Runs every registered teardown once (in reverse registration order), tolerating failures. */
export async function runTeardowns(): Promise<void> {
  const fns = [...teardowns].reverse();
  teardowns.clear();
  for (const fn of fns) {
    try {
      await fn();
    } catch {
      // A teardown that fails must not keep the others from running.
    }
  }
}

/**
 * Installs the SIGINT/SIGTERM handlers (once). `onFirst` prints a line
 * telling the user that the run is stopping; the run itself watches
 * {@link interrupted}.
 */
export function installSignalHandlers(onFirst: (signal: NodeJS.Signals) => void): void {
  if (installed) return;
  installed = true;
  const handle = (signal: NodeJS.Signals): void => {
    signalCount += 1;
    if (signalCount === 1) {
      interruptedBy = signal;
      controller.abort(new Error(`interrupted by ${signal}`));
      onFirst(signal);
      return;
    }
    // Second signal: the user does not want to wait for the graceful path.
    void runTeardowns().finally(() => process.exit(130));
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}
