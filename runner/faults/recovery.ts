/**
 * When a strategy has recovered from a fault, by one definition applied to
 * every strategy: the first moment after the fault at which, over the last
 * {@link WINDOW_US} (at least {@link MIN_SPAN_US}, never reaching back before
 * the fault), the ops that got a definite answer (applied, accepted, or
 * refused for a reason such as `insufficient_funds`: not `error`/`timeout`)
 * are at least {@link RECOVERED_SHARE} of the ops sent in that span: the
 * strategy serves ≥ 90% of the offered load again. A refusal for
 * insufficient funds counts as served: it is the right answer once a budget
 * is gone, and counting it would make every budget-exhaustion scenario look
 * like an outage. Resolution: one {@link TICK_MS} tick.
 *
 * This measures the request path. Work behind it (a buffer's consumers)
 * recovers on its own clock: `buffer` records `consumers_resumed` itself.
 */
import type { Clock, EventSink, Micros } from '../../strategies/contract.js';
import type { FaultSpec } from './spec.js';

/** The driver's cumulative counters (a subset of its live snapshot). */
export interface DriverCounts {
  readonly sent: number;
  /** Applied + accepted. */
  readonly ok: number;
  /** Every rejection, `errors` included. */
  readonly rejected: number;
  /** Rejections with reason `error` or `timeout`. */
  readonly errors: number;
}

/** Span over which served/offered is judged, µs. */
export const WINDOW_US = 500_000;
/** Shortest span judged, µs. */
export const MIN_SPAN_US = 200_000;
/** Share of offered ops that must be served. */
export const RECOVERED_SHARE = 0.9;
/** How often the counters are read, ms. */
export const TICK_MS = 100;

/** Watches one injected fault until the strategy serves again, then records it. */
export class RecoveryWatch {
  private readonly points: { t: Micros; c: DriverCounts }[];
  private readonly timer: NodeJS.Timeout;
  private done = false;

  /**
   * @param at schedule time the fault was fired, µs.
   * @param before the driver's counters at that moment.
   */
  constructor(
    private readonly fault: FaultSpec,
    private readonly at: Micros,
    before: DriverCounts,
    private readonly clock: Clock,
    private readonly counts: () => DriverCounts,
    private readonly events: EventSink,
  ) {
    this.points = [{ t: at, c: before }];
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Reads the counters once and records the recovery if it happened. Called by the timer. */
  tick(): void {
    if (this.done) return;
    const now = this.clock.now();
    const c = this.counts();
    this.points.push({ t: now, c });
    while (this.points.length > 2 && (this.points[1]?.t ?? now) <= now - WINDOW_US) this.points.shift();
    const first = this.points[0];
    if (first === undefined || now - first.t < MIN_SPAN_US) return;
    const offered = c.sent - first.c.sent;
    const served = c.ok - first.c.ok + (c.rejected - c.errors) - (first.c.rejected - first.c.errors);
    if (offered > 0 && served >= RECOVERED_SHARE * offered) {
      this.done = true;
      clearInterval(this.timer);
      const us = now - this.at;
      this.events.note('fault_recovered', `${this.fault.text}: serving ≥ ${RECOVERED_SHARE * 100}% of offered ops again ${(us / 1_000).toFixed(0)} ms after the fault (${served}/${offered} over the last ${((now - first.t) / 1_000).toFixed(0)} ms)`, now);
      this.events.sample('fault_recovery_us', us, now);
    }
  }

  /** Stops watching; records `fault_unrecovered` if it never recovered. */
  close(): void {
    clearInterval(this.timer);
    if (this.done) return;
    this.done = true;
    const now = this.clock.now();
    this.events.note('fault_unrecovered', `${this.fault.text}: not serving ≥ ${RECOVERED_SHARE * 100}% of offered ops by the end of the schedule (${((now - this.at) / 1e6).toFixed(1)} s after the fault)`, now);
  }
}
