/**
 * Pool wait (DESIGN.md §5): per op, the time it spent queueing for a
 * PostgreSQL connection inside the client's pool, apart from any lock wait.
 *
 * One mechanism for every strategy, so no strategy has to measure it: the
 * runner hands out pools through {@link timePoolWaits}, which times each
 * `connect()` (and so each `pool.query()`, which connects through it), and
 * calls `submit` through {@link tallyPoolWaits}, which gives the op its own
 * tally for the time of the call. A connection taken while the op is being
 * submitted, by the strategy or by an inner strategy it wraps, is added to
 * that op's tally; connections taken by background work that was started
 * outside any op (consumers, roll-ups, flushes) are counted nowhere.
 *
 * A strategy that posts several ops in one go (a batch) runs the batch's
 * work through {@link tallyPoolWaits} itself: the batch's one wait is its
 * own, which the strategy reports once (see `OutcomeCommon.waitsOnBatchHead`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient } from 'pg';
import type { Clock, Micros, Outcome } from './contract.js';

/** The connections one op (or one batch) waited for. */
class Tally {
  /** µs waited for connections, summed over every one taken. */
  waitedUs = 0;
  /** Connections acquired. */
  acquired = 0;
}

const current = new AsyncLocalStorage<Tally>();
/**
 * Whether any pool has been timed in this process. Until one is, no op can
 * take a timed connection, so ops are submitted without a tally: running an
 * AsyncLocalStorage turns on Node 20's promise hooks for the whole process
 * (measured: 0.37–0.43 µs of CPU per op of two awaits bare, 0.96–1.07 µs
 * with a store run per op), a cost the in-process driver ceiling and the
 * non-PostgreSQL strategies should not pay for a figure they do not have.
 */
let anyPoolTimed = false;
const TIMED = Symbol('hotbench.timedPool');

type ConnectCallback = (err: Error | undefined, client: PoolClient | undefined, done: (release?: unknown) => void) => void;

/**
 * Makes `pool` time its `connect()` calls on `clock` and add each wait to the
 * tally of the op being submitted (nothing when none is). Returns the same
 * pool; patching twice is harmless.
 */
export function timePoolWaits(pool: Pool, clock: Clock): Pool {
  const tagged = pool as Pool & { [TIMED]?: true };
  if (tagged[TIMED]) return pool;
  tagged[TIMED] = true;
  anyPoolTimed = true;
  const connect = pool.connect.bind(pool) as (cb?: ConnectCallback) => Promise<PoolClient> | undefined;
  const timed = (cb?: ConnectCallback): Promise<PoolClient> | undefined => {
    const tally = current.getStore();
    if (tally === undefined) return connect(cb);
    const startUs = clock.now();
    const count = (): void => {
      tally.waitedUs += clock.now() - startUs;
      tally.acquired += 1;
    };
    if (cb !== undefined) {
      return connect((err, client, done) => {
        if (err === undefined || err === null) count();
        cb(err, client, done);
      });
    }
    return (connect() as Promise<PoolClient>).then((client) => {
      count();
      return client;
    });
  };
  (pool as unknown as { connect: typeof timed }).connect = timed;
  return pool;
}

/** What {@link tallyPoolWaits} measured besides the result. */
export interface Tallied<T> {
  readonly value: T;
  /** µs waited for pool connections while `fn` ran; undefined when it took none. */
  readonly poolWaitUs: Micros | undefined;
}

/**
 * Runs `fn` with a fresh pool-wait tally: connections it takes (directly or
 * through anything it awaits) through a pool of {@link timePoolWaits} are
 * counted in it, and not in any tally around it.
 */
export async function tallyPoolWaits<T>(fn: () => Promise<T>): Promise<Tallied<T>> {
  const tally = new Tally();
  const value = await current.run(tally, fn);
  return { value, poolWaitUs: tally.acquired > 0 ? tally.waitedUs : undefined };
}

/**
 * Submits through `submit` with a fresh tally and puts the measured pool wait
 * on the outcome, unless the strategy reported its own (a batch) or took no
 * connection for this op.
 */
export function submitWithPoolWait(submit: () => Promise<Outcome>): Promise<Outcome> {
  // Not async itself: with no pool timed, the op's own promise is handed back, with no extra frame on the hot path.
  return anyPoolTimed ? submitTallied(submit) : submit();
}

async function submitTallied(submit: () => Promise<Outcome>): Promise<Outcome> {
  const { value, poolWaitUs } = await tallyPoolWaits(submit);
  if (poolWaitUs === undefined || value.poolWaitUs !== undefined || value.waitsOnBatchHead === true) return value;
  return { ...value, poolWaitUs };
}
