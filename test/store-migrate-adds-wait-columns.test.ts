/**
 * A store written before ops had `pool_wait_us` and `queue_us` is brought up
 * to date by `migrate` (18.16 has no ADD COLUMN IF NOT EXISTS, so the missing
 * columns are found first), the old rows read them as "not measured" (-1),
 * and the old run still renders: its lock wait as recorded, its pool wait as
 * "—", never as a measured 0 nor as "n/a". On chdb and on the 18.16 server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRunReport } from '../reports/run/queries.js';
import { renderTerminal } from '../reports/run/render-terminal.js';
import { openStore } from '../results/open-store.js';
import { TABLES } from '../results/rows.js';
import { ADDED_COLUMNS, columnsOf, createTableSql, sqlType } from '../results/schema.js';
import type { Store } from '../results/store.js';
import { testRunId } from './recorder-fixture.js';
import { fakeRunRows } from './report-fixture.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const dir = mkdtempSync(join(tmpdir(), 'hbt-migrate-'));
const database = `hbt_${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  await fetch(`${CLICKHOUSE_URL}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
  rmSync(dir, { recursive: true, force: true });
});

const added = new Set(ADDED_COLUMNS.filter((c) => c.table === 'ops').map((c) => c.column));

/** The ops table as it was created before the wait columns. */
function oldOpsSql(): string {
  return createTableSql(database, 'ops')
    .split('\n')
    .filter((line) => ![...added].some((c) => line.trim().startsWith(`${c} `)))
    .join('\n')
    .replace(/,\n\)/, '\n)');
}

describe.each([
  ['chdb', false],
  ['server 18.16', true],
])('%s', (_name, server) => {
  it('adds the columns to an older store; its runs read "not measured" and still render', async () => {
    const store: Store = server ? await openStore({ url: CLICKHOUSE_URL, dataDir: dir, database }) : await openStore({ dataDir: dir, database });
    const ddl = async (sql: string): Promise<void> => {
      if (!server) return void (await store.query(sql));
      const res = await fetch(`${CLICKHOUSE_URL}/`, { method: 'POST', body: sql });
      if (!res.ok) throw new Error(await res.text());
    };
    try {
      // Today's tables, then ops as it was.
      await store.migrate();
      await ddl(`DROP TABLE ${database}.ops`);
      await ddl(oldOpsSql());
      expect((await store.query<{ name: string }>('DESCRIBE TABLE ops')).map((r) => r.name).filter((n) => added.has(n))).toEqual([]);
      const rows = fakeRunRows(testRunId(server ? 'old-server' : 'old-chdb'));
      // Written as an older hotbench would: the new fields are not columns yet (skipped on insert).
      for (const table of TABLES) await store.insert(table, rows[table] as never);

      await store.migrate();
      await store.migrate();
      const described = (await store.query<{ name: string; type: string }>('DESCRIBE TABLE ops')).map((r) => [r.name, r.type]);
      expect(described).toEqual(columnsOf('ops').map(([n, t]) => [n, sqlType(t)]));
      // -If aggregates, not a WHERE on both columns: 18.16's PREWHERE of two defaults fails (see ADDED_COLUMNS).
      const olds = await store.query<{ pool: number; queue: number; n: number }>(
        'SELECT countIf(pool_wait_us = -1) AS pool, countIf(queue_us = -1) AS queue, count() AS n FROM ops WHERE run_id = {run:String}',
        { run: rows.runs[0]!.run_id },
      );
      expect(olds[0]).toEqual({ pool: rows.ops.length, queue: rows.ops.length, n: rows.ops.length });

      const report = await loadRunReport(store, rows.runs[0]!.run_id);
      const rowLock = report.strategies.find((s) => s.label === 'row-lock')!;
      expect(rowLock.lock_wait).toMatchObject({ ops: 890, shown: 'measured' });
      expect(rowLock.pool_wait).toMatchObject({ ops: 0, not_measured: 990, shown: 'not_measured' });
      expect(rowLock.batch_queue.shown).toBe('not_measured');
      const line = renderTerminal(report).split('\n').find((l) => l.startsWith('row-lock [postgres]'))!;
      expect(line).toMatch(/ \d+\.\d+ \/ \d+\.\d+ +— +50 \(5\.00%\)/); // lock wait measured, pool wait —, then the rejects
    } finally {
      await store.close();
    }
  });
});
