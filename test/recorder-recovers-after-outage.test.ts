/**
 * ClickHouse goes away in the middle of recording and comes back: rows
 * pushed during the outage are spooled, then written by the recorder on its
 * own (retry with backoff) once the server answers again, exactly once and
 * with one note for each transition.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../results/open-store.js';
import type { OpRow } from '../results/rows.js';
import { Recorder } from '../runner/record/recorder.js';
import { readBack, testRunId } from './recorder-fixture.js';

const CLICKHOUSE_URL = new URL(process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123');
const database = `hbt_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'hbt-outage-'));
afterAll(async () => {
  await fetch(`${CLICKHOUSE_URL.origin}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
  rmSync(dir, { recursive: true, force: true });
});

/** A TCP relay to the ClickHouse server that can be cut (connections refused) and restored on the same port. */
class Relay {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  port = 0;

  async start(): Promise<void> {
    this.#server = createServer((client) => {
      const upstream = connect(Number(CLICKHOUSE_URL.port || 8123), CLICKHOUSE_URL.hostname);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((ok) => this.#server!.listen(this.port, '127.0.0.1', ok));
    this.port = (this.#server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((ok) => this.#server!.close(ok));
  }
}

async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

it('spools during an outage and catches up by itself when the server is back', async () => {
  const relay = new Relay();
  await relay.start();
  const store = await openStore({ url: `http://127.0.0.1:${relay.port}`, dataDir: dir, database });
  try {
    await store.migrate();
    const runId = testRunId('outage');
    const ops: OpRow[] = Array.from({ length: 2500 }, (_, i) => ({
      run_id: runId, strategy: 'buffer', rep: 0, op_id: i, kind: 'topup', account: 0, amount: i, job: -1, intended_us: i, sent_us: i, acked_us: i + 1,
      status: 'applied', reason: '', lock_wait_us: -1, pool_wait_us: -1, queue_us: -1, attempts: 1, balance: 0, detail: '',
    }));
    const notes: string[] = [];
    const recorder = new Recorder(store, { spoolDir: join(dir, 'spool'), onNote: (l) => notes.push(l), flushIntervalMs: 20, retryMinMs: 20, retryMaxMs: 100 });

    for (const row of ops.slice(0, 1000)) recorder.push('ops', row);
    expect(await recorder.flush()).toMatchObject({ complete: true });

    await relay.stop();
    for (const row of ops.slice(1000, 2000)) recorder.push('ops', row);
    await until(() => recorder.stats().spooled === 1000);
    for (const row of ops.slice(2000)) recorder.push('ops', row);
    await until(() => recorder.stats().spooled === 1500);
    expect(recorder.stats().tables.ops).toMatchObject({ written: 1000, pending: 0 });

    await relay.start();
    expect(await recorder.close()).toMatchObject({ complete: true, spooled: 0 });
    expect(await readBack(store, 'ops', runId)).toEqual(ops);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^ClickHouse unavailable \(ClickHouse server at http:\/\/127\.0\.0\.1:\d+ is unreachable \(/);
    expect(notes[1]).toBe('ClickHouse caught up: 1500 spooled rows written');
  } finally {
    await store.close();
    await relay.stop().catch(() => undefined);
  }
});
