/**
 * Client-side binding: values reach ClickHouse as literals only. Hostile
 * strings come back verbatim as values on the real server (18.16) and on
 * chdb; bad values, missing and unused parameters fail with one clear line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { bindParams, quoteString } from '../results/bind.js';
import { BindError } from '../results/errors.js';
import { COLUMNS } from '../results/schema.js';
import { openStore } from '../results/open-store.js';
import type { Store } from '../results/store.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const dir = mkdtempSync(join(tmpdir(), 'hbt-bind-'));
const database = `hbt_${randomBytes(4).toString('hex')}`;
const opened: Store[] = [];

afterAll(async () => {
  for (const s of opened) await s.close();
  await fetch(`${CLICKHOUSE_URL}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
  rmSync(dir, { recursive: true, force: true });
});

const HOSTILE = [
  "x' OR 1=1 --",
  "'; DROP DATABASE hotbench; --",
  'back\\slash\\',
  "\\'; SELECT 1; --",
  'line\nbreak\r\ttab\0nul\x01\x1f\x7f',
  '{other:String} inside a value',
  'quote " and `backtick` and /* comment',
  'ünïcödé ✓ 💸 中文',
  '',
];

describe('bindParams', () => {
  it('writes integers, negative ones in parentheses so `-` cannot start a comment', () => {
    expect(bindParams('SELECT {a:UInt8}, x -{b:Int64}', { a: 255, b: -5 })).toBe('SELECT 255, x -(-5)');
    expect(bindParams('SELECT {a:UInt64}', { a: '18446744073709551615' })).toBe('SELECT 18446744073709551615');
  });

  it('escapes backslash, quote and control characters in strings', () => {
    expect(quoteString("a'b\\c\nd\x01")).toBe("'a\\'b\\\\c\\nd\\x01'");
  });

  it('leaves placeholders inside string literals and comments alone', () => {
    expect(bindParams("SELECT '{a:String}', {a:String} -- {a:String}\n/* {a:String} */", { a: 'v' })).toBe("SELECT '{a:String}', 'v' -- {a:String}\n/* {a:String} */");
  });

  it('binds arrays, converting elements to the element type and typing an empty one', () => {
    expect(bindParams('SELECT {ids:Array(String)}, {n:Array(UInt64)}, {i:Array(Int64)}', { ids: ['a', "b'"], n: [], i: [-1, 2] })).toBe(
      "SELECT ['a', 'b\\''], CAST([] AS Array(UInt64)), [toInt64((-1)), toInt64(2)]",
    );
  });

  it.each([
    ['SELECT {a:UInt8}', { a: 256 }, 'out of range'],
    ['SELECT {a:UInt32}', { a: -1 }, 'out of range'],
    ['SELECT {a:Int64}', { a: 1.5 }, 'needs an integer'],
    ['SELECT {a:Int64}', { a: Number.NaN }, 'needs an integer'],
    ['SELECT {a:Int64}', { a: '1; DROP' }, 'needs an integer'],
    ['SELECT {a:Float64}', { a: Number.POSITIVE_INFINITY }, 'finite number'],
    ['SELECT {a:String}', { a: 5 }, 'needs a string'],
    ['SELECT {a:DateTime}', { a: "2024-01-01' OR 1" }, 'YYYY-MM-DD hh:mm:ss'],
    ['SELECT {a:Identifier}', { a: 'ops; DROP' }, 'letters, digits'],
    ['SELECT {a:Array(UInt8)}', { a: [1, 300] }, 'out of range'],
    ['SELECT {a:Map(String)}', { a: 'x' }, 'cannot bind'],
    ['SELECT {a:String}', {}, 'was not given a value'],
    ['SELECT {a:String}', { a: 'x', b: 'y' }, 'b given but not used'],
    ["SELECT 'open", {}, 'unterminated'],
  ])('%s with %j fails clearly', (sql, params, message) => {
    expect(() => bindParams(sql, params as never)).toThrow(BindError);
    expect(() => bindParams(sql, params as never)).toThrow(message);
  });
});

describe.each([
  ['chdb', () => openStore({ dataDir: dir, database })],
  ['server 18.16', () => openStore({ url: CLICKHOUSE_URL, dataDir: dir, database })],
])('injection attempts on %s', (_name, open) => {
  it('come back verbatim as values and never execute', async () => {
    const store = await open();
    opened.push(store);
    await store.migrate();
    for (const value of HOSTILE) {
      const rows = await store.query<{ v: string; n: number }>('SELECT {v:String} AS v, length({v:String}) AS n', { v: value });
      expect(rows).toEqual([{ v: value, n: Buffer.byteLength(value) }]);
    }
    const arrays = await store.query<{ a: string[]; i: number[] }>('SELECT {a:Array(String)} AS a, {i:Array(Int64)} AS i', { a: HOSTILE, i: [-1, 0, 9007199254740991] });
    expect(arrays).toEqual([{ a: HOSTILE, i: [-1, 0, 9007199254740991] }]);
    // The tables survived every attempt: as many as the schema creates.
    expect((await store.query<{ n: number }>('SELECT count() AS n FROM system.tables WHERE database = {db:String}', { db: database }))[0]?.n).toBe(Object.keys(COLUMNS).length);
  });
});
