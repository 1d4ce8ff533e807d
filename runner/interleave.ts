/**
 * The order strategies are replayed in, round by round, under `--repeat N`:
 * A B C, then C A B, then B C A, ... (round r rotates the list right by r).
 *
 * Why: a shared machine drifts (other work, the page cache, autovacuum, the
 * ledger's files growing on disk). Replaying every strategy in the same slot
 * of every round would put the same share of that drift on the same
 * strategy; rotating gives each strategy each slot in turn, so over a
 * multiple of the strategy count every one of them sees the same positions.
 */

/** The strategies' indices in replay order for round `round` (0-based): `count` indices rotated right by `round`. */
export function roundOrder(count: number, round: number): number[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative whole number, got ${count}`);
  const shift = count === 0 ? 0 : ((round % count) + count) % count;
  return Array.from({ length: count }, (_, i) => (i - shift + count) % count);
}

/** Every (round, index) replay of `count` strategies over `rounds` rounds, in the order they run. */
export function interleavedSchedule(count: number, rounds: number): { round: number; idx: number }[] {
  const out: { round: number; idx: number }[] = [];
  for (let round = 0; round < rounds; round++) for (const idx of roundOrder(count, round)) out.push({ round, idx });
  return out;
}
