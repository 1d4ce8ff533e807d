/**
 * Runs the compiled `hotbench` CLI (bin/hotbench.js → dist/) as a user would,
 * in a child process with a controlled environment.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../scenarios/index.js';

/** What a CLI run printed and how it ended. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options for {@link runCli}. */
export interface CliOptions {
  /** Extra environment; the service variables (PG_URL, CLICKHOUSE_URL, ...) are removed unless given here. */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill with SIGKILL after this many ms. Default 180,000. */
  readonly timeoutMs?: number;
  /** Send `signal` once stderr contains `when` (e.g. the first progress line). */
  readonly interrupt?: { readonly when: RegExp; readonly signal: NodeJS.Signals; readonly delayMs?: number };
  readonly cwd?: string;
}

const SERVICE_VARIABLES = ['PG_URL', 'PG_REPLICA_URL', 'CLICKHOUSE_URL', 'REDIS_URL', 'KAFKA_BROKERS', 'HOTBENCH_HOME', 'HOTBENCH_OUT', 'HOTBENCH_SCENARIO', 'HOTBENCH_STRATEGIES', 'HOTBENCH_DURATION', 'HOTBENCH_SEED', 'HOTBENCH_RATE_SCALE'];

/** The compiled entry; tests need `npm run build` first (npm test does it). */
export function cliEntry(): string {
  const entry = join(packageRoot(), 'bin', 'hotbench.js');
  if (!existsSync(join(packageRoot(), 'dist', 'runner', 'cli', 'entry.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  return entry;
}

/** Runs `hotbench <args>` and resolves when it exits. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SERVICE_VARIABLES.includes(k)) env[k] = v;
  Object.assign(env, options.env ?? {});
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliEntry(), ...args], { cwd: options.cwd ?? packageRoot(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const i = options.interrupt;
      if (i && !interrupted && i.when.test(stderr)) {
        interrupted = true;
        setTimeout(() => child.kill(i.signal), i.delayMs ?? 0);
      }
    });
    const timeoutMs = options.timeoutMs ?? 180_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // A death by signal leaves code null: say which, so a failed `expect(code, stderr)` names the cause.
      const why = timedOut ? `\n[runCli: killed after the ${timeoutMs} ms timeout]` : signal !== null && signal !== options.interrupt?.signal ? `\n[runCli: the CLI died of ${signal}]` : '';
      resolve({ code, signal, stdout, stderr: stderr + why });
    });
  });
}

/** True when `text` looks like a stack trace (a line starting with "at "). */
export function hasStackTrace(text: string): boolean {
  return /^\s+at\s+\S+/m.test(text);
}
