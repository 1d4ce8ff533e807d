/**
 * Which accepted ops are still waiting to be applied, for the `consumer_lag`
 * and `lag_us` series and for `drain()`. A Map keeps insertion order, so the
 * oldest waiting op is its first entry: O(1) per op, O(backlog) memory.
 */
import type { Micros } from '../contract.js';

/** Accepted-but-unapplied ops, by op id, with their accept time. */
export class LagTracker {
  private readonly waiting = new Map<number, Micros>();
  /** Ops accepted so far. */
  accepted = 0;
  /** Ops the consumers finished (posted, or refused by `check`). */
  applied = 0;
  /** Ops a non-durable queue lost (never to be applied). */
  dropped = 0;

  /** Op `id` was accepted at `at` (µs). */
  accept(id: number, at: Micros): void {
    if (this.waiting.has(id)) return;
    this.waiting.set(id, at);
    this.accepted += 1;
  }

  /** Op `id` was applied; a redelivered id that is no longer waiting is ignored. */
  apply(id: number): void {
    if (this.waiting.delete(id)) this.applied += 1;
  }

  /** Op `id` was lost by the queue; returns whether it was still waiting. */
  drop(id: number): boolean {
    if (!this.waiting.delete(id)) return false;
    this.dropped += 1;
    return true;
  }

  /** Op `id` was never accepted after all (the enqueue failed): undo {@link accept}. */
  forget(id: number): void {
    if (this.waiting.delete(id)) this.accepted -= 1;
  }

  /** Ops accepted and still waiting: accepted − applied − dropped. */
  get lag(): number {
    return this.waiting.size;
  }

  /** Age of the oldest waiting op at `now`, µs; 0 when none waits. */
  oldestAgeUs(now: Micros): Micros {
    const first = this.waiting.values().next();
    return first.done ? 0 : Math.max(0, now - first.value);
  }
}
