/**
 * `--repeat N` rotates the strategies' order every round (A B C, C A B,
 * B C A), so that over a multiple of the strategy count each strategy takes
 * each slot equally often and the machine's drift lands on none of them.
 */
import { describe, expect, it } from 'vitest';
import { interleavedSchedule, roundOrder } from '../runner/interleave.js';

describe('interleaved repetitions', () => {
  it('rotates right by one each round', () => {
    expect(roundOrder(3, 0)).toEqual([0, 1, 2]);
    expect(roundOrder(3, 1)).toEqual([2, 0, 1]);
    expect(roundOrder(3, 2)).toEqual([1, 2, 0]);
    expect(roundOrder(3, 3)).toEqual([0, 1, 2]);
    expect(roundOrder(1, 5)).toEqual([0]);
    expect(roundOrder(0, 2)).toEqual([]);
  });

  it('gives every strategy every slot equally often over count rounds, and replays each once per round', () => {
    const count = 4;
    const schedule = interleavedSchedule(count, count * 2);
    const slots = Array.from({ length: count }, () => new Array<number>(count).fill(0));
    for (let round = 0; round < count * 2; round++) {
      const order = schedule.filter((s) => s.round === round).map((s) => s.idx);
      expect([...order].sort()).toEqual([0, 1, 2, 3]);
      order.forEach((idx, slot) => slots[idx]![slot]!++);
    }
    for (const row of slots) expect(row).toEqual([2, 2, 2, 2]);
  });
});
