/**
 * `read-write-split` (seed 002 方案7 读写分离): balance reads go to a streaming
 * replica, writes to the primary. Writes are `atomic`'s single conditional
 * statement, so the ledger stays correct; what the replica adds is a read
 * path that no longer competes with the hot row's writers, at the price of
 * answers that may be stale by the replication lag ("同步数据时,可能存在读库和
 * 写入不一致情况").
 */
import type { Pool } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Observable, Op, Outcome, StrategyContext, StrategyDefinition } from '../contract.js';
import { errorDetail, readBalance, sqlState, toInt } from '../ledger.js';
import { LedgerStrategy } from '../ledger-strategy.js';
import { postAtomic } from '../atomic/index.js';
import { readWriteSplitParams, type ReadWriteSplitParams } from './params.js';
import { replicaPortOf, type ReplicaPort } from '../ports.js';

/** How long `setup` waits for the freshly seeded ledger to reach the replica, ms. */
const REPLICA_SEED_WAIT_MS = 60_000;
/**
 * Pause between two lag probes, ms. The runner samples once a second, but
 * replication lag comes in bursts of a few ms; probing ten times as often and
 * reporting the worst catches them.
 */
const LAG_PROBE_EVERY_MS = 100;

/** The `read-write-split` strategy. */
export class ReadWriteSplitStrategy extends LedgerStrategy implements Observable {
  #port: ReplicaPort | undefined;
  #replica: Pool | undefined;
  /** Largest lag probed since the last `observe()`, µs; undefined before the first probe. */
  #worstLagUs: number | undefined;
  #probing: Promise<void> | undefined;
  #probeEnded = false;

  constructor(private readonly params: ReadWriteSplitParams) {
    super('read-write-split');
  }

  /** Seeds the ledger on the primary, then waits until the replica has it (reads before that would fail). */
  override async setup(ctx: StrategyContext): Promise<void> {
    this.#port = replicaPortOf(ctx);
    await super.setup(ctx);
    this.#replica = this.#port.pool({ applicationName: 'hotbench-read-write-split-replica' });
    await waitForSeed(this.#replica, ctx.accounts.length, ctx.abort);
    this.#probing = this.#probeLag(this.#port);
  }

  /** Probes the replication lag every {@link LAG_PROBE_EVERY_MS} until `drain()` or `stop()`, keeping the worst. */
  async #probeLag(port: ReplicaPort): Promise<void> {
    while (!this.#probeEnded) {
      try {
        const lag = await port.lagUs();
        this.#worstLagUs = Math.max(this.#worstLagUs ?? 0, lag);
      } catch (err) {
        if (!this.#probeEnded) this.ctx.events.note('lag_probe_failed', errorDetail(err), this.ctx.clock.now());
      }
      await sleep(LAG_PROBE_EVERY_MS);
    }
  }

  /** `read` ops are answered by the replica; everything else goes through {@link write}. Never throws. */
  override async submit(op: Op): Promise<Outcome> {
    if (op.kind !== 'read') return super.submit(op);
    try {
      return { status: 'applied', balance: await readBalance(this.#replicaPool(), op.account) };
    } catch (err) {
      return { status: 'rejected', reason: 'error', detail: errorDetail(err) };
    }
  }

  /** With `precheck`, a debit the replica says cannot be covered is declined there; the rest is `atomic` on the primary. */
  protected async write(op: Op, delta: number): Promise<Outcome> {
    if (this.params.precheck && delta < 0) {
      const seen = await readBalance(this.#replicaPool(), op.account);
      const floor = this.ctx.accounts[op.account]?.floor ?? 0;
      if (seen + delta < floor) return { status: 'rejected', reason: 'insufficient_funds', detail: `the replica showed ${seen}` };
    }
    return postAtomic(this.pool, op, delta, this.counterLegs(op, delta)[0]?.account ?? null);
  }

  /**
   * `replication_lag_us`: the worst replication lag probed since the previous
   * observation (see {@link ReplicaPort.lagUs}: how long a commit on the
   * primary takes to become visible on the replica), probed every 100 ms.
   */
  async observe(): Promise<readonly { readonly name: string; readonly value: number }[]> {
    const worst = this.#worstLagUs;
    this.#worstLagUs = undefined;
    return worst === undefined ? [] : [{ name: 'replication_lag_us', value: worst }];
  }

  /**
   * Nothing is deferred; the run's traffic is over, so the lag probe ends
   * (the sampler's last observation still reports the worst lag it saw), before
   * the runner releases the replica's pools.
   */
  override async drain(): Promise<void> {
    this.#probeEnded = true;
    await this.#probing;
  }

  /** Ends the lag probe if `drain()` did not (the runner ends the pools). Idempotent. */
  override async stop(): Promise<void> {
    this.#probeEnded = true;
    await this.#probing;
  }

  #replicaPool(): Pool {
    if (this.#replica === undefined) throw new Error('read-write-split: submit before setup');
    return this.#replica;
  }
}

/** Polls the replica until its `accounts` table holds the `rows` seeded on the primary. */
async function waitForSeed(replica: Pool, rows: number, abort: AbortSignal): Promise<void> {
  const deadline = Date.now() + REPLICA_SEED_WAIT_MS;
  for (;;) {
    try {
      const res = await replica.query<{ n: string }>('SELECT count(*) AS n FROM accounts');
      if (toInt(res.rows[0]?.n ?? 0) >= rows) return;
    } catch (err) {
      if (sqlState(err) !== '42P01') throw err; // undefined_table: not replicated yet
    }
    if (abort.aborted) throw new Error('read-write-split: interrupted while waiting for the replica');
    if (Date.now() > deadline) throw new Error(`read-write-split: the seeded ledger did not reach the replica within ${REPLICA_SEED_WAIT_MS / 1000} s`);
    await sleep(10);
  }
}

/** Registry entry for `read-write-split`. */
export const readWriteSplit: StrategyDefinition<ReadWriteSplitParams> = {
  name: 'read-write-split',
  summary: 'balance reads from a streaming replica, atomic writes on the primary: read offload vs stale reads and replication lag',
  source: 'seed 002 方案7 (读写分离)',
  needs: ['postgres', 'replica'],
  params: readWriteSplitParams,
  create: (params) => new ReadWriteSplitStrategy(params),
};
