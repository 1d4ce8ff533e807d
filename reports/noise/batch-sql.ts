/**
 * Batch means for a replay recorded once: its schedule cut into
 * {@link DEFAULT_BATCHES} equal batches (at least 1 s each), and per batch
 * the headline figures, aggregated in ClickHouse:
 *
 * - goodput: applied + accepted ops acked in the batch / batch seconds;
 * - ack p99: of the ops intended in the batch (a stall shows where the
 *   traffic was due, not where it finally got an answer);
 * - posting delay p99: of the postings of ops intended in the batch.
 *
 * Per-batch p99s use `quantileTDigest` (bounded memory per group, within
 * about 1% of the exact value at p99): the batches only feed an interval,
 * the reported point figures stay the exact ones of `exact-quantiles.ts`.
 * Portable to ClickHouse 18.16 and chdb (intDiv, GROUP BY, quantileTDigest,
 * typed parameters).
 */
import type { Store } from '../../results/store.js';
import { batchValuesInterval, DEFAULT_BATCHES, type Estimate } from './interval.js';

/** One batch of one replay. */
export interface BatchRow {
  readonly strategy: string;
  readonly rep: number;
  /** Batch index, 0-based. */
  readonly i: number;
  readonly value: number;
}

/** The batch-means intervals of one replay's headline figures (null: no batch had a value). */
export interface ReplayBatchIntervals {
  /** ops/s. */
  readonly goodput: Estimate | null;
  /** µs. */
  readonly ackP99: Estimate | null;
  /** µs. */
  readonly postingP99: Estimate | null;
}

/** The batch length for a schedule: `scheduleUs / batches`, never below 1 s. */
export function batchLengthUs(scheduleUs: number, batches: number = DEFAULT_BATCHES): number {
  return Math.max(1_000_000, Math.floor(scheduleUs / batches));
}

const key = (strategy: string, rep: number): string => `${strategy}\u0000${rep}`;

function byReplay(rows: readonly BatchRow[], count: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of rows) {
    if (r.i < 0 || r.i >= count) continue; // the drain after the schedule is not a batch
    const k = key(r.strategy, Number(r.rep));
    out.set(k, [...(out.get(k) ?? []), Number(r.value)]);
  }
  return out;
}

/**
 * Batch-means intervals of every replay of `runId` whose schedule is
 * `scheduleUs`, keyed by `strategy`, `rep` (see {@link batchIntervalsOf}).
 */
export async function selectBatchIntervals(store: Store, runId: string, scheduleUs: number): Promise<Map<string, ReplayBatchIntervals>> {
  const b = batchLengthUs(scheduleUs);
  const count = Math.max(1, Math.floor(scheduleUs / b));
  const params = { run: runId, b };
  const [good, ack, posting] = await Promise.all([
    store.query<BatchRow>(
      `SELECT strategy, rep, intDiv(acked_us, {b:Int64}) AS i, count() / ({b:Int64} / 1000000) AS value
       FROM ops WHERE run_id = {run:String} AND acked_us >= 0 AND status IN ('applied', 'accepted')
       GROUP BY strategy, rep, i`,
      params,
    ),
    store.query<BatchRow>(
      `SELECT strategy, rep, intDiv(intended_us, {b:Int64}) AS i, quantileTDigest(0.99)(acked_us - intended_us) AS value
       FROM ops WHERE run_id = {run:String} AND acked_us >= 0 AND intended_us >= 0
       GROUP BY strategy, rep, i`,
      params,
    ),
    store.query<BatchRow>(
      `SELECT strategy, rep, intDiv(intended_us, {b:Int64}) AS i, quantileTDigest(0.99)(posted_us - intended_us) AS value
       FROM postings WHERE run_id = {run:String} AND intended_us >= 0
       GROUP BY strategy, rep, i`,
      params,
    ),
  ]);
  const g = byReplay(good, count);
  const a = byReplay(ack, count);
  const p = byReplay(posting, count);
  const out = new Map<string, ReplayBatchIntervals>();
  for (const k of new Set([...g.keys(), ...a.keys(), ...p.keys()])) {
    const est = (m: Map<string, number[]>): Estimate | null => {
      const v = m.get(k);
      return v && v.length > 0 ? batchValuesInterval(v) : null;
    };
    out.set(k, { goodput: est(g), ackP99: est(a), postingP99: est(p) });
  }
  return out;
}

/** The intervals of replay (`strategy`, `rep`) from {@link selectBatchIntervals}'s map. */
export function batchIntervalsOf(map: ReadonlyMap<string, ReplayBatchIntervals>, strategy: string, rep: number): ReplayBatchIntervals | undefined {
  return map.get(key(strategy, rep));
}

/**
 * The batch interval of catalog metric `metric` (reports/common/metrics.ts)
 * in the metric's unit, for the metrics that have batches (`goodput`,
 * `p99_ack_ms`, `posting_delay_p99_ms`); undefined for the others.
 */
export function batchEstimateOf(metric: string, b: ReplayBatchIntervals | undefined): Estimate | undefined {
  if (b === undefined) return undefined;
  const ms = (e: Estimate | null): Estimate | undefined => (e === null ? undefined : { ...e, point: e.point / 1000, lo: e.lo / 1000, hi: e.hi / 1000 });
  if (metric === 'goodput') return b.goodput ?? undefined;
  if (metric === 'p99_ack_ms') return ms(b.ackP99);
  if (metric === 'posting_delay_p99_ms') return ms(b.postingP99);
  return undefined;
}
