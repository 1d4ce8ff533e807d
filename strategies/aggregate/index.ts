/**
 * `aggregate`: per-account batches (seeds 000 "batch deduction", 002 方案3,
 * 004 "User Account Batch Processing"). Ops for one account are gathered for
 * a short window; one transaction per batch locks the balance row once,
 * validates each op in order against the running balance, inserts all
 * accepted entries in one statement and updates the balance once. Callers
 * get `applied` only after the commit, so it is synchronous from their view
 * and strict: a debit is never posted past the floor.
 */
import type { Observable, Op, Outcome, StrategyContext, StrategyDefinition } from '../contract.js';
import { inTransaction, postCounterLegs } from '../ledger.js';
import { LedgerStrategy } from '../ledger-strategy.js';
import { AccountBatcher } from './batcher.js';
import { aggregateParams, type AggregateParams } from './params.js';
import { postBatch } from './post-batch.js';

/** The `aggregate` strategy. */
export class AggregateStrategy extends LedgerStrategy implements Observable {
  #batcher: AccountBatcher | undefined;
  /** `counter=batched`: batches the counterparty legs per counterparty account. */
  #counterBatcher: AccountBatcher | undefined;
  /** Balance per logical account as of its last committed batch (this strategy is the only writer). */
  readonly #committed: number[] = [];
  #observed = { batches: 0, batchedOps: 0 };
  /** Batches that needed the checked path (near the floor), since the last observation. */
  #checked = 0;

  constructor(private readonly params: AggregateParams) {
    super('aggregate');
  }

  override async setup(ctx: StrategyContext): Promise<void> {
    await super.setup(ctx);
    for (const a of ctx.accounts) this.#committed[a.id] = a.balance;
    const pool = this.pool;
    const sameTransaction = this.params.counter === 'same';
    this.#batcher = new AccountBatcher(
      async (account, ops, deltas) => {
        const result = await postBatch(pool, account, ops, deltas, sameTransaction ? (op, delta) => this.counterLegs(op, delta) : undefined);
        this.#committed[account] = result.balance;
        if (!result.fast) this.#checked += 1;
        return result.outcomes;
      },
      { windowUs: this.params.window, max: this.params.max, clock: ctx.clock },
    );
    if (!sameTransaction) {
      // One transaction per counterparty batch: the legs' entries and one balance update (credits never fail).
      this.#counterBatcher = new AccountBatcher(
        async (account, ops, deltas) => {
          const lockWaitUs = await inTransaction(pool, 'read committed', (client) => postCounterLegs(client, ops.map((op, i) => ({ opId: op.id, account, delta: deltas[i] as number }))));
          const applied: Outcome = { status: 'applied', lockWaitUs };
          return ops.map(() => applied);
        },
        { windowUs: this.params.window, max: this.params.max, clock: ctx.clock },
      );
    }
  }

  override async submit(op: Op): Promise<Outcome> {
    if (op.kind === 'read' && this.params.reads === 'committed') {
      const balance = this.#committed[op.account];
      if (balance === undefined) return { status: 'rejected', reason: 'error', detail: `account ${op.account} does not exist` };
      return { status: 'applied', balance };
    }
    return super.submit(op);
  }

  protected async write(op: Op, delta: number): Promise<Outcome> {
    if (this.#batcher === undefined) throw new Error('aggregate: submit before setup');
    const own = await this.#batcher.add(op, delta);
    const leg = this.#counterBatcher === undefined || own.status !== 'applied' ? undefined : this.counterLegs(op, delta)[0];
    if (leg === undefined) return own;
    // counter=batched: applied once the counterparty's batch committed too.
    // The counter batcher batches by the op's account: hand it the op as seen from the counterparty.
    const counter = await this.#counterBatcher!.add({ ...op, account: leg.account }, leg.delta).catch((err: unknown) => ({ status: 'rejected', reason: 'error', detail: String(err) }) as const);
    if (counter.status !== 'applied') {
      return { status: 'rejected', reason: 'error', detail: `posted, but its counterparty leg failed: ${counter.status === 'rejected' ? (counter.detail ?? counter.reason) : counter.status}` };
    }
    return bothBatches(own, counter);
  }

  /** Posts every queued op now (no window wait) and waits for the batches to commit. */
  override async drain(): Promise<void> {
    await this.#batcher?.drain();
    await this.#counterBatcher?.drain();
  }

  override async stop(): Promise<void> {
    this.#batcher?.stop();
    this.#counterBatcher?.stop();
  }

  /**
   * `aggregate_batch_ops`: mean ops per batch since the previous observation
   * (0 when no batch was posted); `aggregate_pending_ops`: ops queued or in
   * flight now; `aggregate_checked_batches`: batches since the previous
   * observation that the one-statement path could not post (the balance did
   * not cover all their debits) and that were validated op by op.
   */
  async observe(): Promise<readonly { readonly name: string; readonly value: number }[]> {
    const s = this.#batcher?.stats();
    if (s === undefined) return [];
    const batches = s.batches - this.#observed.batches;
    const ops = s.batchedOps - this.#observed.batchedOps;
    this.#observed = { batches: s.batches, batchedOps: s.batchedOps };
    const checked = this.#checked;
    this.#checked = 0;
    return [
      { name: 'aggregate_batch_ops', value: batches === 0 ? 0 : ops / batches },
      { name: 'aggregate_pending_ops', value: s.pending },
      { name: 'aggregate_checked_batches', value: checked },
    ];
  }
}

/**
 * An op posted by two batches (its own account's, then its counterparty's):
 * the waits it carries for either batch (it may head one and not the other),
 * its queue time in both, and `waitsOnBatchHead` only when it heads neither.
 */
function bothBatches(own: Outcome, counter: Outcome): Outcome {
  const sum = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : a + b);
  const lockWaitUs = sum(own.lockWaitUs, counter.lockWaitUs);
  const poolWaitUs = sum(own.poolWaitUs, counter.poolWaitUs);
  const queuedUs = sum(own.queuedUs, counter.queuedUs);
  return {
    status: 'applied',
    ...(lockWaitUs === undefined ? {} : { lockWaitUs }),
    ...(poolWaitUs === undefined ? {} : { poolWaitUs }),
    ...(queuedUs === undefined ? {} : { queuedUs }),
    ...(own.waitsOnBatchHead === true && counter.waitsOnBatchHead === true ? { waitsOnBatchHead: true } : {}),
  };
}

/** Registry entry for `aggregate`. */
export const aggregate: StrategyDefinition<AggregateParams> = {
  name: 'aggregate',
  summary: 'per-account batches: one transaction locks the row once, validates each op in order, inserts all entries, updates the balance once; strict, adds up to a window of latency',
  source: 'seed 000 (batch deduction), seed 002 方案3, seed 004',
  needs: ['postgres'],
  loadShards: true,
  params: aggregateParams,
  create: (params) => new AggregateStrategy(params),
};
