/**
 * Gives the driver's thread the first claim on the CPU during a replay: every
 * other thread of this process (ClickHouse's in-process threads, libuv's
 * pool, V8's helpers) is set to a lower scheduling priority (nice
 * {@link BACKGROUND_NICE}), rechecked every second as thread pools grow.
 * The driver's thread keeps its own priority. Linux only (it reads
 * `/proc/thread-self` and `/proc/self/task`); elsewhere it does nothing.
 *
 * Why: on 2 cores the in-process ClickHouse's insert and merge threads took whole
 * time slices from the driver; the driver's timing is the measurement, while
 * recording is buffered and can wait. Nothing is lost by this: the recorder
 * still writes every row, a little later. A lower priority cannot be raised
 * back without privileges, so the other threads stay lower for the rest of
 * the process. `HOTBENCH_FAVOUR_DRIVER=0` turns it off (to measure its
 * effect: `npm run bench:driver` with and without it).
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Nice value given to the process's other threads (0 is normal, 19 the lowest). */
export const BACKGROUND_NICE = 10;
const RECHECK_MS = 1_000;

/** This thread's kernel thread id, or undefined where `/proc/thread-self` is missing (not Linux). */
function ownTid(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isSafeInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Lowers the priority of every thread of this process except `own`. */
function lowerOthers(own: number): void {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return;
  }
  for (const name of tids) {
    const tid = Number(name);
    if (tid === own) continue;
    try {
      if (getPriority(tid) < BACKGROUND_NICE) setPriority(tid, BACKGROUND_NICE);
    } catch {
      // the thread ended meanwhile, or may not be changed: leave it
    }
  }
}

/**
 * Starts favouring the calling thread (see the module comment). Returns a
 * function that stops the rechecks (priorities already lowered stay lower).
 */
export function favourDriverThread(): () => void {
  if (process.env['HOTBENCH_FAVOUR_DRIVER'] === '0') return () => undefined;
  const own = ownTid();
  if (own === undefined) return () => undefined;
  lowerOthers(own);
  const timer = setInterval(() => lowerOthers(own), RECHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
