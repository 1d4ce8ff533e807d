/**
 * The open-loop load driver. Every op has an intended send time; the driver
 * sends it then (or as soon after as it can), whatever the strategy is doing,
 * and every latency is measured from the intended time, so a stalled strategy
 * cannot hide its stall (coordinated omission, DESIGN.md §5).
 *
 * A concurrency cap bounds the ops in flight. An op that cannot be sent within
 * `lateThresholdUs` of its intended time (cap reached, or the driver itself
 * behind) is counted as late; it is still sent, never dropped, and its latency
 * still starts at its intended time. The op stream is pulled lazily from the
 * generator only when an op is due, so the backlog costs no memory.
 */
import type { Clock, Micros, Op, Outcome, Strategy } from '../../strategies/contract.js';
import { submitWithPoolWait } from '../../strategies/pool-wait.js';
import type { UpstreamGate } from './feedback.js';
import { LogHistogram } from './histogram.js';

/** Receives every op's fate exactly once. */
export interface DriveSink {
  /**
   * The op's outcome is known. `ackedUs` is -1 when the driver gave up waiting
   * (the outcome is then `rejected` with reason `timeout`).
   */
  settled(op: Op, sentUs: Micros, ackedUs: Micros, outcome: Outcome): void;
  /** Upstream did not send the op (the gate suppressed it, see `feedback.ts`): it has no outcome. */
  suppressed?(op: Op): void;
}

/** Options for {@link OpenLoopDriver}. */
export interface DriveOptions {
  /** The schedule clock: its 0 is the op stream's time 0. */
  readonly clock: Clock;
  /** Most ops in flight at once (the cap). Default 512. */
  readonly concurrency?: number;
  /** An op sent more than this after its intended time is late, µs. Default 5,000. */
  readonly lateThresholdUs?: Micros;
  /** After the last op is sent, how long to wait for outstanding outcomes, µs. Default 30 s. */
  readonly drainTimeoutUs?: Micros;
  /**
   * While the cap is full, an op still unanswered this long after it was
   * sent is given up (recorded as `timeout`), so ops that never answer cannot
   * hold every slot and stop the run, µs. Checked about once a second.
   * Default 30 s.
   */
  readonly opTimeoutUs?: Micros;
  /** After an interruption, how long to wait for outstanding outcomes, µs. Default 5 s. */
  readonly interruptGraceUs?: Micros;
  /** Stops sending when aborted (Ctrl-C, a failed strategy). */
  readonly abort?: AbortSignal;
  /** Upstream's feedback: an op it suppresses is not sent (see `feedback.ts`). Default: every op is sent. */
  readonly gate?: UpstreamGate;
}

/** What one replay did, from the driver's point of view. */
export interface DriveResult {
  /** Ops handed to the strategy. */
  readonly sent: number;
  /** Ops sent later than the late threshold. */
  readonly late: number;
  /** Ops upstream did not send (feedback: its delivery was stopped); neither sent nor lost. */
  readonly suppressed: number;
  /** Ops whose outcome never came (recorded as `timeout`). */
  readonly timedOut: number;
  /** True when the abort signal stopped sending before the stream ended. */
  readonly interrupted: boolean;
  /** Schedule time of the last outcome, µs (0 if none). */
  readonly lastAckUs: Micros;
  /** Largest number of ops in flight at once. */
  readonly maxInFlight: number;
}

/** Live counters for progress lines; cheap to read at any time. */
export interface LiveSnapshot {
  readonly nowUs: Micros;
  readonly sent: number;
  readonly ok: number;
  readonly rejected: number;
  readonly errors: number;
  readonly late: number;
  readonly inFlight: number;
  /** How far the driver is behind schedule (intended time of the next due op vs now), µs; 0 when on time. */
  readonly behindUs: Micros;
  /** Ack latency so far, approximate (±1%), µs. */
  readonly p99Us: number;
  readonly maxUs: number;
}

type ResolvedDriveOptions = Required<Omit<DriveOptions, 'abort' | 'gate'>> & { abort?: AbortSignal; gate?: UpstreamGate };

const DEFAULTS = { concurrency: 512, lateThresholdUs: 5_000, drainTimeoutUs: 30_000_000, opTimeoutUs: 30_000_000, interruptGraceUs: 5_000_000 };
/** How often a driver waiting on a full cap looks for ops to give up, µs. */
const STALE_CHECK_US = 1_000_000;

/** Sends are batched between yields to the event loop so I/O keeps flowing at high rates. */
const SENDS_PER_YIELD = 256;

