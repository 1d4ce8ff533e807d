/**
 * buffer with fallback=memory (seed 003 §3.3): while the queue refuses
 * enqueues (here the stream key holds a string, so XADD fails), ops go to the
 * in-process queue, a `fallback` note says so once, and they are still
 * posted; once the queue accepts again a `fallback_end` note follows.
 * Without a fallback, a refused enqueue is an `error` (nothing promised,
 * nothing posted) and drain does not wait for it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { audit } from '../../runner/audit/auditor.js';
import { OpFates, fateOf } from '../../runner/audit/fates.js';
import { BufferStrategy } from './index.js';
import { bufferParams } from './params.js';
import type { Op, Outcome } from '../contract.js';
import { makeContext, type TestContext } from '../../test/support/context.js';
import { makeAccounts, makeOps } from '../../test/support/ops.js';
import { redisPort, type RedisFixture } from '../../test/redis-fixture.js';

const accounts = makeAccounts([{ balance: 100_000 }]);
let t: TestContext | undefined;
let fx: RedisFixture | undefined;
let strategy: BufferStrategy | undefined;
afterEach(async () => {
  await strategy?.stop();
  await fx?.close();
  await t?.close();
});

async function start(fallback: 'memory' | 'none') {
  fx = await redisPort();
  t = await makeContext(accounts, { connections: 4, ports: { redis: fx.port } });
  strategy = new BufferStrategy(bufferParams.parse({ consumers: '1', fallback }));
  await strategy.setup(t.ctx);
  const stream = `${fx.port.namespace}:buffer:p0`;
  const admin = fx.port.client({ name: 'test' });
  return { t, s: strategy, admin, stream };
}

async function submitAll(s: BufferStrategy, ops: readonly Op[], fates: OpFates): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const op of ops) {
    const o = await s.submit(op);
    outcomes.push(o);
    fates.set(op.id, fateOf(o));
  }
  return outcomes;
}

describe('buffer fallback', () => {
  it('fallback=memory: refused enqueues go to the in-process queue, noted once, and are posted', async () => {
    const { t, s, admin, stream } = await start('memory');
    const ops = makeOps(Array.from({ length: 15 }, () => ['charge', 0, 3] as const));
    const fates = new OpFates(15);
    await admin.del(stream);
    await admin.set(stream, 'not a stream');
    const first = await submitAll(s, ops.slice(0, 10), fates);
    expect(first.every((o) => o.status === 'accepted')).toBe(true);
    await admin.del(stream); // the queue works again (XADD recreates the stream; the member recreates its group)
    const rest = await submitAll(s, ops.slice(10), fates);
    expect(rest.every((o) => o.status === 'accepted')).toBe(true);
    await s.drain();
    expect(t.events.notes.map((n) => n.kind)).toEqual(['fallback', 'fallback_end']);
    expect(t.events.notes[0]!.detail).toMatch(/^redis-streams refused an enqueue \(WRONGTYPE .*\); degraded to the in-process queue$/);
    const summary = await audit({ pool: t.db.pool, accounts, ops: () => ops, fates }, () => {});
    expect(summary).toMatchObject({ conservationOk: true, lost: 0, duplicated: 0, entries: 15 });
    admin.disconnect();
  });

  it('fallback=none: a refused enqueue is an error, promised nothing, and drain does not wait for it', async () => {
    const { t, s, admin, stream } = await start('none');
    await admin.del(stream);
    await admin.set(stream, 'not a stream');
    const [op] = makeOps([['charge', 0, 3]]);
    const outcome = await s.submit(op!);
    expect(outcome).toMatchObject({ status: 'rejected', reason: 'error' });
    expect((outcome as { detail: string }).detail).toMatch(/^WRONGTYPE /);
    expect((await s.observe()).find((p) => p.name === 'consumer_lag')?.value).toBe(0);
    await s.drain();
    const entries = await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM entries');
    expect(entries.rows[0]!.n).toBe(0);
    admin.disconnect();
  });
});
