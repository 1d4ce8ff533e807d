/**
 * The start barrier of a sharded run, through PostgreSQL: every load shard
 * joins once its strategy is set up, and when all n have joined they start
 * together, at the last arrival's time plus a lead, on PostgreSQL's clock.
 *
 * Why PostgreSQL: every shard of a run already reaches it (the shared ledger
 * lives there), so no extra service and no master process is needed; the
 * primary key on (run, stage, shard) is what refuses two shards with the same
 * index, atomically. Times are PostgreSQL's (`clock_timestamp()`), so shards
 * on hosts whose clocks differ still agree on the instant; each shard maps it
 * to its own clock through a measured offset.
 *
 * Failure lines (one each, what and how to fix): two shards with one index,
 * a shard of another shard count, a shard that joins after the others
 * started (late), and the others' view of it: a barrier that times out
 * because a shard never came (it died, or was never started) is *abandoned*,
 * so a shard that comes after that refuses too instead of running alone.
 */
import { hostname } from 'node:os';
import pg from 'pg';
import { formatShardSpec, type ShardSpec } from '../../scenarios/shard.js';
import { UserError } from '../errors.js';

/** Default lead from the last shard's arrival to the common start, ms: enough for every shard to see it in one poll. */
export const DEFAULT_BARRIER_LEAD_MS = 2_000;
/** Default wait for the other shards, ms (pods of one Indexed Job are usually scheduled within seconds). */
export const DEFAULT_BARRIER_TIMEOUT_MS = 120_000;
const POLL_MS = 100;

const DDL = `
  CREATE TABLE IF NOT EXISTS hotbench_shard_barrier (
    run_id    text        NOT NULL,
    stage     text        NOT NULL,
    shard     int         NOT NULL,
    shards    int         NOT NULL,
    host      text        NOT NULL,
    pid       int         NOT NULL,
    joined_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (run_id, stage, shard));
  CREATE TABLE IF NOT EXISTS hotbench_shard_start (
    run_id    text        NOT NULL,
    stage     text        NOT NULL,
    start_at  timestamptz,            -- NULL when abandoned
    abandoned text        NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, stage));`;

/** Options for {@link joinStartBarrier}. */
export interface BarrierOptions {
  /** PostgreSQL to coordinate through (the `--pg` server; its tables `hotbench_shard_*` are created if missing). */
  readonly url: string;
  readonly runId: string;
  /** Which barrier of the run: one per replay (strategy × repetition), e.g. `0/atomic`. */
  readonly stage: string;
  readonly shard: ShardSpec;
  /** From the last arrival to the start, ms. Default {@link DEFAULT_BARRIER_LEAD_MS}. */
  readonly leadMs?: number;
  /** Give up waiting for the other shards after this long, ms. Default {@link DEFAULT_BARRIER_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  readonly abort?: AbortSignal;
  /**
   * Only claim the shard index (refusing a duplicate) and return at once with
   * no start: for `--start-at`, where the time is given, not agreed.
   */
  readonly registerOnly?: boolean;
}

/** When the shards start. */
export interface BarrierStart {
  /** The common start on PostgreSQL's clock, ms since the Unix epoch. */
  readonly startAtPgMs: number;
  /** The same instant on this process's wall clock (`Date.now()`), ms. */
  readonly startAtLocalMs: number;
  /** How long this shard waited at the barrier, ms. */
  readonly waitedMs: number;
}

/**
 * Joins the barrier and resolves once every shard has joined, with the
 * agreed start (a lead after the last arrival). Throws a one-line
 * {@link UserError} for a duplicate index, a shard-count mismatch, a late
 * join, a barrier that timed out or was abandoned.
 */
