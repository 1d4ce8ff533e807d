/**
 * Takes a PostgreSQL CHECKPOINT right before a replay's clock starts, after
 * the strategy's setup, so every replay (each strategy, each repetition, each
 * capacity step) begins from the same server state: the setup's writes
 * (CREATE DATABASE, tables, accounts) flushed, and the next timed checkpoint
 * a whole `checkpoint_timeout` (5 min by default) away. (The previous
 * replay's DROP DATABASE requests a checkpoint too, but before this setup.)
 *
 * Measured with `npm run bench:repeat -- --duration 10s --rate 3000`
 * (atomic × 5, saturated), interleaved runs: without it, goodput CV 4.3% and
 * 15.9% (in the second, one repetition sank to ~950 ops/s for 20 s while the
 * others held ~1,600); with it, 1.8%, 3.1% and 9.7% (in the last, whole
 * repetitions at ~1,450 and ~1,775, with no dip inside one). So it removes
 * the long dips but not all of this VM's spread. Each replay now measures the
 * minutes right after a checkpoint, when the first change of each page
 * writes a full page image into the WAL: the same state for every strategy,
 * and a slightly pessimistic one. The mechanism of the dips is not pinned
 * down; the effect on the spread is what was measured.
 */
import pg from 'pg';
import { oneLine } from '../errors.js';

/** What {@link checkpointBeforeClock} did. */
export type CheckpointOutcome =
  /** Taken; `ms` is its wall time. */
  | { readonly taken: true; readonly ms: number }
  /** Not taken (e.g. the --pg user is neither superuser nor in pg_checkpoint); the reason, one line. */
  | { readonly taken: false; readonly reason: string };

/**
 * Runs `CHECKPOINT` on the server behind `adminUrl` and waits for it, at most
 * `timeoutMs` (default 60,000). Never throws: a refusal or timeout is returned
 * as the reason, and the replay runs anyway.
 */
export async function checkpointBeforeClock(adminUrl: string, timeoutMs = 60_000): Promise<CheckpointOutcome> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'hotbench:checkpoint', statement_timeout: timeoutMs, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  const started = performance.now();
  try {
    await client.connect();
    await client.query('CHECKPOINT');
    return { taken: true, ms: performance.now() - started };
  } catch (err) {
    return { taken: false, reason: oneLine(err) };
  } finally {
    await client.end().catch(() => undefined);
  }
}
