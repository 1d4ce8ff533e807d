/**
 * The tables `migrate` creates have exactly the columns of `rows.ts` (as
 * listed in schema.ts, which the compiler ties to the row interfaces), on the
 * embedded store and on the server. Migrating twice is harmless.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../results/open-store.js';
import { TABLES } from '../results/rows.js';
import { columnsOf, sqlType } from '../results/schema.js';
import type { Store } from '../results/store.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const dir = mkdtempSync(join(tmpdir(), 'hbt-schema-'));
const database = `hbt_${randomBytes(4).toString('hex')}`;
const opened: Store[] = [];

afterAll(async () => {
  for (const s of opened) await s.close();
  await dropServerDatabase();
  rmSync(dir, { recursive: true, force: true });
});

async function dropServerDatabase() {
  await fetch(`${CLICKHOUSE_URL}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
}

async function describeAll(store: Store) {
  const out: Record<string, [string, string][]> = {};
  for (const table of TABLES) {
    const rows = await store.query<{ name: string; type: string }>(`DESCRIBE TABLE ${table}`);
    out[table] = rows.map((r) => [r.name, r.type]);
  }
  return out;
}

const expected = Object.fromEntries(TABLES.map((t) => [t, columnsOf(t).map(([n, ty]) => [n, sqlType(ty)])]));

describe.each([
  ['chdb', () => openStore({ dataDir: dir, database })],
  ['server 18.16', () => openStore({ url: CLICKHOUSE_URL, dataDir: dir, database })],
])('%s', (_name, open) => {
  it('creates every rows.ts table with its columns, in order, and migrates idempotently', async () => {
    const store = await open();
    opened.push(store);
    await store.migrate();
    await store.migrate();
    expect(await describeAll(store)).toEqual(expected);
    // Spot-check the mapping itself, so a wrong list cannot pass by agreeing with itself.
    expect(expected['ops']).toContainEqual(['lock_wait_us', 'Int64']);
    expect(expected['runs']).toContainEqual(['started_at', "DateTime('UTC')"]);
    expect(expected['events']?.map(([n]) => n)).toEqual(['run_id', 'strategy', 'rep', 'at_us', 'type', 'kind', 'account', 'detail']);
  });
});
