/**
 * The Pareto front keeps exactly the cells no other cell beats on every
 * objective (goodput up, ack p99 down, overdraft down).
 */
import { describe, expect, it } from 'vitest';
import { dominates, paretoFront, type Objective } from '../reports/sweep/pareto.js';

interface Cell {
  readonly name: string;
  readonly goodput: number;
  readonly p99: number;
  readonly overdraft: number;
}
const objectives: Objective<Cell>[] = [
  { name: 'goodput', sense: 'max', value: (c) => c.goodput },
  { name: 'p99', sense: 'min', value: (c) => c.p99 },
  { name: 'overdraft', sense: 'min', value: (c) => c.overdraft },
];
const cell = (name: string, goodput: number, p99: number, overdraft: number): Cell => ({ name, goodput, p99, overdraft });

describe('Pareto front', () => {
  it('keeps the trade-offs and drops the cells beaten on every figure', () => {
    const cells = [
      cell('fast-unsafe', 9000, 20, 5), // fastest, but overdraws
      cell('safe-slow', 1000, 15, 0), // quickest ack, safe
      cell('safe-fast', 8000, 30, 0), // safe and fast, slower ack
      cell('beaten', 7000, 35, 0), // safe-fast is better on goodput and p99, equal on overdraft
      cell('beaten-twice', 900, 40, 3),
      cell('twin', 8000, 30, 0), // equal to safe-fast: both stay
      cell('failed', Number.NaN, 10, 0), // no figures: never on the front, dominates nothing
    ];
    expect(paretoFront(cells, objectives).map((c) => c.name)).toEqual(['fast-unsafe', 'safe-slow', 'safe-fast', 'twin']);
  });

  it('needs strict improvement on one objective to dominate', () => {
    expect(dominates(cell('a', 1, 1, 0), cell('b', 1, 1, 0), objectives)).toBe(false);
    expect(dominates(cell('a', 2, 1, 0), cell('b', 1, 1, 0), objectives)).toBe(true);
    expect(dominates(cell('a', 2, 2, 0), cell('b', 1, 1, 0), objectives)).toBe(false);
  });
});
