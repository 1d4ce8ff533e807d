/**
 * The machine's noise floor: how much the same server varies on its own,
 * measured with pgbench running atomic's statement (a 1-unit conditional
 * debit plus its entry) on the scenario's hot account, `repeat` times, each
 * on a fresh ledger after a CHECKPOINT. No harness can show a spread below
 * this one on the machine, so a repeated run records it in its provenance
 * and its reports say "this machine varies ±X% on its own".
 *
 * Measured here (2 shared cores, other engineers' work running): pgbench's
 * tps CV 6–11% over 5 × 10 s.
 */
import { sampleStandardDeviation, mean } from 'simple-statistics';
import { bootstrapInterval, type Estimate } from '../reports/noise/interval.js';
import type { AccountSpec } from '../strategies/contract.js';
import { ATOMIC_SQL } from '../strategies/atomic/index.js';
import { findPgbench, onFreshLedger, pgbench, pgbenchTarget } from './pgbench.js';
import type { PostgresStack } from './stack/postgres.js';

/** What {@link measureNoiseFloor} found. */
export interface NoiseFloor {
  /** pgbench's tps of each repetition, in order. */
  readonly tps: readonly number[];
  /** Coefficient of variation of `tps` (sample sd / mean); 0 with fewer than 2. */
  readonly cv: number;
  /** Median tps with its bootstrap 95% interval. */
  readonly interval: Estimate;
  /** Clients (connections) pgbench ran with. */
  readonly clients: number;
  /** Seconds per repetition. */
  readonly seconds: number;
  /** `this machine varies ±8.1% on its own (pgbench, atomic's statement, 16 clients, 5 × 10 s: 812, 790, ... tps)`. */
  readonly text: string;
}

/** Options of {@link measureNoiseFloor}. */
export interface NoiseFloorOptions {
  /** The server to measure (embedded or external; needs CREATEDB and CHECKPOINT rights). */
  readonly stack: PostgresStack;
  /** The scenario's accounts; one must be hot. */
  readonly accounts: readonly AccountSpec[];
  /** pgbench clients; use the run's connections. */
  readonly clients: number;
  /** Seconds per repetition (≥ 1). */
  readonly seconds: number;
  /** Repetitions (≥ 2 for a spread). */
  readonly repeat: number;
  /** Stops between repetitions. */
  readonly abort?: AbortSignal;
  /** Database name for the fresh ledgers. Default `hb_noise_floor`. */
  readonly database?: string;
}

/** atomic's statement as a pgbench script: a 1-unit debit of `account` per transaction, op ids unique per client as hotbench's are per op. */
export function atomicScript(account: number): string {
  const sql = ATOMIC_SQL.replace(/\$1\b/g, String(account)).replace(/\$2\b/g, '(-1)').replace(/\$3\b/g, ':op').replace(/\$4\b/g, 'NULL').replace(/\s+/g, ' ').trim();
  return ['\\set n :n + 1', '\\set op :client_id * 1000000000 + :n', `${sql};`, ''].join('\n');
}

/** Coefficient of variation: sample standard deviation / mean (0 for fewer than 2 values or a zero mean). */
export function coefficientOfVariation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean([...values]);
  return m === 0 ? 0 : sampleStandardDeviation([...values]) / Math.abs(m);
}

/** The one-line description of a floor. */
export function describeNoiseFloor(tps: readonly number[], clients: number, seconds: number): string {
  const cv = coefficientOfVariation(tps);
  return `this machine varies ±${(cv * 100).toFixed(1)}% on its own (pgbench, atomic's statement on the hot account, ${clients} clients, ${tps.length} × ${seconds} s: ${tps.map((t) => Math.round(t).toLocaleString('en-US')).join(', ')} tps; CV)`;
}

/**
 * Measures the floor (see the module comment). Throws a one-line Error when
 * the scenario has no hot account, pgbench is missing, or the CHECKPOINT
 * before a repetition cannot be taken.
 */
export async function measureNoiseFloor(options: NoiseFloorOptions): Promise<NoiseFloor> {
  const hot = options.accounts.find((a) => a.hot);
  if (hot === undefined) throw new Error('the noise floor needs a hot account in the scenario (pgbench runs on it)');
  const bin = findPgbench();
  const seconds = Math.max(1, Math.round(options.seconds));
  const needs = 'the noise floor needs a --pg user that may checkpoint (superuser or pg_checkpoint)';
  const tps: number[] = [];
  for (let i = 0; i < options.repeat && !options.abort?.aborted; i++) {
    const r = await onFreshLedger(options.stack, options.database ?? 'hb_noise_floor', options.accounts, needs, (url) =>
      pgbench(bin, pgbenchTarget(url), atomicScript(hot.id), options.clients, seconds),
    );
    tps.push(r.tps);
  }
  return { tps, cv: coefficientOfVariation(tps), interval: bootstrapInterval(tps), clients: options.clients, seconds, text: describeNoiseFloor(tps, options.clients, seconds) };
}
