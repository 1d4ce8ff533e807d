/**
 * Per-account batching: ops for one account queue in a lane; a lane's batch
 * is posted when its oldest op has waited `windowUs` or the lane holds `max`
 * ops, whichever comes first; at most one batch per account is in flight, so
 * an account's ops are posted in arrival order; lanes of different accounts
 * post in parallel (bounded by the pool the poster uses).
 *
 * The batcher knows nothing about SQL: it hands each batch to a
 * {@link PostBatch} function and resolves each op's promise with the outcome
 * that function returns for it. Per op it keeps four array slots and one
 * promise (the contract's); no per-op timers or closures besides the resolve.
 *
 * Waits are counted once per batch: the batch's lock wait and its pool wait
 * (the connection the batch took, timed apart from the op that happened to
 * start it) stay on the batch's first op; every other op of the batch says
 * its waits are there (`waitsOnBatchHead`). Every op carries its own time
 * queued here (`queuedUs`: handed to the batcher → its batch started).
 */
import type { Clock, Micros, Op, Outcome } from '../contract.js';
import { errorDetail } from '../ledger.js';
import { tallyPoolWaits } from '../pool-wait.js';

/**
 * Posts one batch for `account`: `ops[i]` changes the balance by `deltas[i]`,
 * in this order. Returns one outcome per op (the same object may be shared by
 * several ops). A rejection fails every op of the batch with reason `error`.
 */
export type PostBatch = (account: number, ops: readonly Op[], deltas: readonly number[]) => Promise<readonly Outcome[]>;

/** Timing and size of batches. */
export interface BatcherOptions {
  /** Longest an op waits for its batch to start, unless a batch is already in flight for its account, µs. */
  readonly windowUs: Micros;
  /** Most ops in one batch. */
  readonly max: number;
  readonly clock: Clock;
}

/** One account's queue. Parallel arrays rather than objects: this is the hot path. */
interface Lane {
  readonly account: number;
  ops: Op[];
  deltas: number[];
  resolves: ((outcome: Outcome) => void)[];
  /** When each queued op arrived, µs. */
  addedUs: Micros[];
  /** When the oldest queued op arrived, µs. */
  firstAtUs: Micros;
  timer: NodeJS.Timeout | undefined;
  /** A batch of this lane is being posted. */
  busy: boolean;
}

/** Running totals, for observation. */
export interface BatcherStats {
  /** Batches posted (committed or failed). */
  readonly batches: number;
  /** Ops in those batches. */
  readonly batchedOps: number;
  /** Ops queued or in flight now. */
  readonly pending: number;
}

/** Gathers ops per account into batches and posts them through {@link PostBatch}. */
export class AccountBatcher {
  readonly #lanes = new Map<number, Lane>();
  #pending = 0;
  #batches = 0;
  #batchedOps = 0;
  /** Post every queued op at once, without waiting for windows (drain). */
  #flushAll = false;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];

  constructor(
    private readonly post: PostBatch,
    private readonly opts: BatcherOptions,
  ) {}

