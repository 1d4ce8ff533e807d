/**
 * The recorder's encoded buffer: lines come out byte for byte as they went
 * in, in order, in batches of exactly `batchLines` (the last one partial only
 * when asked), across chunk boundaries, with multi-byte characters and with
 * lines longer than a chunk; and a batch's bytes stay intact until it is
 * released, however much is appended meanwhile (chunks are reused).
 */
import { describe, expect, it } from 'vitest';
import { EncodedRows } from '../runner/record/encoded-rows.js';
import { seededRandom } from './support/ops.js';

function lineOf(i: number, random: () => number): string {
  const pad = 'x'.repeat(Math.floor(random() * 300));
  return JSON.stringify({ i, pad, s: i % 11 === 0 ? 'é€😀' : 'ascii' });
}

function linesOf(body: Buffer): string[] {
  const text = body.toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

describe('EncodedRows', () => {
  it('gives back 100,000 lines (several MB, many chunks) in order, in full batches, then one partial', () => {
    const random = seededRandom(7);
    const rows = new EncodedRows(1_000);
    const expected: string[] = [];
    for (let i = 0; i < 100_500; i++) {
      const line = lineOf(i, random);
      expected.push(line);
      rows.append(line);
    }
    expect(rows.lines).toBe(100_500);
    const got: string[] = [];
    let batches = 0;
    for (let b = rows.takeBatch(false); b !== null; b = rows.takeBatch(false)) {
      expect(b.lines).toBe(1_000);
      const lines = linesOf(b.body);
      expect(lines.length).toBe(1_000);
      got.push(...lines);
      batches += 1;
    }
    expect(batches).toBe(100);
    expect(rows.lines).toBe(500);
    const last = rows.takeBatch(true);
    expect(last?.lines).toBe(500);
    got.push(...linesOf(last!.body));
    expect(rows.takeBatch(true)).toBeNull();
    expect(rows.lines).toBe(0);
    expect(got).toEqual(expected);
  });

  it('takes everything at once, puts a refused batch back in front of newer lines', () => {
    const rows = new EncodedRows(3);
    for (const l of ['a', 'b', 'c', 'd']) rows.append(l);
    const all = rows.takeAll();
    expect(all.lines).toBe(4);
    expect(linesOf(all.body)).toEqual(['a', 'b', 'c', 'd']);
    rows.append('e');
    rows.putBack(all);
    expect(rows.lines).toBe(5);
    expect(rows.hasFullBatch).toBe(true);
    expect(linesOf(rows.takeAll().body)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('keeps a line longer than any chunk whole, and a partial batch waits unless asked for', () => {
    const rows = new EncodedRows(10);
    const long = `"${'y'.repeat(5 << 20)}"`;
    rows.append('first');
    rows.append(long);
    rows.append('ü'.repeat(1000));
    expect(rows.hasFullBatch).toBe(false);
    expect(rows.takeBatch(false)).toBeNull();
    const batch = rows.takeBatch(true)!;
    expect(linesOf(batch.body)).toEqual(['first', long, 'ü'.repeat(1000)]);
    expect(batch.body.length).toBe(6 + long.length + 1 + 2000 + 1);
  });

  it('never reuses the bytes of a batch that is not released, while released chunks are reused', () => {
    const random = seededRandom(3);
    const rows = new EncodedRows(2_000);
    const held: { batch: ReturnType<EncodedRows['takeAll']>; copy: Buffer }[] = [];
    for (let round = 0; round < 300; round++) {
      for (let i = 0; i < 2_000; i++) rows.append(lineOf(round * 2_000 + i, random));
      const batch = rows.takeBatch(round % 3 === 0)!;
      expect(batch.lines).toBe(2_000);
      // One batch in 10 stays "in flight" to the end (an insert that hangs, a slow spool); the rest are written at once.
      if (round % 10 === 0) held.push({ batch, copy: Buffer.from(batch.body) });
      else rows.release(batch);
    }
    for (const { batch, copy } of held) expect(batch.body.equals(copy)).toBe(true);
  });
});
