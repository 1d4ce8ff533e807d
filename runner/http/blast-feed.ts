/**
 * What `blast` sends and records: the scenario's op stream, repeated as often
 * as a closed loop asks for it, turned into API requests; and each answer
 * turned into an `ops` row. In a closed loop an op is sent when a connection
 * is free, so its intended time is its send time.
 */
import { generateOps, type Plan } from '../../scenarios/index.js';
import type { Clock, Op } from '../../strategies/contract.js';
import { WAIT, type OpRow } from '../../results/rows.js';
import { outcomeOf, requestFor } from './api.js';
import { outcomeColumns } from '../replay/sink.js';

/**
 * The plan's ops in order, forever: when the stream ends it starts again.
 * Ids continue (`firstOpId`, `firstOpId + 1`, ...) so every op sent has its
 * own id, as the API requires.
 */
export class OpFeed {
  #ops: Generator<Op, void, undefined>;
  #nextId: number;
  /** How many times the stream has been restarted. */
  cycles = 0;

  constructor(
    private readonly plan: Plan,
    firstOpId = 0,
  ) {
    this.#ops = generateOps(plan);
    this.#nextId = firstOpId;
  }

  /** The next op (never ends unless the plan has no op at all). */
  next(): Op {
    let step = this.#ops.next();
    if (step.done) {
      this.cycles += 1;
      this.#ops = generateOps(this.plan);
      step = this.#ops.next();
      if (step.done) throw new Error(`scenario ${this.plan.name} generates no op`);
    }
    return { ...step.value, id: this.#nextId++ };
  }
}

/** One sent op awaiting its answer. */
interface Sent {
  readonly op: Op;
  readonly sentUs: number;
}

/** Identifies the blast in every row. */
export interface BlastKey {
  readonly run_id: string;
  readonly strategy: string;
  readonly rep: number;
}

/**
 * Tracks ops between send and answer, and makes the `ops` row of each. The
 * connection's context carries the op id from `setupRequest` to `onResponse`
 * (autocannon keeps one request in flight per connection without pipelining).
 */
export class BlastLedger {
  readonly #inFlight = new Map<number, Sent>();
  /** Answers by outcome. */
  readonly counts = { sent: 0, answered: 0, applied: 0, accepted: 0, rejected: 0 };

  constructor(
    private readonly key: BlastKey,
    private readonly clock: Clock,
    private readonly push: (row: OpRow) => void,
  ) {}

  /** Records that `op` is being sent now. */
  sent(op: Op): void {
    this.counts.sent += 1;
    this.#inFlight.set(op.id, { op, sentUs: this.clock.now() });
  }

  /** Records the answer to op `id` (HTTP status and body text). Unknown ids are ignored. */
  answered(id: number, status: number, body: string): void {
    const entry = this.#inFlight.get(id);
    if (entry === undefined) return;
    this.#inFlight.delete(id);
    const ackedUs = this.clock.now();
    const outcome = outcomeOf(status, body);
    this.counts.answered += 1;
    this.counts[outcome.status] += 1;
    this.push({ ...this.#base(entry), acked_us: ackedUs, ...outcomeColumns(outcome) });
  }

  /**
   * Settles the ops still without an answer when the blast ended. One in
   * flight for at least `timeoutUs` lost its answer (its connection timed out
   * and autocannon reconnected): a `timeout` rejection with no ack time, its
   * fate unknown. One sent less than `timeoutUs` before the end was simply
   * cut off by the end of the closed loop: it is not recorded (it has no
   * outcome to record), only counted.
   */
  unanswered(timeoutUs: number): { timedOut: number; cutOff: number } {
    const now = this.clock.now();
    let timedOut = 0;
    let cutOff = 0;
    for (const entry of this.#inFlight.values()) {
      if (now - entry.sentUs < timeoutUs) {
        cutOff += 1;
        continue;
      }
      timedOut += 1;
      this.counts.rejected += 1;
      this.push({ ...this.#base(entry), acked_us: -1, status: 'rejected', reason: 'timeout', lock_wait_us: WAIT.notMeasured, attempts: 1, balance: 0, detail: `no answer within ${timeoutUs / 1e6} s`, pool_wait_us: WAIT.notMeasured, queue_us: WAIT.notMeasured });
    }
    this.#inFlight.clear();
    return { timedOut, cutOff };
  }

  #base({ op, sentUs }: Sent) {
    return { ...this.key, op_id: op.id, kind: op.kind, account: op.account, amount: op.amount, job: op.job, intended_us: sentUs, sent_us: sentUs };
  }
}

/** An autocannon request for `op` under the target's base path. */
export function autocannonRequest(op: Op, basePath: string): { method: string; path: string; body?: string; headers?: Record<string, string> } {
  const { method, path, body } = requestFor(op, basePath);
  return body === undefined ? { method, path } : { method, path, body, headers: { 'content-type': 'application/json' } };
}