export async function joinStartBarrier(options: BarrierOptions): Promise<BarrierStart> {
  const { runId, stage, shard } = options;
  const me = `shard ${formatShardSpec(shard)} of run ${runId}${stage === '' ? '' : ` (${stage})`}`;
  const client = new pg.Client({ connectionString: options.url, application_name: 'hotbench:barrier' });
  client.on('error', () => undefined);
  await client.connect();
  const began = Date.now();
  try {
    // Concurrent CREATE TABLE IF NOT EXISTS can still collide on the catalog: serialize it.
    await client.query("SELECT pg_advisory_lock(hashtext('hotbench_shard_barrier'))");
    try {
      await client.query(DDL);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('hotbench_shard_barrier'))");
    }
    await refuseIfStarted(client, options, me);
    try {
      await client.query('INSERT INTO hotbench_shard_barrier (run_id, stage, shard, shards, host, pid) VALUES ($1, $2, $3, $4, $5, $6)', [runId, stage, shard.index, shard.count, hostname(), process.pid]);
    } catch (err) {
      if ((err as { code?: string }).code !== '23505') throw err;
      const other = await client.query<{ host: string; pid: number; joined: string }>(
        "SELECT host, pid, to_char(joined_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS joined FROM hotbench_shard_barrier WHERE run_id = $1 AND stage = $2 AND shard = $3",
        [runId, stage, shard.index],
      );
      const o = other.rows[0];
      throw new UserError(`${me}: shard index ${shard.index} is already taken by ${o ? `host ${o.host} pid ${o.pid} (joined ${o.joined})` : 'another process'}: two shards have the same index; give each process its own --shard i/${shard.count}`);
    }
    if (options.registerOnly) return { startAtPgMs: 0, startAtLocalMs: 0, waitedMs: Date.now() - began };
    const deadline = began + (options.timeoutMs ?? DEFAULT_BARRIER_TIMEOUT_MS);
    for (;;) {
      const joined = await client.query<{ shard: number; shards: number }>('SELECT shard, shards FROM hotbench_shard_barrier WHERE run_id = $1 AND stage = $2 ORDER BY shard', [runId, stage]);
      const other = joined.rows.find((r) => r.shards !== shard.count);
      if (other) {
        // Neither side can start a run whose shards disagree on n: leave, so the rerun finds a clean barrier.
        await client.query('DELETE FROM hotbench_shard_barrier WHERE run_id = $1 AND stage = $2 AND shard = $3 AND pid = $4 AND shards = $5', [runId, stage, shard.index, process.pid, shard.count]);
        throw new UserError(`${me}: shard ${other.shard}/${other.shards} of the same run was started with ${other.shards} shards, this one with ${shard.count}: start every shard of a run with the same n in --shard i/n`);
      }
      if (joined.rows.length >= shard.count) {
        await client.query(
          `INSERT INTO hotbench_shard_start (run_id, stage, start_at)
           SELECT $1, $2, max(joined_at) + make_interval(secs => $3::float8 / 1000) FROM hotbench_shard_barrier WHERE run_id = $1 AND stage = $2
           ON CONFLICT (run_id, stage) DO NOTHING`,
          [runId, stage, options.leadMs ?? DEFAULT_BARRIER_LEAD_MS],
        );
      }
      const start = await readStart(client, runId, stage);
      if (start?.startAtMs !== undefined) return await mapStart(client, start.startAtMs, began);
      if (start?.abandoned) throw new UserError(`${me}: ${start.abandoned}, so another shard abandoned the start barrier; nothing was sent. Start every shard again with a new --run-id`);
      if (Date.now() > deadline) {
        const present = new Set(joined.rows.map((r) => r.shard));
        const missing = Array.from({ length: shard.count }, (_, i) => i).filter((i) => !present.has(i));
        const reason = `shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${shard.count} did not join within ${Math.round((Date.now() - began) / 1000)} s`;
        // Abandon, unless the last shard arrived at this very moment and a start was fixed meanwhile.
        await client.query('INSERT INTO hotbench_shard_start (run_id, stage, start_at, abandoned) VALUES ($1, $2, NULL, $3) ON CONFLICT (run_id, stage) DO NOTHING', [runId, stage, reason]);
        const final = await readStart(client, runId, stage);
        if (final?.startAtMs !== undefined) return await mapStart(client, final.startAtMs, began);
        throw new UserError(`${me}: ${reason} (died, or never started?); nothing was sent. Start the missing shard${missing.length > 1 ? 's' : ''} with --run-id ${runId} --shard ${missing[0]}/${shard.count}, or raise --barrier-timeout, then rerun all shards with a new --run-id`);
      }
      if (options.abort?.aborted) throw new UserError(`${me}: interrupted while waiting at the start barrier; nothing was sent`);
      await sleep(POLL_MS);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function refuseIfStarted(client: pg.Client, options: BarrierOptions, me: string): Promise<void> {
  const start = await readStart(client, options.runId, options.stage);
  if (start === undefined) return;
  if (start.abandoned) throw new UserError(`${me}: arrived after the start barrier was abandoned (${start.abandoned}); start every shard again with a new --run-id`);
  const ago = ((await pgNowMs(client)) - (start.startAtMs ?? 0)) / 1000;
  throw new UserError(`${me}: joined after the other shards started (${ago >= 0 ? `${ago.toFixed(1)} s ago` : `starting in ${(-ago).toFixed(1)} s, without this shard`}): this shard's ops would all be late, so it sends nothing. Rerun every shard with a new --run-id`);
}

async function readStart(client: pg.Client, runId: string, stage: string): Promise<{ startAtMs?: number; abandoned: string } | undefined> {
  const res = await client.query<{ start_ms: string | null; abandoned: string }>(
    'SELECT (extract(epoch from start_at) * 1000)::bigint::text AS start_ms, abandoned FROM hotbench_shard_start WHERE run_id = $1 AND stage = $2',
    [runId, stage],
  );
  const row = res.rows[0];
  if (row === undefined) return undefined;
  return row.start_ms === null ? { abandoned: row.abandoned } : { startAtMs: Number(row.start_ms), abandoned: row.abandoned };
}

async function pgNowMs(client: pg.Client): Promise<number> {
  const res = await client.query<{ ms: string }>('SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint::text AS ms');
  return Number(res.rows[0]?.ms ?? 0);
}

/**
 * Maps the PostgreSQL start to this host's clock (offset from the best of 3
 * round trips). Returns at once: the caller puts its schedule's origin at
 * `startAtLocalMs` and the open-loop driver waits for the first op itself.
 */
async function mapStart(client: pg.Client, startAtPgMs: number, began: number): Promise<BarrierStart> {
  let offset = 0;
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const before = Date.now();
    const pgMs = await pgNowMs(client);
    const after = Date.now();
    if (after - before < best) [best, offset] = [after - before, (before + after) / 2 - pgMs];
  }
  return { startAtPgMs, startAtLocalMs: Math.round(startAtPgMs + offset), waitedMs: Date.now() - began };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
