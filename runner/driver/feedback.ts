/**
 * Upstream's reaction to a strategy's signals (seed 000's control measure:
 * "when an account balance becomes insufficient, immediately notify upstream
 * systems to stop ad delivery"). With `on_threshold: stop`, once a
 * `budget_exhausted` signal for an account has reached upstream (the signal's
 * time plus the notification latency), upstream stops sending that account's
 * charges, until a `budget_restored` signal reaches it. Such ops are
 * *suppressed*: never sent, so neither lost nor rejected, and counted apart.
 *
 * Upstream decides when a click happens, i.e. at the op's intended time: an
 * op whose intended time comes before the signal reached upstream was
 * already served and is sent, however late the driver sends it.
 */
import type { EventSink, Micros, Op, SignalKind } from '../../strategies/contract.js';

/** What upstream does on the threshold signal. */
export type OnThreshold = 'stop' | 'none';

/** Decides, op by op, whether upstream would still send it. */
export interface UpstreamGate {
  /** True when upstream would not send `op` (its account's delivery was stopped by then). Ops must be asked in intended-time order. */
  suppresses(op: Op): boolean;
}

/** A signal on its way to upstream. */
interface Transition {
  readonly reachedUs: Micros;
  readonly stopped: boolean;
}

/**
 * The feedback loop of one replay: feed it every signal ({@link observe} or
 * {@link tee}), ask it before each send ({@link suppresses}). Memory: the
 * stopped accounts plus the signals still on their way.
 */
export class UpstreamFeedback implements UpstreamGate {
  readonly #stopped = new Set<number>();
  readonly #pending = new Map<number, Transition[]>();
  /** Charges suppressed so far. */
  suppressed = 0;

  /**
   * @param action `stop` to act on signals, `none` to ignore them (then nothing is ever suppressed).
   * @param latencyUs how long a signal takes to reach upstream, µs (default 0).
   */
  constructor(
    readonly action: OnThreshold,
    readonly latencyUs: Micros = 0,
  ) {
    if (!Number.isSafeInteger(latencyUs) || latencyUs < 0) throw new RangeError(`notification latency must be a whole number of µs ≥ 0, got ${latencyUs}`);
  }

  /** A strategy signal at schedule time `at`, µs. */
  observe(kind: SignalKind, account: number, at: Micros): void {
    if (this.action !== 'stop') return;
    const queue = this.#pending.get(account) ?? [];
    queue.push({ reachedUs: at + this.latencyUs, stopped: kind === 'budget_exhausted' });
    this.#pending.set(account, queue);
  }

  suppresses(op: Op): boolean {
    if (this.action !== 'stop' || op.kind !== 'charge') return false;
    const queue = this.#pending.get(op.account);
    if (queue !== undefined) {
      // Signals reach upstream in the order they were raised; apply those that arrived by the op's time.
      let applied = 0;
      while (applied < queue.length && queue[applied]!.reachedUs <= op.at) {
        if (queue[applied]!.stopped) this.#stopped.add(op.account);
        else this.#stopped.delete(op.account);
        applied++;
      }
      if (applied === queue.length) this.#pending.delete(op.account);
      else if (applied > 0) queue.splice(0, applied);
    }
    if (!this.#stopped.has(op.account)) return false;
    this.suppressed++;
    return true;
  }

  /** An event sink that passes everything to `sink` and feeds the signals to this loop. */
  tee(sink: EventSink): EventSink {
    return {
      posted: (ops, at) => sink.posted(ops, at),
      signal: (kind, account, at) => {
        this.observe(kind, account, at);
        sink.signal(kind, account, at);
      },
      sample: (name, value, at) => sink.sample(name, value, at),
      note: (kind, detail, at) => sink.note(kind, detail, at),
    };
  }
}
