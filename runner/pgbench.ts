/**
 * pgbench for the benches that hold hotbench against it (bench:fidelity,
 * bench:repeat): finding the binary, running a script with the password
 * kept off the command line, reading its rate and its CPU time, and a fresh
 * ledger database for it to run against (after a CHECKPOINT, for measurements).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createLedger } from '../strategies/ledger.js';
import { checkpointBeforeClock } from './replay/checkpoint.js';
import type { PostgresStack } from './stack/postgres.js';

/** pgbench from PATH or Debian's versioned folders. */
export function findPgbench(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v pgbench'], { encoding: 'utf8' }).trim();
  } catch {
    const base = '/usr/lib/postgresql';
    for (const major of existsSync(base) ? readdirSync(base).sort().reverse() : []) {
      const candidate = join(base, major, 'bin', 'pgbench');
      if (existsSync(candidate)) return candidate;
    }
    throw new Error('pgbench not found: install postgresql-client (Debian: apt-get install postgresql-client)');
  }
}

/** A database pgbench connects to: the URL without its password, and the password (given through PGPASSWORD). */
export interface PgbenchTarget {
  readonly url: string;
  readonly password: string;
}

/** Splits `dbUrl` into a password-free URL and the password. */
export function pgbenchTarget(dbUrl: string): PgbenchTarget {
  const url = new URL(dbUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return { url: url.toString(), password };
}

/** What one pgbench run measured. */
export interface PgbenchResult {
  /** Transactions per second, excluding connection time. */
  readonly tps: number;
  /** pgbench's CPU time (user + system) per transaction, µs; NaN when the shell's `times` could not be read. */
  readonly cpuUsPerTxn: number;
}

/** Children's user and system time from the POSIX shell's `times` (its last line), seconds. */
function childCpuSeconds(out: string): number {
  const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*$/.exec(out.trimEnd());
  return m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) : Number.NaN;
}

/** Runs pgbench; returns its tps (excluding connection time) and its CPU time per transaction. */
export function pgbench(bin: string, target: PgbenchTarget, script: string, clients: number, seconds: number, extra: string[] = []): Promise<PgbenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'hotbench-pgbench-'));
  const file = join(dir, 'script.sql');
  writeFileSync(file, script);
  const args = ['-n', '-M', 'prepared', '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(seconds), '-D', 'n=0', ...extra, '-f', file, target.url];
  return new Promise((resolve, reject) => {
    // The password goes through the environment, never the command line (visible in `ps`); pgbench runs
    // under sh so that `times` can report the CPU it used (its exit code is kept; `times` writes last, to stderr).
    const wrapper = '"$0" "$@"; rc=$?; times >&2; exit $rc';
    const child = spawn('/bin/sh', ['-c', wrapper, bin, ...args], { env: { ...process.env, PGPASSWORD: target.password }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1];
      const txns = Number(/number of transactions actually processed: (\d+)/.exec(out)?.[1] ?? Number.NaN);
      if (code === 0 && tps !== undefined) resolve({ tps: Number(tps), cpuUsPerTxn: (childCpuSeconds(err) * 1e6) / txns });
      else reject(new Error(`pgbench failed (exit ${code}): ${(out + err).trim().split('\n').slice(-4, -1).join(' / ')}`));
    });
  });
}

/** A fresh database `name` on `stack` holding the ledger with `accounts`; `drop()` removes it. */
export async function prepareLedger(stack: PostgresStack, name: string, accounts: Parameters<typeof createLedger>[1]): Promise<{ url: string; drop: () => Promise<void> }> {
  const db = await stack.createDatabase(name);
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    await createLedger(pool, accounts);
  } finally {
    await pool.end();
  }
  return db;
}

/**
 * Runs `measure` against a fresh ledger database `name` on `stack`, after the
 * CHECKPOINT hotbench takes before each replay's clock (so every measurement
 * starts from the same server state), and drops the database afterwards, also
 * when `measure` fails. Throws `CHECKPOINT failed (<why>): <needs>` when the
 * CHECKPOINT cannot be taken: the comparison would be uneven.
 */
export async function onFreshLedger<T>(
  stack: PostgresStack,
  name: string,
  accounts: Parameters<typeof createLedger>[1],
  needs: string,
  measure: (url: string) => Promise<T>,
): Promise<T> {
  const db = await prepareLedger(stack, name, accounts);
  try {
    const c = await checkpointBeforeClock(stack.adminUrl);
    if (!c.taken) throw new Error(`CHECKPOINT failed (${c.reason}): ${needs}`);
    return await measure(db.url);
  } finally {
    await db.drop();
  }
}
