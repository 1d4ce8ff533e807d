/**
 * The Pareto front of a sweep: the cells no other cell beats on every
 * objective at once. With goodput to maximise and ack p99 and overdraft to
 * minimise, a cell off the front has another cell at least as fast, at
 * least as quick and at most as unsafe, and strictly better on one of them:
 * there is no reason to pick it. The front is where the trade-offs are.
 *
 * No noise model here: two cells whose figures differ by run-to-run noise
 * can dominate each other by chance. The sweep report shows the figures
 * beside the front so the reader sees how close the calls are.
 */

/** One objective: a figure of a point and whether more or less is better. */
export interface Objective<P> {
  readonly name: string;
  readonly sense: 'max' | 'min';
  value(point: P): number;
}

/** True when `a` is at least as good as `b` on every objective and better on one. */
export function dominates<P>(a: P, b: P, objectives: readonly Objective<P>[]): boolean {
  let better = false;
  for (const o of objectives) {
    const x = o.value(a);
    const y = o.value(b);
    if (o.sense === 'max' ? x < y : x > y) return false;
    if (x !== y) better = true;
  }
  return better;
}

/**
 * The points on the front, in input order. Points whose figures are not all
 * finite (a failed or skipped cell) are never on it and dominate nothing.
 * Equal points are all kept. O(n²), fine for the ≤ 10,000 cells of a sweep.
 */
export function paretoFront<P>(points: readonly P[], objectives: readonly Objective<P>[]): P[] {
  const usable = points.filter((p) => objectives.every((o) => Number.isFinite(o.value(p))));
  return usable.filter((p) => !usable.some((q) => q !== p && dominates(q, p, objectives)));
}
