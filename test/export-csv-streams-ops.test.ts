/**
 * `export --format csv` streams a run's ops from ClickHouse: every op once,
 * in strategy/rep/op order, values exactly as stored (a detail with commas,
 * quotes and a line break survives CSV quoting), in more than one chunk,
 * waiting for a slow reader instead of buffering: on chdb and on the server
 * (Debian's 18.16), each in a database of its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../results/open-store.js';
import type { RowOf } from '../results/rows.js';
import type { Store } from '../results/store.js';
import { CSV_COLUMNS, writeOpsCsv } from '../reports/export/csv.js';
import { edgeRows, testRunId } from './recorder-fixture.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const database = `hbt_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'hbt-csv-'));
afterAll(async () => {
  await fetch(`${CLICKHOUSE_URL}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
  rmSync(dir, { recursive: true, force: true });
});

const PER_REPLAY = 60_000;
const NASTY = 'a, "quoted"\nline';

function opsOf(runId: string): RowOf['ops'][] {
  const rows: RowOf['ops'][] = [];
  for (const strategy of ['row-lock', 'aggregate:window=10ms']) {
    for (let i = 0; i < PER_REPLAY; i++) {
      rows.push({
        run_id: runId, strategy, rep: 0, op_id: i, kind: i % 10 === 0 ? 'read' : 'charge', account: i % 1000, amount: 25 + (i % 7), job: -1,
        intended_us: i * 100, sent_us: i * 100 + 3, acked_us: i % 5000 === 1 ? -1 : i * 100 + 900, status: i % 5000 === 1 ? 'unsent' : 'applied',
        reason: '', lock_wait_us: -1, pool_wait_us: -1, queue_us: -1, attempts: 1, balance: 1_000_000 - i, detail: i === 7 ? NASTY : '',
      });
    }
  }
  return rows;
}

/** RFC 4180 fields of one CSV text (quotes doubled inside quoted fields). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}

/** A reader that takes one chunk per event-loop turn, with a 1-byte buffer: every write asks the writer to wait. */
function slowReader(): { stream: Writable; text: () => string; drains: () => number } {
  const parts: Buffer[] = [];
  let drains = 0;
  const stream = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, done) {
      parts.push(chunk);
      setImmediate(done);
    },
  });
  stream.on('drain', () => drains++);
  return { stream, text: () => Buffer.concat(parts).toString('utf8'), drains: () => drains };
}

async function checkExport(store: Store): Promise<void> {
  await store.migrate();
  const runId = testRunId('csv');
  const run = edgeRows(runId).runs;
  await store.insert('runs', run);
  await store.insert('ops', opsOf(runId));
  const reader = slowReader();
  const result = await writeOpsCsv(store, runId, reader.stream);
  expect(result.chunks).toBeGreaterThan(1);
  expect(reader.drains()).toBeGreaterThan(0);
  const rows = parseCsv(reader.text());
  expect(rows[0]).toEqual(CSV_COLUMNS);
  expect(rows.length - 1).toBe(2 * PER_REPLAY);
  const col = (name: string) => CSV_COLUMNS.indexOf(name);
  // ClickHouse sorts strings bytewise: 'aggregate:…' before 'row-lock'.
  expect(rows[1]![col('strategy')]).toBe('aggregate:window=10ms');
  expect(rows[1 + PER_REPLAY]![col('strategy')]).toBe('row-lock');
  const ids = rows.slice(1, 1 + PER_REPLAY).map((r) => Number(r[col('op_id')]));
  expect(ids).toEqual(Array.from({ length: PER_REPLAY }, (_, i) => i));
  const seventh = rows[8]!;
  expect(seventh[col('detail')]).toBe(NASTY);
  expect(Number(seventh[col('balance')])).toBe(1_000_000 - 7);
  expect(rows[2]![col('acked_us')]).toBe('-1');
  expect(rows[2]![col('status')]).toBe('unsent');
  await expect(writeOpsCsv(store, 'no-such-run', reader.stream)).rejects.toThrow(/no run no-such-run/);
}

it('streams every op of a run as CSV from chdb, waiting for a slow reader', async () => {
  const store = await openStore({ dataDir: join(dir, 'chdb'), database });
  try {
    await checkExport(store);
  } finally {
    await store.close();
  }
});

it('streams every op of a run as CSV from the ClickHouse server (18.16)', async () => {
  const store = await openStore({ url: CLICKHOUSE_URL, dataDir: dir, database });
  try {
    await checkExport(store);
  } finally {
    await store.close();
  }
});
