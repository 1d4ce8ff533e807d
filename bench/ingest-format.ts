/**
 * `npm run bench:ingest-format`: what the in-process ClickHouse (chdb) costs
 * per recorded `ops` row in the recorder's format (TabSeparated, since stop
 * 10) against JSONEachRow (the format before, and `Store.insert`'s). It is
 * why the recorder switched: chdb's ingest was the larger share of the
 * harness's CPU once the driver's own cost fell to ~2 µs per op.
 *
 * Both bodies hold the same 20,000 rows (the TabSeparated one written by the
 * recorder's own byte writer, the JSON one by `encodeRows`); each is inserted
 * `--batches` times into a fresh store, alternating, with the recorder's
 * insert settings. Prints CPU (this process's, chdb included) and wall time
 * per row, and bytes per row.
 *
 * Usage: npm run bench:ingest-format -- [--batches 25]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpRow } from '../results/rows.js';
import { columnNamesOf, migrationSql } from '../results/schema.js';
import { encodeRows } from '../results/encode.js';
import { CHDB_CONNECTION_ARGS, loadChdb } from '../results/chdb-load.js';
import { byteWriterOf } from '../runner/record/byte-encode.js';
import { parsePositive } from '../runner/config/units.js';
import { parseFlags } from './flags.js';

const ROWS = 20_000;
const USAGE = 'flags: --batches 25';
const SETTINGS = { input_format_parallel_parsing: 0, max_threads: 1, max_insert_threads: 1 };

function opRow(i: number): OpRow {
  return {
    run_id: '20261204-083000-abcdef', strategy: 'noop', rep: 0, op_id: i, kind: 'charge', account: i % 1000, amount: 1, job: -1,
    intended_us: i * 10, sent_us: i * 10 + 3, acked_us: i * 10 + 50, status: 'applied', reason: '', lock_wait_us: -1, pool_wait_us: -1, queue_us: -1, attempts: 1, balance: 0, detail: '',
  };
}

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2), ['batches'] as const, USAGE);
  const batches = f.has('batches') ? parsePositive(f.get('batches'), '--batches', { integer: true, max: 10_000 }) : 25;
  const columns = columnNamesOf('ops');
  const writer = byteWriterOf('ops');
  const tsv = Buffer.alloc(ROWS * writer.maxBytes);
  let end = 0;
  const rows: OpRow[] = [];
  for (let i = 0; i < ROWS; i++) {
    rows.push(opRow(i));
    end = writer(rows[i]!, tsv, end);
  }
  const bodies = { JSONEachRow: Buffer.from(encodeRows('ops', rows)), TabSeparated: tsv.subarray(0, end) };
  const dir = mkdtempSync(join(tmpdir(), 'hotbench-ingest-'));
  const { Session } = await loadChdb(); // the allocator as hotbench's store runs it
  const session = new Session(dir, { connectionArgs: CHDB_CONNECTION_ARGS });
  try {
    for (const statement of migrationSql('bench')) await session.queryAsync(statement);
    const totals = { JSONEachRow: { cpuUs: 0, wallMs: 0 }, TabSeparated: { cpuUs: 0, wallMs: 0 } };
    for (let b = 0; b < batches; b++) {
      for (const format of ['JSONEachRow', 'TabSeparated'] as const) {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        await session.insert({ table: 'bench.ops', values: bodies[format], format, ...(format === 'TabSeparated' ? { columns } : {}), settings: SETTINGS });
        const cpu = process.cpuUsage(cpu0);
        totals[format].cpuUs += cpu.user + cpu.system;
        totals[format].wallMs += performance.now() - t0;
      }
    }
    const n = ROWS * batches;
    // Both formats must have loaded the same rows, column for column.
    const check = JSON.parse(
      (await session.queryAsync("SELECT count() AS n, countIf(kind = 'charge' AND status = 'applied' AND strategy = 'noop' AND lock_wait_us = -1) AS good, sum(intended_us) AS at FROM bench.ops", { format: 'JSONEachRow' })).text(),
    ) as { n: string | number; good: string | number; at: string | number };
    const wantAt = 2 * batches * 10 * ((ROWS * (ROWS - 1)) / 2);
    if (Number(check.n) !== 2 * n || Number(check.good) !== 2 * n || Number(check.at) !== wantAt) throw new Error(`the two formats did not load the same rows: ${JSON.stringify(check)}`);
    console.log(`bench:ingest-format: chdb in process, ${batches} inserts of ${ROWS.toLocaleString('en-US')} ops rows per format, alternating`);
    for (const format of ['JSONEachRow', 'TabSeparated'] as const) {
      const t = totals[format];
      console.log(`${format.padEnd(13)} ${(t.cpuUs / n).toFixed(2)} µs CPU per row · ${((t.wallMs * 1000) / n).toFixed(2)} µs wall per row · ${(bodies[format].length / ROWS).toFixed(0)} bytes per row`);
    }
    const ratio = totals.TabSeparated.cpuUs / totals.JSONEachRow.cpuUs;
    console.log(`TabSeparated / JSONEachRow CPU: ${ratio.toFixed(2)}`);
  } finally {
    session.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`bench:ingest-format: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  process.exit(1);
});