/**
 * Gaps shorter than a timer's 1 ms, with no op in flight, are slept in the
 * thread (a futex wait) in steps of at most MAX_BLOCK_US, not spun through
 * the event loop. Perf (bench:driver, per-thread CPU from /proc): spinning
 * kept the main thread 100% busy at 30k ops/s on 2 cores, so the scheduler
 * treated it as a CPU hog and ClickHouse's ingest threads preempted it for
 * whole time slices (the 5 ms stalls behind most late ops). A thread that
 * sleeps is woken ahead of them. Steps stay short so I/O (timers, the
 * recorder's inserts) is never held up long.
 */
const MIN_BLOCK_US = 20;
const MAX_BLOCK_US = 200;
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** Blocks this thread for about `us` (never wakes early on its own; Linux adds up to ~50 µs of timer slack). */
function blockUs(us: Micros): void {
  Atomics.wait(SLEEPER, 0, 0, us / 1000);
}

/** Replays an op stream against a strategy on an open-loop schedule. */
export class OpenLoopDriver {
  readonly #opts: ResolvedDriveOptions;
  readonly #latency = new LogHistogram();
  // Ops in flight sit in numbered slots, reused through a free list. Perf (bench:driver, a heap
  // profile of a 30k ops/s noop run): a Map keyed by op id regrew and shrank its table on every
  // burst of sends, and those tables, kept by the long-lived Map, were the largest share of what
  // outlived young-generation GCs and had to wait for full ones.
  readonly #slots: (Op | undefined)[] = [];
  readonly #sentUs: number[] = [];
  readonly #freeSlots: number[] = [];
  #inFlight = 0;
  #sent = 0;
  #ok = 0;
  #rejected = 0;
  #errors = 0;
  #late = 0;
  #suppressed = 0;
  #maxInFlight = 0;
  #lastAckUs = 0;
  #nextDueUs: Micros | undefined;
  #givenUp = 0;
  #staleCheckedUs = 0;
  #wake: (() => void) | undefined;