  /** Queues `op` (signed change `delta`) for its account; resolves with its outcome once its batch is done. */
  add(op: Op, delta: number): Promise<Outcome> {
    if (this.#stopped) return Promise.resolve({ status: 'rejected', reason: 'error', detail: 'aggregate: submit after stop' });
    let lane = this.#lanes.get(op.account);
    if (lane === undefined) {
      lane = { account: op.account, ops: [], deltas: [], resolves: [], addedUs: [], firstAtUs: 0, timer: undefined, busy: false };
      this.#lanes.set(op.account, lane);
    }
    const target = lane;
    this.#pending += 1;
    return new Promise<Outcome>((resolve) => {
      const nowUs = this.opts.clock.now();
      if (target.ops.length === 0) target.firstAtUs = nowUs;
      target.addedUs.push(nowUs);
      target.ops.push(op);
      target.deltas.push(delta);
      target.resolves.push(resolve);
      this.#consider(target);
    });
  }

  /** Posts everything queued now and resolves when no op is queued or in flight. */
  async drain(): Promise<void> {
    this.#flushAll = true;
    try {
      for (const lane of this.#lanes.values()) this.#consider(lane);
      if (this.#pending > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    } finally {
      this.#flushAll = false;
    }
  }

  /** Cancels timers; ops still queued (not in flight) are rejected with `error`. Idempotent. */
  stop(): void {
    this.#stopped = true;
    for (const lane of this.#lanes.values()) {
      if (lane.timer !== undefined) clearTimeout(lane.timer);
      lane.timer = undefined;
      const resolves = lane.resolves;
      lane.ops = [];
      lane.deltas = [];
      lane.resolves = [];
      lane.addedUs = [];
      this.#settled(resolves.length);
      for (const resolve of resolves) resolve({ status: 'rejected', reason: 'error', detail: 'aggregate: stopped before the batch was posted' });
    }
  }

  /** Totals since construction. */
  stats(): BatcherStats {
    return { batches: this.#batches, batchedOps: this.#batchedOps, pending: this.#pending };
  }

  /** Starts the lane's batch if it is due, else makes sure a timer will look again. */
  #consider(lane: Lane): void {
    if (lane.busy || lane.ops.length === 0 || this.#stopped) return;
    const waitUs = lane.firstAtUs + this.opts.windowUs - this.opts.clock.now();
    if (waitUs <= 0 || lane.ops.length >= this.opts.max || this.#flushAll) {
      this.#flush(lane);
    } else if (lane.timer === undefined) {
      // Timers have 1 ms granularity; rounding up never posts before the window.
      lane.timer = setTimeout(() => {
        lane.timer = undefined;
        this.#consider(lane);
      }, Math.ceil(waitUs / 1000));
    }
  }

  #flush(lane: Lane): void {
    if (lane.timer !== undefined) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
    }
    const max = this.opts.max;
    let ops = lane.ops;
    let deltas = lane.deltas;
    let resolves = lane.resolves;
    let addedUs = lane.addedUs;
    if (ops.length > max) {
      lane.ops = ops.slice(max);
      lane.deltas = deltas.slice(max);
      lane.resolves = resolves.slice(max);
      lane.addedUs = addedUs.slice(max);
      ops = ops.slice(0, max);
      deltas = deltas.slice(0, max);
      resolves = resolves.slice(0, max);
      addedUs = addedUs.slice(0, max);
      // The rest arrived while the previous batch was in flight: it is already due.
      lane.firstAtUs = this.opts.clock.now() - this.opts.windowUs;
    } else {
      lane.ops = [];
      lane.deltas = [];
      lane.resolves = [];
      lane.addedUs = [];
    }
    lane.busy = true;
    const startedUs = this.opts.clock.now();
    this.#batches += 1;
    this.#batchedOps += ops.length;
    const resolveAll = (outcomes: readonly Outcome[] | undefined, failure: Outcome | undefined, poolWaitUs: Micros | undefined): void => {
      for (let i = 0; i < resolves.length; i++) {
        const outcome = failure ?? outcomes?.[i] ?? MISSING;
        const queuedUs = startedUs - (addedUs[i] as Micros);
        const own = failure !== undefined ? { ...failure, queuedUs } : i === 0 ? batchHead(outcome, queuedUs, poolWaitUs) : inBatch(outcome, queuedUs);
        (resolves[i] as (o: Outcome) => void)(own);
      }
      this.#settled(resolves.length);
    };
    const done = (outcomes: readonly Outcome[] | undefined, failure: Outcome | undefined, poolWaitUs?: Micros): void => {
      lane.busy = false;
      // Start the next batch before resolving this one, so the database works while the callers'
      // continuations run. The pool sends the next query from a process.nextTick; resolving in a
      // later tick (FIFO) lets that send go first instead of after every op's continuation.
      if (lane.ops.length > 0) this.#consider(lane);
      else if (lane.timer === undefined) this.#lanes.delete(lane.account);
      process.nextTick(resolveAll, outcomes, failure, poolWaitUs);
    };
    // The batch takes its connection in a tally of its own, not in that of the op whose arrival started it.
    tallyPoolWaits(() => this.post(lane.account, ops, deltas)).then(
      (posted) => done(posted.value, undefined, posted.poolWaitUs),
      (err: unknown) => done(undefined, { status: 'rejected', reason: 'error', detail: errorDetail(err) }),
    );
  }

  #settled(count: number): void {
    this.#pending -= count;
    if (this.#pending === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}

/** The batch's first op: its outcome with the batch's waits (lock wait as posted, pool wait as timed) and its own queue time. */
function batchHead(outcome: Outcome, queuedUs: Micros, poolWaitUs: Micros | undefined): Outcome {
  return poolWaitUs === undefined ? { ...outcome, queuedUs } : { ...outcome, queuedUs, poolWaitUs };
}

/** Another op of the batch: its waits are the head's, so it carries none, only its own queue time. */
function inBatch(outcome: Outcome, queuedUs: Micros): Outcome {
  const { lockWaitUs: _lock, poolWaitUs: _pool, ...rest } = outcome;
  return { ...rest, queuedUs, waitsOnBatchHead: true };
}

const MISSING: Outcome = { status: 'rejected', reason: 'error', detail: 'aggregate: the batch returned no outcome for this op' };
