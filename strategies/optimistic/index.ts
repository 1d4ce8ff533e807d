/**
 * `optimistic`: version check and retry (seed 001 §4). Read balance and
 * version without a lock, insert the entry, then `UPDATE ... WHERE version =
 * $V`; if another writer got there first, roll back and try again after a
 * short jittered pause, up to `retries` times.
 *
 * Posting order holds although the entry is inserted before the row is
 * locked: two attempts can only both succeed if the second read the version
 * the first committed, so the second's INSERT (and its `seq`) comes after the
 * first's.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Op, Outcome, StrategyDefinition } from '../contract.js';
import { inTransaction, LOCK_WAIT_US_SQL, postCounterLegs, sqlState, toInt } from '../ledger.js';
import { LedgerStrategy } from '../ledger-strategy.js';
import { optimisticParams, type OptimisticParams } from './params.js';

/** Step 1: the unlocked read. */
export const OPTIMISTIC_READ_SQL = 'SELECT balance, floor, version FROM accounts WHERE id = $1';
/** Step 2: the entry, with the balance it expects to leave. */
export const OPTIMISTIC_INSERT_SQL = 'INSERT INTO entries (op_id, account_id, owner, delta, balance_after) VALUES ($1, $2, $3, $4, $5)';
/**
 * Step 3: the versioned update. It waits for a concurrent writer's row lock,
 * so it returns that wait; the aggregate makes it return one row (and the
 * wait) even when the version moved and no row was updated.
 */
export const OPTIMISTIC_UPDATE_SQL = `
  WITH u AS (UPDATE accounts SET balance = $2, version = version + 1 WHERE id = $1 AND version = $3 RETURNING 1),
       n AS MATERIALIZED (SELECT count(*) AS updated FROM u)
  SELECT n.updated, ${LOCK_WAIT_US_SQL} AS lock_wait_us FROM n`;

type Attempt =
  | { readonly kind: 'applied' | 'insufficient'; readonly lockWaitUs: number }
  | { readonly kind: 'conflict'; readonly lockWaitUs: number };

/** The `optimistic` strategy. */
export class OptimisticStrategy extends LedgerStrategy {
  constructor(private readonly params: OptimisticParams) {
    super('optimistic');
  }

  protected async write(op: Op, delta: number): Promise<Outcome> {
    const maxAttempts = this.params.retries + 1;
    // Lock wait: the measured waits of the last attempt, plus the whole time each conflicting attempt
    // lost (start to conflict known, rollback included). Under repeatable read a losing UPDATE ends in
    // 40001 after its wait, which the server never reports; timing the attempt counts it all the same.
    let lockWaitUs = 0;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const startedUs = this.ctx.clock.now();
      const result = await this.attempt(op, delta);
      lockWaitUs += result.kind === 'conflict' ? Math.max(result.lockWaitUs, this.ctx.clock.now() - startedUs) : result.lockWaitUs;
      if (result.kind === 'applied') return { status: 'applied', lockWaitUs, attempts: attempt };
      if (result.kind === 'insufficient') return { status: 'rejected', reason: 'insufficient_funds', lockWaitUs, attempts: attempt };
      if (attempt < maxAttempts) {
        if (this.ctx.abort.aborted) return { status: 'rejected', reason: 'error', detail: `aborted after ${attempt} version conflicts`, lockWaitUs, attempts: attempt };
        await sleep(this.backoffMs(attempt));
      }
    }
    return { status: 'rejected', reason: 'error', detail: `gave up after ${maxAttempts} version conflicts`, lockWaitUs, attempts: maxAttempts };
  }

  private async attempt(op: Op, delta: number): Promise<Attempt> {
    const isolation = this.params.isolation === 'repeatable-read' ? 'repeatable read' : 'read committed';
    try {
      return await inTransaction(this.pool, isolation, async (client, rollback): Promise<Attempt> => {
        const read = await client.query<{ balance: string; floor: string; version: string }>({ name: 'hotbench_optimistic_read', text: OPTIMISTIC_READ_SQL, values: [op.account] });
        const row = read.rows[0];
        if (row === undefined) throw new Error(`account ${op.account} does not exist`);
        const after = toInt(row.balance) + delta;
        if (delta < 0 && after < toInt(row.floor)) {
          await rollback();
          return { kind: 'insufficient', lockWaitUs: 0 };
        }
        await client.query({ name: 'hotbench_optimistic_insert', text: OPTIMISTIC_INSERT_SQL, values: [op.id, op.account, op.account, delta, after] });
        const upd = await client.query<{ updated: string; lock_wait_us: string }>({ name: 'hotbench_optimistic_update', text: OPTIMISTIC_UPDATE_SQL, values: [op.account, after, row.version] });
        const lockWaitUs = Math.max(0, toInt(upd.rows[0]?.lock_wait_us ?? 0));
        if (toInt(upd.rows[0]?.updated ?? 0) === 0) {
          await rollback();
          return { kind: 'conflict', lockWaitUs };
        }
        // Double entry: the counterparty leg in the same transaction (under repeatable read a
        // counterparty row changed since the snapshot is a conflict too: 40001, retried).
        const counterWaitUs = await postCounterLegs(client, this.counterLegs(op, delta));
        return { kind: 'applied', lockWaitUs: lockWaitUs + counterWaitUs };
      });
    } catch (err) {
      // 40001: under repeatable read, the row changed after our snapshot.
      if (sqlState(err) === '40001') return { kind: 'conflict', lockWaitUs: 0 };
      throw err;
    }
  }

  /** Full-jitter exponential backoff, in ms (setTimeout's unit). */
  private backoffMs(attempt: number): number {
    const capUs = Math.min(this.params.backoff * 2 ** (attempt - 1), this.params.backoff * 32);
    return (Math.random() * capUs) / 1000;
  }
}

/** Registry entry for `optimistic`. */
export const optimistic: StrategyDefinition<OptimisticParams> = {
  name: 'optimistic',
  summary: 'read without a lock, UPDATE ... WHERE version = V, retry on conflict: no lock queue, but retries and give-ups under contention',
  source: 'seed 001 §4',
  needs: ['postgres'],
  loadShards: true,
  params: optimisticParams,
  // Gives an op up as `error` when its retries run out on a contended row.
  traits: { mayGiveUp: true },
  create: (params) => new OptimisticStrategy(params),
};
