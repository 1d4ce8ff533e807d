/**
 * Where the load shards of a run stand, read from their `shard_runs` rows:
 * per replay (repetition × strategy), which shards ended, which are still
 * running (or died: a process killed with no chance to record its end), and
 * which never started. `hotbench finalize` waits on this.
 */
import type { ShardRunRow } from '../../results/rows.js';
import type { Store } from '../../results/store.js';

/** How long after its planned end a shard that recorded no end is called dead rather than running, ms (drain is allowed 120 s). */
export const DEAD_AFTER_MS = 150_000;

/** One replay of a sharded run, with each shard's latest row. */
export interface StageStatus {
  readonly rep: number;
  readonly idx: number;
  readonly strategy: string;
  readonly shards: number;
  /** Index → the shard's final row, or its `started` row while it has no final one. */
  readonly rows: ReadonlyMap<number, ShardRunRow>;
}

/** What stops a finalize, one line per problem; empty when every shard of every replay ended. */
export interface Waiting {
  /** Shards still running as far as anyone can tell. */
  readonly running: readonly string[];
  /** Shards that started and will not end (past their planned end + {@link DEAD_AFTER_MS}), or never started. */
  readonly missing: readonly string[];
}

// A final row outranks `started`; among final rows, a real end outranks a duplicate's refusal.
const RANK: Record<ShardRunRow['status'], number> = { started: 0, refused: 1, skipped: 2, failed: 3, interrupted: 4, completed: 5 };

/** Reads every `shard_runs` row of `runId`, grouped by replay. */
export async function readStages(store: Store, runId: string): Promise<StageStatus[]> {
  const rows = await store.query<ShardRunRow>('SELECT * FROM shard_runs WHERE run_id = {run:String} ORDER BY rep, idx, shard', { run: runId });
  const stages = new Map<string, { rep: number; idx: number; strategy: string; shards: number; rows: Map<number, ShardRunRow> }>();
  for (const row of rows) {
    const key = `${row.rep}/${row.idx}`;
    let stage = stages.get(key);
    if (stage === undefined) stages.set(key, (stage = { rep: row.rep, idx: row.idx, strategy: row.strategy, shards: row.shards, rows: new Map() }));
    stage.shards = Math.max(stage.shards, row.shards);
    const seen = stage.rows.get(row.shard);
    if (seen === undefined || RANK[row.status] > RANK[seen.status]) stage.rows.set(row.shard, row);
  }
  return [...stages.values()];
}

/** Which shards a finalize still waits for, at wall-clock `nowMs`; a shard silent `deadAfterMs` past its planned end is dead. */
export function waitingFor(stages: readonly StageStatus[], nowMs: number, deadAfterMs = DEAD_AFTER_MS): Waiting {
  const running: string[] = [];
  const missing: string[] = [];
  for (const s of stages) {
    const where = `${s.strategy}${s.rep > 0 ? ` (repetition ${s.rep + 1})` : ''}`;
    for (let i = 0; i < s.shards; i++) {
      const row = s.rows.get(i);
      const name = `shard ${i}/${s.shards} of ${where}`;
      if (row === undefined) {
        // The others started long ago: this one was never started, or died before its start.
        const started = [...s.rows.values()].find((r) => r.start_at_ms > 0);
        if (started && nowMs > started.start_at_ms + started.schedule_us / 1000 + deadAfterMs) missing.push(`${name} never started (or died before its start)`);
        else running.push(`${name} has not started yet`);
      } else if (row.status === 'started') {
        const endMs = row.start_at_ms + row.schedule_us / 1000;
        if (nowMs > endMs + deadAfterMs) missing.push(`${name} started on ${row.host_name} (pid ${row.pid}) and never recorded its end: it died`);
        else running.push(`${name} is running on ${row.host_name} (pid ${row.pid}), due to end ${new Date(endMs).toISOString()}`);
      }
    }
  }
  return { running, missing };
}
