/**
 * The ledger's growth while a strategy replays, sampled about once a second
 * from inside the strategy's own database (PostgreSQL's per-table statistics
 * are visible only from the database they describe):
 *
 * | name | value |
 * | --- | --- |
 * | `pg_dead_tuples` | dead row versions in the database's tables (`pg_stat_user_tables.n_dead_tup`): every update of a hot balance leaves one until vacuum |
 * | `pg_live_tuples` | live rows (`n_live_tup`): the entries table grows by one per posted op |
 * | `pg_ledger_bytes` | the tables' total size on disk, indexes and TOAST included (`pg_total_relation_size`), bytes |
 *
 * Why: capacity depends on run length: a hot row's dead versions
 * and a growing entries table slow every later update, so a 3-s step and a
 * 30-s step of the same rate see different ledgers. These series show it.
 * The statistics lag by up to a second (backends flush them at most once a
 * second), which is the sampling period anyway.
 */
import pg from 'pg';
import type { Clock } from '../../strategies/contract.js';
import { describePgError } from '../stack/postgres.js';

/** Sample names. */
export const LEDGER_GROWTH_SAMPLES = { deadTuples: 'pg_dead_tuples', liveTuples: 'pg_live_tuples', ledgerBytes: 'pg_ledger_bytes' } as const;

/** Sampling period, ms. */
export const LEDGER_GROWTH_INTERVAL_MS = 1_000;

const GROWTH_SQL = `
  SELECT coalesce(sum(n_dead_tup), 0)::text AS dead,
         coalesce(sum(n_live_tup), 0)::text AS live,
         coalesce(sum(pg_total_relation_size(relid)), 0)::text AS bytes
    FROM pg_stat_user_tables`;

/** Options of {@link startLedgerGrowth}. */
export interface LedgerGrowthOptions {
  /** URL of the strategy's database (contains the password: never printed). */
  readonly url: string;
  /** Time base of the samples. */
  readonly clock: Clock;
  /** Receives each sample: name, value, time (µs on `clock`). */
  sample(name: string, value: number, atUs: number): void;
  /** Period, ms. Default {@link LEDGER_GROWTH_INTERVAL_MS}. */
  readonly intervalMs?: number;
}

/** A running sampler; `stop()` takes a last sample, disconnects and says how it went. Idempotent. */
export interface LedgerGrowth {
  stop(): Promise<{ readonly samples: number; readonly firstError: string }>;
}

/** Connects and starts sampling. Never throws: a failure is recorded in `stop()`'s answer, never fails a replay. */
export function startLedgerGrowth(options: LedgerGrowthOptions): LedgerGrowth {
  const client = new pg.Client({ connectionString: options.url, application_name: 'hotbench:ledger-growth' });
  client.on('error', () => undefined);
  const state = { samples: 0, firstError: '' };
  let stopped = false;
  let wake: (() => void) | undefined;
  const take = async (): Promise<void> => {
    const at = options.clock.now();
    try {
      const row = (await client.query<{ dead: string; live: string; bytes: string }>(GROWTH_SQL)).rows[0]!;
      options.sample(LEDGER_GROWTH_SAMPLES.deadTuples, Number(row.dead), at);
      options.sample(LEDGER_GROWTH_SAMPLES.liveTuples, Number(row.live), at);
      options.sample(LEDGER_GROWTH_SAMPLES.ledgerBytes, Number(row.bytes), at);
      state.samples++;
    } catch (err) {
      if (state.firstError === '') state.firstError = describePgError(err, options.url);
    }
  };
  const loop = (async () => {
    try {
      await client.connect();
    } catch (err) {
      state.firstError = describePgError(err, options.url);
      return false;
    }
    while (!stopped) {
      await take();
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.intervalMs ?? LEDGER_GROWTH_INTERVAL_MS);
        wake = () => (clearTimeout(timer), resolve());
      });
    }
    return true;
  })();
  let done: Promise<{ samples: number; firstError: string }> | undefined;
  return {
    stop() {
      done ??= (async () => {
        stopped = true;
        wake?.();
        if (await loop) await take();
        await client.end().catch(() => undefined);
        return { ...state };
      })();
      return done;
    },
  };
}
