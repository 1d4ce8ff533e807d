/**
 * The recorder's byte writers (`runner/record/byte-encode.ts`) write exactly
 * the bytes of the string encoder (`encodeTsvRow`, itself checked against
 * `encodeRow`) for every table, on random rows with awkward values; and they
 * decline, writing nothing, every row the string path must judge.
 */
import { describe, expect, it } from 'vitest';
import { TABLES, type TableName } from '../results/rows.js';
import { columnsOf, type ColumnType } from '../results/schema.js';
import { byteWriterOf } from '../runner/record/byte-encode.js';
import { encodeTsvRow } from '../results/encode.js';
import { seededRandom } from './support/ops.js';

const STRINGS = ['', 'charge', 'row-lock', 'a "quoted" \\ back\\slash', 'tab\tnew\nline\u0001\u001f', 'cr\r nul\0 bs\b ff\f \\N', 'é ü ß € 😀 日本', '<script>alert(1)</script>', 'x'.repeat(1_024)];
const INTS = [0, -0, 1, 9, 10, 99, 100, 4_294_967_295, 4_294_967_296, Number.MAX_SAFE_INTEGER, -1, -10, -Number.MAX_SAFE_INTEGER, 1_733_300_000_123_456];
const FLOATS = [0, -0, 0.1, 1e21, 1e-7, -3.5, 123456.789, Number.MAX_VALUE, Number.MIN_VALUE];
const UNSIGNED_MAX: Partial<Record<ColumnType, number>> = { UInt8: 255, UInt16: 65_535, UInt32: 4_294_967_295, UInt64: Number.MAX_SAFE_INTEGER };

function valueOf(type: ColumnType, random: () => number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  switch (type) {
    case 'String':
      return random() < 0.5 ? pick(STRINGS) : `s${Math.floor(random() * 1e6)}`;
    case 'DateTime':
      return `2026-12-0${1 + Math.floor(random() * 9)} 0${Math.floor(random() * 10)}:1${Math.floor(random() * 10)}:59`;
    case 'Float64':
      return random() < 0.5 ? pick(FLOATS) : (random() - 0.5) * 10 ** Math.floor(random() * 30);
    case 'Int64':
      return random() < 0.5 ? pick(INTS) : Math.round((random() - 0.5) * 2 ** Math.floor(random() * 53));
    default: {
      const max = UNSIGNED_MAX[type]!;
      return random() < 0.3 ? pick([0, 1, max, Math.min(max, 10), Math.min(max, 255)]) : Math.floor(random() * Math.min(max, 2 ** 52));
    }
  }
}

function randomRow(table: TableName, random: () => number): Record<string, unknown> {
  return Object.fromEntries(columnsOf(table).map(([name, type]) => [name, valueOf(type, random)]));
}

function written(table: TableName, row: Record<string, unknown>): { end: number; bytes: Buffer } {
  const writer = byteWriterOf(table);
  const buf = Buffer.alloc(writer.maxBytes + 16, 0xee);
  const end = writer(row as never, buf, 8);
  return { end, bytes: buf };
}

describe('byte writers', () => {
  for (const table of TABLES) {
    it(`${table}: 2,000 random rows, byte for byte the string encoder's line`, () => {
      const random = seededRandom(table.length * 7919);
      for (let i = 0; i < 2_000; i++) {
        const row = randomRow(table, random);
        const { end, bytes } = written(table, row);
        expect(end, JSON.stringify(row)).toBeGreaterThan(8);
        expect(bytes.subarray(8, end).toString('utf8')).toBe(`${encodeTsvRow(table, row as never)}\n`);
        expect(bytes.subarray(0, 8).every((b) => b === 0xee)).toBe(true); // nothing before pos
      }
    });
  }

  it('declines, writing nothing, what the string path must judge: NaN, out of range, wrong type, lone surrogate, long string', () => {
    const random = seededRandom(11);
    const base = randomRow('ops', random);
    const bad: Record<string, unknown>[] = [
      { ...base, intended_us: Number.NaN },
      { ...base, intended_us: 2 ** 53 },
      { ...base, op_id: -1 },
      { ...base, rep: 1.5 },
      { ...base, amount: '12' },
      { ...base, detail: 'lone \uD800 surrogate' },
      { ...base, detail: 'lone \uDC00 low surrogate' },
      { ...base, detail: 'y'.repeat(1_025) },
      { ...base, status: undefined },
    ];
    for (const row of bad) {
      const { end, bytes } = written('ops', row);
      expect(end, JSON.stringify(row)).toBe(-1);
      expect(bytes.every((b) => b === 0xee)).toBe(true);
    }
  });
});
