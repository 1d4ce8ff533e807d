/**
 * `consumer:kill` against `buffer`: with the consumers asleep between reads
 * (poll=1s), the 120 charges accepted before the kill are all still queued.
 * - queue=memory: the in-process queue dies with its workers: exactly those
 *   120 are lost (accepted, never posted), as the auditor counts from the
 *   ledger and the strategy's own `consumers_killed` note says.
 * - queue=redis-streams and queue=kafka: nothing is lost; and with busy
 *   consumers (poll=0, batches of 5) killed inside a batch (held on a row
 *   lock), every accepted op is still posted exactly once (unacknowledged
 *   batches go to the new members once the dead ones timed out: Redis
 *   Streams' reclaim_idle, Kafka's session; a batch committed just before the
 *   kill is skipped by the ledger's op-id check). Kafka runs on the real
 *   broker (KAFKA_BROKERS, else the embedded one).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../runner/audit/auditor.js';
import { BufferStrategy } from '../strategies/buffer/index.js';
import { bufferParams } from '../strategies/buffer/params.js';
import { makeContext, type TestContext } from './support/context.js';
import { makeAccounts, makeOps } from './support/ops.js';
import { redisPort, type RedisFixture } from './redis-fixture.js';
import { replayWithFault } from './fault-fixture.js';
import { closeKafka, KAFKA_START_TIMEOUT_MS, kafkaPort, kafkaProvider } from './kafka-fixture.js';

const accounts = makeAccounts([{ balance: 1_000_000, hot: true }, { balance: 1_000_000 }, { balance: 1_000_000 }, { balance: 1_000_000 }]);
const ops = makeOps(Array.from({ length: 200 }, (_, i) => ['charge', i % 4, 1 + (i % 9)] as const));

let t: TestContext | undefined;
let fx: RedisFixture | undefined;
let strategy: BufferStrategy | undefined;
afterEach(async () => {
  await strategy?.stop();
  await fx?.close();
  await t?.close();
  fx = undefined;
});
// The broker starts once, before the tests, with room for a slow JVM start; a start that fails fails the file.
beforeAll(async () => void (await kafkaProvider()), KAFKA_START_TIMEOUT_MS);
afterAll(closeKafka);

async function killAt(at: number, params: Record<string, string>, list = ops) {
  fx = await redisPort();
  t = await makeContext(accounts, { connections: 6, ports: { redis: fx.port } });
  const s = new BufferStrategy(bufferParams.parse(params));
  strategy = s;
  await s.setup(t.ctx);
  await new Promise((r) => setTimeout(r, 150)); // past the members' first read
  const { outcomes, fates } = await replayWithFault(s, list, { at, inject: () => s.inject('consumer:kill') }, { concurrency: 4 });
  expect(outcomes.every((o) => o.status === 'accepted')).toBe(true);
  const summary = await audit({ pool: t.db.pool, accounts, ops: () => list, fates }, () => {});
  const posted = await t.db.pool.query<{ op_id: string }>('SELECT op_id FROM entries ORDER BY op_id');
  return { summary, posted: posted.rows.map((r) => Number(r.op_id)), t };
}

describe('consumer:kill on buffer', () => {
  it('queue=memory loses exactly the 120 ops its workers held', async () => {
    const { summary, posted, t } = await killAt(120, { queue: 'memory', consumers: '2', poll: '1s' });
    expect(summary).toMatchObject({ conservationOk: true, lost: 120, duplicated: 0, phantom: 0, overdraftCount: 0, entries: 80 });
    expect(posted).toEqual(ops.slice(120).map((op) => op.id));
    const killed = t.events.notes.filter((n) => n.kind === 'consumers_killed');
    expect(killed.map((n) => n.detail)).toEqual(['killed 2 consumers; 120 accepted ops were lost with them (an in-process queue is not durable)']);
    expect(t.events.samples.filter((s) => s.name === 'dropped_ops').map((s) => s.value)).toEqual([120]);
    expect(t.events.notes.filter((n) => n.kind === 'consumers_resumed')).toHaveLength(1);
    expect(strategy!.backend).toBe('memory');
  });

  it('queue=redis-streams loses nothing while the consumers slept', async () => {
    const { summary, posted, t } = await killAt(120, { queue: 'redis-streams', consumers: '2', poll: '1s' });
    expect(summary).toMatchObject({ conservationOk: true, lost: 0, duplicated: 0, phantom: 0, entries: 200 });
    expect(posted).toEqual(ops.map((op) => op.id));
    expect(t.events.notes.filter((n) => n.kind === 'consumers_killed').map((n) => n.detail)).toEqual([
      'killed 2 consumers; 0 accepted ops were lost with them (redis-streams keeps unacknowledged messages)',
    ]);
  });

  it.each([
    ['redis-streams', { reclaim_idle: '2s' }],
    ['kafka', { session: '6s' }],
  ] as const)('queue=%s killed mid-batch: the batch goes to a new member once the dead one timed out, every op posted exactly once', async (queue, timeout) => {
    let ports: Record<string, unknown>;
    let release = async (): Promise<void> => {};
    if (queue === 'kafka') {
      const k = await kafkaPort();
      ports = { kafka: k.port };
      release = () => k.release();
    } else {
      fx = await redisPort();
      ports = { redis: fx.port };
    }
    t = await makeContext(accounts, { connections: 6, ports });
    const s = new BufferStrategy(bufferParams.parse({ queue, consumers: '4', batch: '5', ...timeout }));
    strategy = s;
    await s.setup(t.ctx);
    const tc = t;
    // Hold account 0's row lock: partition 0's member blocks inside its first batch's transaction.
    const holder = await tc.db.pool.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM accounts WHERE id = 0 FOR UPDATE');
    const waiting = async (): Promise<number> =>
      Number((await tc.db.pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'hotbench-buffer' AND wait_event_type = 'Lock'")).rows[0]?.n);
    const { outcomes, fates } = await replayWithFault(s, ops, {
      at: 100,
      inject: async () => {
        for (let i = 0; i < 6_000 && (await waiting()) === 0; i++) await new Promise((r) => setTimeout(r, 10)); // a Kafka group takes seconds to form
        expect(await waiting()).toBe(1); // the member is mid-batch, blocked on the lock
        try {
          await s.inject('consumer:kill');
        } finally {
          // The dead member's server session notices the closed socket once it gets the lock, and rolls back.
          await holder.query('COMMIT');
          holder.release();
        }
      },
    });
    expect(outcomes.every((o) => o.status === 'accepted')).toBe(true);
    const summary = await audit({ pool: tc.db.pool, accounts, ops: () => ops, fates }, () => {});
    expect(summary).toMatchObject({ conservationOk: true, lost: 0, duplicated: 0, phantom: 0, entries: 200 });
    const posted = await tc.db.pool.query<{ op_id: string }>('SELECT op_id FROM entries ORDER BY op_id');
    expect(posted.rows.map((r) => Number(r.op_id))).toEqual(ops.map((op) => op.id));
    // Account 0's ops were posted in order although the first batch was claimed from a dead member.
    const hot = await tc.db.pool.query<{ op_id: string }>('SELECT op_id FROM entries WHERE owner = 0 ORDER BY seq');
    expect(hot.rows.map((r) => Number(r.op_id))).toEqual(ops.filter((op) => op.account === 0).map((op) => op.id));
    expect(new Set(tc.events.postedOps.map((p) => p.op.id)).size).toBe(tc.events.postedOps.length);
    await s.stop();
    await release();
  });
});
