/**
 * Turns what the driver and a strategy report into recorded rows: one `ops`
 * row per op, a `postings` row per posted op, `events` and `samples` rows.
 * It also fills the op fates the auditor needs. Everything here is
 * synchronous and O(1) per call: it runs on the hot path.
 */
import type { EventSink, Micros, Op, Outcome, SignalKind } from '../../strategies/contract.js';
import { WAIT, type RowOf, type RunReplayKey, type TableName } from '../../results/rows.js';
import type { OpFates } from '../audit/fates.js';
import type { DriveSink } from '../driver/open-loop.js';

/** Anything rows can be pushed to without waiting (the Recorder). */
export interface RowSink {
  push<T extends TableName>(table: T, row: RowOf[T]): void;
}

/**
 * The `ops` columns an outcome fills, the same for every way an op is
 * answered (a direct call, HTTP, a blast): one attempt by default, the
 * balance only for an applied read, a reject's detail cut to 300 characters,
 * and each wait as measured or as a {@link WAIT} code (see {@link waitColumn}).
 */
export function outcomeColumns(outcome: Outcome): Pick<RowOf['ops'], 'status' | 'reason' | 'lock_wait_us' | 'attempts' | 'balance' | 'detail' | 'pool_wait_us' | 'queue_us'> {
  const rejected = outcome.status === 'rejected';
  // An op that failed (error, timeout) may have waited without a figure coming back: not measured, rather than not applicable.
  const failed = rejected && (outcome.reason === 'error' || outcome.reason === 'timeout');
  const onHead = outcome.waitsOnBatchHead === true;
  return {
    status: outcome.status,
    reason: rejected ? outcome.reason : '',
    lock_wait_us: waitColumn(outcome.lockWaitUs, onHead, failed),
    attempts: outcome.attempts ?? 1,
    balance: outcome.status === 'applied' && outcome.balance !== undefined ? outcome.balance : 0,
    detail: rejected ? (outcome.detail ?? '').slice(0, 300) : '',
    pool_wait_us: waitColumn(outcome.poolWaitUs, onHead, failed),
    queue_us: outcome.queuedUs ?? (failed ? WAIT.notMeasured : WAIT.notApplicable),
  };
}

/**
 * A wait column's value: the measured µs; else {@link WAIT.onBatchHead} when
 * the op's batch carries it on its first op, {@link WAIT.notMeasured} when the
 * op failed before a figure came back, {@link WAIT.notApplicable} when the
 * strategy took no such wait for it (the contract's "omit when none taken").
 */
export function waitColumn(measuredUs: Micros | undefined, onBatchHead: boolean, failed: boolean): number {
  if (measuredUs !== undefined) return Math.max(0, measuredUs);
  if (onBatchHead) return WAIT.onBatchHead;
  return failed ? WAIT.notMeasured : WAIT.notApplicable;
}

/** Records the driver's outcomes and the strategy's events for one replay. */
export class ReplayRecorder implements DriveSink, EventSink {
  /** Ops the strategy reported posted (deferred) so far. */
  postedLater = 0;
  /** Deferred postings reported for ops that were not accepted, or twice. */
  strayPostings = 0;
  readonly #accepted: Uint8Array;

  constructor(
    private readonly key: RunReplayKey,
    private readonly rows: RowSink,
    private readonly fates: OpFates,
    plannedOps: number,
  ) {
    // 1 = accepted and not yet reported posted; 2 = reported posted. One byte per op.
    this.#accepted = new Uint8Array(plannedOps);
  }

  settled(op: Op, sentUs: Micros, ackedUs: Micros, outcome: Outcome): void {
    const { run_id, strategy, rep } = this.key;
    this.rows.push('ops', { ...this.#opColumns(op, sentUs, ackedUs), ...outcomeColumns(outcome) });
    if (outcome.status === 'applied') {
      this.fates.set(op.id, 'promised');
      if (op.id < this.#accepted.length && this.#accepted[op.id] === 2) {
        this.strayPostings += 1; // reported through posted() too, against the contract: keep the first
        return;
      }
      if (op.id < this.#accepted.length) this.#accepted[op.id] = 2;
      this.rows.push('postings', { run_id, strategy, rep, op_id: op.id, intended_us: op.at, posted_us: ackedUs });
    } else if (outcome.status === 'accepted') {
      this.fates.set(op.id, 'promised');
      if (op.id < this.#accepted.length && this.#accepted[op.id] === 0) this.#accepted[op.id] = 1;
    } else {
      this.fates.set(op.id, outcome.reason === 'timeout' || outcome.reason === 'error' ? 'unknown' : 'rejected');
    }
  }

  /** An op upstream never sent (feedback): one `ops` row, status `suppressed`, no send or ack time; its fate stays unsent. */
  suppressed(op: Op): void {
    this.rows.push('ops', {
      ...this.#opColumns(op, -1, -1),
      status: 'suppressed',
      reason: '',
      lock_wait_us: WAIT.notApplicable,
      attempts: 0,
      balance: 0,
      detail: '',
      pool_wait_us: WAIT.notApplicable,
      queue_us: WAIT.notApplicable,
    });
  }

  /** The `ops` row's replay key, op and timing columns: what a settled and a suppressed op share. */
  #opColumns(op: Op, sentUs: Micros, ackedUs: Micros) {
    const { run_id, strategy, rep } = this.key;
    return { run_id, strategy, rep, op_id: op.id, kind: op.kind, account: op.account, amount: op.amount, job: op.job, intended_us: op.at, sent_us: sentUs, acked_us: ackedUs };
  }

  posted(ops: readonly Op[], at: Micros): void {
    const { run_id, strategy, rep } = this.key;
    for (const op of ops) {
      // The strategy may post before the driver has seen the `accepted` outcome (the ack is
      // still in flight), so a posting is recorded whenever it is the op's first.
      const state = op.id < this.#accepted.length ? this.#accepted[op.id] : 2;
      if (state === 2) {
        this.strayPostings += 1;
        continue;
      }
      this.#accepted[op.id] = 2;
      this.postedLater += 1;
      this.rows.push('postings', { run_id, strategy, rep, op_id: op.id, intended_us: op.at, posted_us: at });
    }
  }

  signal(kind: SignalKind, account: number, at: Micros): void {
    this.rows.push('events', { ...this.key, at_us: at, type: 'signal', kind, account, detail: '' });
  }

  sample(name: string, value: number, at: Micros): void {
    if (Number.isFinite(value)) this.rows.push('samples', { ...this.key, t_us: at, name, value });
  }

  note(kind: string, detail: string, at: Micros): void {
    this.rows.push('events', { ...this.key, at_us: at, type: 'note', kind, account: -1, detail: detail.slice(0, 500) });
  }
}
