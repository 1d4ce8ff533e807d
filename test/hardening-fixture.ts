/**
 * Shared by the hardening, fault and secrets tests: a small scenario file,
 * the compiled CLI run with a hook on its stderr (to cut a relay or restart
 * something at the right moment), and reading a run back from the shared
 * ClickHouse server.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../results/open-store.js';
import type { Store } from '../results/store.js';
import { packageRoot } from '../scenarios/index.js';
import { cliEntry, type CliResult } from './support/cli.js';

/** ClickHouse server the hardening tests use (`CLICKHOUSE_URL`). */
export const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
/** Redis the hardening tests use (`REDIS_URL`). */
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** Options of {@link smallScenario}. */
export interface SmallScenario {
  readonly name?: string;
  /** Seconds of constant arrivals. Default 8. */
  readonly seconds?: number;
  /** Ops per second. Default 150. */
  readonly rate?: number;
  /** Extra top-level YAML lines (e.g. a description). */
  readonly description?: string;
}

/**
 * Writes a scenario of `seconds × rate` ops (exactly: constant arrivals) on
 * 50 accounts rich enough that nothing is declined; returns its path.
 */
export function smallScenario(dir: string, options: SmallScenario = {}): string {
  const name = options.name ?? 'hardening-small';
  const file = join(dir, `${name}-${Math.random().toString(36).slice(2, 8)}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      `description: ${JSON.stringify(options.description ?? 'constant traffic over 50 rich accounts, for fault tests')}`,
      'seed: 7',
      'accounts: { count: 50, balance: 100000000, floor: 0 }',
      'phases:',
      `  - { name: steady, duration: ${options.seconds ?? 8}s, arrival: { process: constant, rate: ${options.rate ?? 150} } }`,
      'mix: { charge: 1, topup: 1 }',
      'amounts: { default: { distribution: fixed, value: 10 } }',
      '',
    ].join('\n'),
  );
  return file;
}

/** Options of {@link watchCli}. */
export interface WatchOptions {
  /** Called with the whole stderr so far, each time it grows; `kill` signals the CLI process. */
  readonly onStderr?: (stderr: string, kill: (signal: NodeJS.Signals) => void) => void;
  /**
   * Run inside a new network namespace with only loopback (`unshare -n`, needs root): no shared
   * server (PostgreSQL, Redis, ClickHouse) is reachable, so hotbench starts its own.
   */
  readonly isolatedNetwork?: boolean;
  readonly env?: Readonly<Record<string, string>>;
  /** SIGKILL after this long, ms. Default 180,000. */
  readonly timeoutMs?: number;
}

const SERVICE_VARIABLES = ['PG_URL', 'PG_REPLICA_URL', 'CLICKHOUSE_URL', 'REDIS_URL', 'KAFKA_BROKERS', 'HOTBENCH_HOME', 'HOTBENCH_OUT', 'HOTBENCH_SCENARIO', 'HOTBENCH_STRATEGIES', 'HOTBENCH_DURATION', 'HOTBENCH_SEED', 'HOTBENCH_RATE_SCALE', 'HOTBENCH_FAULTS'];

/** Runs the compiled `hotbench <args>` like `runCli`, calling `onStderr` as stderr grows. */
export function watchCli(args: readonly string[], options: WatchOptions = {}): Promise<CliResult & { readonly pid: number }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SERVICE_VARIABLES.includes(k)) env[k] = v;
  Object.assign(env, options.env ?? {});
  return new Promise((resolve, reject) => {
    const argv = [process.execPath, cliEntry(), ...args];
    // `unshare` and `sh` exec in place, so the child's pid is the CLI's own and signals reach it.
    const [file, ...rest] = options.isolatedNetwork ? ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...argv] : argv;
    const child = spawn(file!, rest, { cwd: packageRoot(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      options.onStderr?.(stderr, (signal) => child.kill(signal));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, pid: child.pid ?? -1 });
    });
  });
}

/** The run id from the CLI's last line (`run <id>: <status>; ...`). */
export function runIdOf(stderr: string): string {
  const id = /^run (\S+): (?:complete|incomplete|failed)/m.exec(stderr)?.[1];
  if (id === undefined) throw new Error(`no run id in the CLI output:\n${stderr}`);
  return id;
}

/** The shared ClickHouse server's `hotbench` database, where `run --clickhouse` writes. */
export async function sharedStore(): Promise<Store> {
  const store = await openStore({ url: CLICKHOUSE_URL, dataDir: '/nonexistent' });
  await store.migrate();
  return store;
}

/** Counts of a run's op rows: total and distinct (strategy, rep, op_id). */
export async function opCounts(store: Store, runId: string): Promise<{ n: number; distinct: number }> {
  const [row] = await store.query<{ n: number; distinct: number }>(
    'SELECT count() AS n, uniqExact(strategy, rep, op_id) AS distinct FROM ops WHERE run_id = {run:String}',
    { run: runId },
  );
  return row ?? { n: 0, distinct: 0 };
}

/** Polls `condition` every 50 ms until it holds or `ms` passed. */
export async function until(condition: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True when this process may create a network namespace (`unshare -n`, root). */
export function canIsolateNetwork(): boolean {
  const res = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' });
  return res.status === 0;
}
