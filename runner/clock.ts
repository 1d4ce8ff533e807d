/**
 * The run's single monotonic clock. Every recorded time is read from it, so
 * intended, sent, acked and posted times are comparable (DESIGN.md §5).
 */
import type { Clock, Micros } from '../strategies/contract.js';

/** A monotonic µs clock whose origin is the moment it was created. */
export class MonotonicClock implements Clock {
  readonly #origin: bigint = process.hrtime.bigint();

  /** µs since this clock was created; integer, never decreases. */
  now(): Micros {
    return Number((process.hrtime.bigint() - this.#origin) / 1000n);
  }
}

/**
 * A strategy replay's schedule clock, on the same underlying clock: negative
 * before the schedule starts, then µs since the replay's time 0 (the op
 * stream's time 0). Setup happens before `start`, so its events are negative.
 */
export class ScheduleClock implements Clock {
  #origin: Micros;

  constructor(private readonly base: Clock) {
    this.#origin = base.now();
  }

  /** Makes the base clock's reading `origin` this clock's 0. */
  start(origin: Micros): void {
    this.#origin = origin;
  }

  now(): Micros {
    return this.base.now() - this.#origin;
  }
}

/** The current wall-clock time as ClickHouse DateTime text, UTC: `YYYY-MM-DD hh:mm:ss`. */
export function wallClockUtc(now = new Date()): string {
  return now.toISOString().slice(0, 19).replace('T', ' ');
}

/** Resolves after `ms` milliseconds (a timer, not a measurement). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
