/**
 * Across HTTP, a served strategy reports postings for the ops *it* built from
 * requests (stamped with their arrival time, or, in a child process, with
 * another process's view of the clock). The runner must record postings
 * against the driver's own ops, whose `at` is the intended time. The tracker
 * keeps each submitted op until its fate is final (applied, rejected, or
 * accepted and then posted) and maps a posting back to it by op id.
 */
import type { EventSink, Micros, Op, Outcome, SignalKind } from '../../strategies/contract.js';

/** The driver's ops in flight or awaiting their posting, by id. */
export class OpTracker {
  readonly #ops = new Map<number, Op>();
  /** Postings reported for ops this tracker does not hold (never sent, or already final). */
  strays = 0;

  /** Remembers `op` before it is sent (a posting may overtake the HTTP answer). */
  sent(op: Op): void {
    this.#ops.set(op.id, op);
  }

  /** The answer came back: applied and rejected ops are final; accepted ones wait for their posting. */
  answered(op: Op, outcome: Outcome): void {
    if (outcome.status !== 'accepted') this.#ops.delete(op.id);
  }

  /** The driver's ops for posted ids (each returned once); unknown ids count as {@link strays}. */
  take(ids: Iterable<number>): Op[] {
    const found: Op[] = [];
    for (const id of ids) {
      const op = this.#ops.get(id);
      if (op === undefined) {
        this.strays += 1;
        continue;
      }
      this.#ops.delete(id);
      found.push(op);
    }
    return found;
  }

  /** Ops still held (accepted, not yet posted). */
  get size(): number {
    return this.#ops.size;
  }

  /**
   * Submits `op` through `client` (the served strategy's HTTP client; undefined
   * before setup, answered `error`), holding it from before it is sent until
   * its answer says it is final: the one submit of every HTTP-wrapped strategy.
   */
  async submitThrough(client: { submit(op: Op): Promise<Outcome> } | undefined, op: Op): Promise<Outcome> {
    if (client === undefined) return { status: 'rejected', reason: 'error', detail: 'submit before setup' };
    this.sent(op);
    const outcome = await client.submit(op);
    this.answered(op, outcome);
    return outcome;
  }
}

/**
 * An {@link EventSink} for the served strategy that passes everything to the
 * runner's sink, with postings mapped back to the driver's ops.
 */
export class RemappingSink implements EventSink {
  constructor(
    private readonly target: EventSink,
    private readonly tracker: OpTracker,
  ) {}

  posted(ops: readonly Op[], at: Micros): void {
    this.postedIds(
      ops.map((o) => o.id),
      at,
    );
  }

  /** As {@link posted}, from bare ids (what a child process sends). */
  postedIds(ids: readonly number[], at: Micros): void {
    const ops = this.tracker.take(ids);
    if (ops.length > 0) this.target.posted(ops, at);
  }

  signal(kind: SignalKind, account: number, at: Micros): void {
    this.target.signal(kind, account, at);
  }

  sample(name: string, value: number, at: Micros): void {
    this.target.sample(name, value, at);
  }

  note(kind: string, detail: string, at: Micros): void {
    this.target.note(kind, detail, at);
  }
}
