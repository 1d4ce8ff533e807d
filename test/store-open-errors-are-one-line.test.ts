/**
 * Opening a store that cannot work fails with ONE clean line naming the part
 * and the fix, and never shows a password: unreachable server, wrong
 * password, unwritable chdb folder, a second chdb folder in one process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../results/errors.js';
import { openStore } from '../results/open-store.js';
import { openServerStore } from '../results/server-store.js';
import { refusedPort } from './recorder-fixture.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const dir = mkdtempSync(join(tmpdir(), 'hbt-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


async function failure(open: () => Promise<unknown>): Promise<StoreError> {
  const err = await open().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  const message = (err as StoreError).message;
  expect(message).not.toContain('\n');
  return err as StoreError;
}

describe('server', () => {
  it('unreachable: names the URL and says how to fix it', async () => {
    const port = await refusedPort();
    const err = await failure(() => openStore({ url: `http://127.0.0.1:${port}`, dataDir: dir }));
    expect(err.message).toBe(`ClickHouse server at http://127.0.0.1:${port} is unreachable (ECONNREFUSED). Start it, or omit --clickhouse to use the embedded chdb store.`);
  });

  it('unreachable with credentials: the password is masked', async () => {
    const port = await refusedPort();
    const err = await failure(() => openStore({ url: `http://alice:Sup3r-s3cret@127.0.0.1:${port}`, dataDir: dir }));
    expect(err.message).toContain(`http://alice:***@127.0.0.1:${port}`);
    expect(err.message).not.toContain('Sup3r-s3cret');
  });

  it('wrong password: says the credentials were rejected, without the password', async () => {
    const url = new URL(CLICKHOUSE_URL);
    url.username = 'default';
    url.password = 'Sup3r-s3cret';
    const err = await failure(() => openStore({ url: url.toString(), dataDir: dir }));
    expect(err.message).toMatch(/^ClickHouse server at http:\/\/default:\*\*\*@[^ ]+ rejected user "default" \(wrong user or password\)\. Fix the credentials/);
    expect(err.message).not.toContain('Sup3r-s3cret');
  });

  it('a malformed URL or database name is refused before connecting', async () => {
    expect((await failure(() => openStore({ url: 'ftp://x:pw1234@host', dataDir: dir }))).message).toBe('ClickHouse URL ftp://x:***@host must start with http:// or https:// (the HTTP interface, usually port 8123).');
    expect((await failure(() => openStore({ url: CLICKHOUSE_URL, dataDir: dir, database: 'x; DROP' }))).message).toContain('database name "x; DROP" is not valid');
  });

  it('describes itself without the password', async () => {
    const store = await openServerStore({ url: 'http://alice:Sup3r-s3cret@127.0.0.1:8123', database: 'hotbench', verify: false });
    expect(store.description).toBe('ClickHouse server at http://alice:***@127.0.0.1:8123');
    await store.close();
  });

  it('a reachable server opens, describes itself and reports its version', async () => {
    const store = await openStore({ url: CLICKHOUSE_URL, dataDir: dir, database: 'hbt_unused' });
    expect(store.description).toBe(`ClickHouse server at ${CLICKHOUSE_URL} (database hbt_unused)`);
    expect(await store.version()).toMatch(/^\d+\.\d+/);
    await store.close();
    await store.close(); // idempotent
  });
});

describe('chdb', () => {
  it('a folder that cannot be created is named with the reason and the alternatives', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const err = await failure(() => openStore({ dataDir: join(file, 'clickhouse') }));
    expect(err.message).toBe(`chdb data directory ${join(file, 'clickhouse')} is not writable (ENOTDIR). Choose a writable folder with --data-dir (or HOTBENCH_HOME), or pass --clickhouse URL to record into a ClickHouse server.`);
  });

  it('one folder per process: the same folder is shared, a second one is refused', async () => {
    const first = join(dir, 'one');
    const a = await openStore({ dataDir: first });
    const b = await openStore({ dataDir: first, database: 'hbt_other' });
    expect(a.description).toBe(`chdb at ${first}`);
    expect(b.description).toBe(`chdb at ${first} (database hbt_other)`);
    const err = await failure(() => openStore({ dataDir: join(dir, 'two') }));
    expect(err.message).toContain('chdb can hold one data directory per process');
    await a.migrate();
    await b.migrate();
    await a.insert('run_ends', [{ run_id: 'r1', finished_at: '2024-01-01 00:00:00', status: 'complete', reason: '' }]);
    // Each store reads its own database through the shared session.
    expect(await a.query('SELECT run_id FROM run_ends')).toEqual([{ run_id: 'r1' }]);
    expect(await b.query('SELECT run_id FROM run_ends')).toEqual([]);
    expect(await a.version()).toMatch(/^\d+\.\d+/);
    await a.close();
    expect(await b.query('SELECT count() AS n FROM run_ends')).toEqual([{ n: 0 }]);
    await b.close();
    // Once every store on it is closed, another folder may be opened.
    const c = await openStore({ dataDir: join(dir, 'two') });
    await c.close();
  });
});
