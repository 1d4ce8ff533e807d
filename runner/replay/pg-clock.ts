/**
 * Relating PostgreSQL's clock to the run's monotonic clock, so a ledger
 * timestamp (`entries.created_at`) can be placed on a replay's schedule
 * (stale reads, false declines, stop-delivery delay are judged against the
 * ledger "at that instant").
 */
import type { Pool } from 'pg';
import type { Clock, Micros } from '../../strategies/contract.js';

/** A measured correspondence between the two clocks. */
export interface PgClockSync {
  /** The PostgreSQL time (µs since the Unix epoch) at `clockUs`. */
  readonly pgEpochUs: number;
  /** The run clock's reading at the same instant (the round trip's midpoint), µs. */
  readonly clockUs: Micros;
  /** Half the round trip: the measurement's uncertainty, µs. */
  readonly uncertaintyUs: Micros;
}

/** Measures the correspondence with the best of `tries` round trips (smallest uncertainty). */
export async function syncPgClock(pool: Pool, clock: Clock, tries = 5): Promise<PgClockSync> {
  let best: PgClockSync | undefined;
  for (let i = 0; i < tries; i++) {
    const before = clock.now();
    const res = await pool.query<{ us: string }>("SELECT (extract(epoch from clock_timestamp()) * 1000000)::bigint::text AS us");
    const after = clock.now();
    const sync = { pgEpochUs: Number(res.rows[0]?.us ?? 0), clockUs: Math.round((before + after) / 2), uncertaintyUs: Math.ceil((after - before) / 2) };
    if (best === undefined || sync.uncertaintyUs < best.uncertaintyUs) best = sync;
  }
  return best!;
}

/**
 * A converter from PostgreSQL epoch µs to a schedule clock whose 0 is the
 * run clock's reading `scheduleOrigin`.
 */
export function pgToSchedule(sync: PgClockSync, scheduleOrigin: Micros): (pgEpochUs: number) => Micros {
  const offset = sync.clockUs - sync.pgEpochUs - scheduleOrigin;
  return (pgEpochUs) => pgEpochUs + offset;
}
