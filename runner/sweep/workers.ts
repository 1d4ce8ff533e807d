/**
 * `hotbench sweep --workers N`: the cells of a sweep run in N local child
 * processes at a time, each an ordinary single-cell invocation, so a cell
 * runs the same way here as in a pod of an Indexed Job, and one cell that
 * crashes takes nothing else down.
 *
 * Each child's output lines are prefixed with its cell (`[cell 3] ...`) and
 * passed on as they come; the pool ends when every task has exited, and a
 * task's exit code is reported, never thrown.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** One child process to run. */
export interface WorkerTask {
  /** Shown before each output line, e.g. `cell 3`. */
  readonly label: string;
  /** Executable and arguments (no shell). */
  readonly command: string;
  readonly args: readonly string[];
}

/** How a task ended. */
export interface WorkerResult {
  readonly label: string;
  /** Exit code; null when killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Wall time from spawn to exit, ms. */
  readonly wallMs: number;
  /** The last output line (stderr or stdout), for a one-line failure report. */
  readonly lastLine: string;
}

/** Options for {@link runWorkers}. */
export interface WorkerPoolOptions {
  /** Most children at a time (≥ 1). */
  readonly workers: number;
  /** Where prefixed output lines go. Default: stderr. */
  readonly log?: (line: string) => void;
  /** Extra environment for every child (added to this process's). */
  readonly env?: Readonly<Record<string, string>>;
  /** On abort no new task starts and running ones get SIGINT (they record what they measured). */
  readonly abort?: AbortSignal;
}

/** Runs the tasks, at most `workers` at a time, in order; resolves with one result per task, in task order. */
export async function runWorkers(tasks: readonly WorkerTask[], options: WorkerPoolOptions): Promise<WorkerResult[]> {
  if (!Number.isSafeInteger(options.workers) || options.workers < 1) throw new RangeError(`workers must be a whole number ≥ 1, got ${options.workers}`);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const results = new Array<WorkerResult>(tasks.length);
  const running = new Set<ReturnType<typeof spawn>>();
  const onAbort = (): void => {
    for (const child of running) child.kill('SIGINT');
  };
  options.abort?.addEventListener('abort', onAbort);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length && !options.abort?.aborted) {
      const i = next++;
      const task = tasks[i]!;
      results[i] = await runOne(task, options.env, log, running);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.workers, tasks.length) }, worker));
  } finally {
    options.abort?.removeEventListener('abort', onAbort);
  }
  return results.map((r, i) => r ?? { label: tasks[i]!.label, code: null, signal: 'SIGINT', wallMs: 0, lastLine: 'not started (interrupted)' });
}

function runOne(task: WorkerTask, env: Readonly<Record<string, string>> | undefined, log: (line: string) => void, running: Set<ReturnType<typeof spawn>>): Promise<WorkerResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(task.command, [...task.args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let lastLine = '';
    const pipe = (stream: NodeJS.ReadableStream) =>
      createInterface({ input: stream }).on('line', (line) => {
        if (line.trim() !== '') lastLine = line;
        log(`[${task.label}] ${line}`);
      });
    pipe(child.stdout);
    pipe(child.stderr);
    const done = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      running.delete(child);
      resolve({ label: task.label, code, signal, wallMs: performance.now() - started, lastLine: error ? `cannot start ${task.command}: ${error.message}` : lastLine });
    };
    child.on('error', (err) => done(127, null, err));
    child.on('close', (code, signal) => done(code, signal));
  });
}