  constructor(
    private readonly strategy: Strategy,
    private readonly sink: DriveSink,
    options: DriveOptions,
  ) {
    this.#opts = { ...DEFAULTS, ...stripUndefined(options) } as ResolvedDriveOptions;
    if (!Number.isInteger(this.#opts.concurrency) || this.#opts.concurrency < 1) throw new RangeError('concurrency must be a positive integer');
  }

  /** Live counters (for progress output). */
  snapshot(): LiveSnapshot {
    const nowUs = this.#opts.clock.now();
    const next = this.#nextDueUs;
    return {
      nowUs,
      sent: this.#sent,
      ok: this.#ok,
      rejected: this.#rejected,
      errors: this.#errors,
      late: this.#late,
      inFlight: this.#inFlight,
      behindUs: next !== undefined && next < nowUs ? nowUs - next : 0,
      p99Us: this.#latency.quantile(0.99),
      maxUs: this.#latency.max,
    };
  }

  /** Sends every op of `ops` at its intended time; resolves when all have an outcome (or timed out). */
  async run(ops: Iterable<Op>): Promise<DriveResult> {
    const { clock, concurrency, lateThresholdUs, abort, gate } = this.#opts;
    const onAbort = (): void => this.#wakeUp();
    abort?.addEventListener('abort', onAbort);
    // Wakes a wait on a full cap now and then, even if no slot frees (see `opTimeoutUs`).
    const ticker = setInterval(() => this.#wakeUp(), STALE_CHECK_US / 1000);
    ticker.unref();
    const iterator = ops[Symbol.iterator]();
    let interrupted = false;
    try {
      let next = iterator.next();
      let burst = 0;
      while (!next.done) {
        if (abort?.aborted) {
          interrupted = true;
          break;
        }
        const op = next.value;
        this.#nextDueUs = op.at;
        const now = clock.now();
        if (op.at <= now && gate?.suppresses(op) === true) {
          this.#suppressed += 1;
          this.sink.suppressed?.(op);
          next = iterator.next();
          continue;
        }
        if (op.at <= now) {
          if (this.#inFlight >= concurrency) {
            await this.#slotFreed();
            if (clock.now() - this.#staleCheckedUs >= STALE_CHECK_US) this.#giveUpStale();
            continue;
          }
          this.#send(op, now, lateThresholdUs);
          next = iterator.next();
          if (++burst >= SENDS_PER_YIELD) {
            burst = 0;
            await yieldToLoop();
          }
          continue;
        }
        burst = 0;
        const waitUs = op.at - now;
        // Timers have ~1 ms granularity: sleep most of the gap (at most 100 ms, to notice an
        // interruption promptly), then yield until due. With nothing in flight no outcome can be
        // kept waiting, so a short gap is slept in the thread instead of spun through the loop.
        if (waitUs >= 1_000) await sleepUs(Math.min(waitUs, 100_000));
        else {
          if (this.#inFlight === 0 && waitUs >= MIN_BLOCK_US) blockUs(Math.min(waitUs, MAX_BLOCK_US));
          await yieldToLoop();
        }
      }
      this.#nextDueUs = undefined;
      const timedOut = this.#givenUp + (await this.#awaitOutstanding(interrupted ? this.#opts.interruptGraceUs : this.#opts.drainTimeoutUs));
      return { sent: this.#sent, late: this.#late, suppressed: this.#suppressed, timedOut, interrupted, lastAckUs: this.#lastAckUs, maxInFlight: this.#maxInFlight };
    } finally {
      clearInterval(ticker);
      abort?.removeEventListener('abort', onAbort);
      if (typeof iterator.return === 'function') iterator.return();
    }
  }

  #send(op: Op, nowUs: Micros, lateThresholdUs: Micros): void {
    this.#sent += 1;
    if (nowUs - op.at > lateThresholdUs) this.#late += 1;
    const slot = this.#freeSlots.length > 0 ? this.#freeSlots.pop()! : this.#slots.length;
    this.#slots[slot] = op;
    this.#sentUs[slot] = nowUs;
    this.#inFlight += 1;
    if (this.#inFlight > this.#maxInFlight) this.#maxInFlight = this.#inFlight;
    let promise: Promise<Outcome>;
    try {
      promise = submitWithPoolWait(() => this.strategy.submit(op));
    } catch (err) {
      promise = Promise.resolve(errorOutcome(err));
    }
    promise.then(
      (outcome) => this.#settle(slot, op, outcome),
      (err: unknown) => this.#settle(slot, op, errorOutcome(err)),
    );
  }

  #settle(slot: number, op: Op, outcome: Outcome): void {
    if (this.#slots[slot] !== op) return; // already given up on (timeout): the late outcome is ignored
    const sentUs = this.#sentUs[slot]!;
    this.#release(slot);
    const ackedUs = this.#opts.clock.now();
    if (ackedUs > this.#lastAckUs) this.#lastAckUs = ackedUs;
    this.#latency.record(ackedUs - op.at);
    if (outcome.status === 'rejected') {
      this.#rejected += 1;
      if (outcome.reason === 'error' || outcome.reason === 'timeout') this.#errors += 1;
    } else {
      this.#ok += 1;
    }
    this.sink.settled(op, sentUs, ackedUs, outcome);
    this.#wakeUp();
  }

  #release(slot: number): void {
    this.#slots[slot] = undefined;
    this.#freeSlots.push(slot);
    this.#inFlight -= 1;
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #slotFreed(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  /** Gives up the ops in flight for longer than `opTimeoutUs` (recorded as `timeout`; a later answer is ignored). */
  #giveUpStale(): void {
    const nowUs = this.#opts.clock.now();
    this.#staleCheckedUs = nowUs;
    const seconds = (this.#opts.opTimeoutUs / 1e6).toFixed(1);
    this.#slots.forEach((op, slot) => {
      if (op === undefined || nowUs - this.#sentUs[slot]! <= this.#opts.opTimeoutUs) return;
      this.#giveUp(slot, `no outcome within ${seconds} s of sending, with every slot taken`);
      this.#givenUp += 1;
    });
  }

  /** Records the op in `slot` as a `timeout` (no ack time) and frees the slot; a later answer is ignored. */
  #giveUp(slot: number, detail: string): void {
    const op = this.#slots[slot]!;
    const sentUs = this.#sentUs[slot]!;
    this.#release(slot);
    this.#rejected += 1;
    this.#errors += 1;
    this.sink.settled(op, sentUs, -1, { status: 'rejected', reason: 'timeout', detail });
  }

  /** Waits for in-flight ops up to `timeoutUs`; records the rest as timeouts. Returns how many timed out. */
  async #awaitOutstanding(timeoutUs: Micros): Promise<number> {
    const { clock } = this.#opts;
    const deadline = clock.now() + timeoutUs;
    while (this.#inFlight > 0 && clock.now() < deadline) {
      await Promise.race([this.#slotFreed(), sleepUs(50_000)]);
    }
    // Oldest op first, as they were sent.
    const left = this.#slots.flatMap((op, slot) => (op === undefined ? [] : [slot])).sort((a, b) => this.#slots[a]!.id - this.#slots[b]!.id);
    const seconds = (timeoutUs / 1e6).toFixed(1);
    for (const slot of left) this.#giveUp(slot, `no outcome within ${seconds} s after sending stopped`);
    return left.length;
  }
}

function errorOutcome(err: unknown): Outcome {
  const message = err instanceof Error ? err.message : String(err);
  return { status: 'rejected', reason: 'error', detail: `submit threw: ${message.split('\n')[0] ?? ''}`.slice(0, 300) };
}

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleepUs(us: Micros): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.floor(us / 1000))));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
