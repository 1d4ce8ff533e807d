/**
 * Every replay that uses PostgreSQL starts right after a CHECKPOINT (see
 * runner/replay/checkpoint.ts). With a superuser: a strategy notes the WAL position
 * at the end of its setup, and at its first op the server's latest
 * checkpoint must have started there or later (its redo LSN), for every
 * repetition. (Counting requested checkpoints would not do: each replay's
 * DROP DATABASE requests one too.) With a user that may not checkpoint, the
 * run still completes and each replay records why it was skipped.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { postAtomic } from '../strategies/atomic/index.js';
import type { Op, Outcome, StrategyContext, StrategyDefinition } from '../strategies/contract.js';
import { LedgerStrategy } from '../strategies/ledger-strategy.js';
import { builtinRegistry } from '../strategies/registry.js';
import { openStore } from '../results/open-store.js';
import { HOT_SCENARIO, recordRun, tempDataDir } from './compare-fixture.js';
import { PG_URL } from './support/database.js';

const ROLE = 'hbt_no_checkpoint';

async function adminQuery<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Per repetition: the WAL position when setup ended, and the latest checkpoint's redo position at the first op. */
const seen: { setupEnd: string; redoAtFirstOp: string | undefined }[] = [];

/** `atomic`, watching the WAL around its replay's clock start. */
const watcher: StrategyDefinition<Record<string, never>> = {
  name: 'checkpoint-watcher',
  summary: 'TEST: atomic, noting WAL positions',
  source: 'test fixture',
  needs: ['postgres'],
  params: z.object({}).strict(),
  create: () =>
    new (class extends LedgerStrategy {
      #mine: { setupEnd: string; redoAtFirstOp: string | undefined } | undefined;
      override async setup(ctx: StrategyContext): Promise<void> {
        await super.setup(ctx);
        const lsn = (await this.pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
        this.#mine = { setupEnd: lsn, redoAtFirstOp: undefined };
        seen.push(this.#mine);
      }
      protected async write(op: Op, delta: number): Promise<Outcome> {
        if (this.#mine && this.#mine.redoAtFirstOp === undefined) {
          this.#mine.redoAtFirstOp = '';
          this.#mine.redoAtFirstOp = (await this.pool.query<{ lsn: string }>('SELECT redo_lsn::text AS lsn FROM pg_control_checkpoint()')).rows[0]!.lsn;
        }
        return postAtomic(this.pool, op, delta, this.counterLegs(op, delta)[0]?.account ?? null);
      }
    })('checkpoint-watcher'),
};

/** Whether WAL position `a` (text form X/Y) is at or after `b` (equal when nothing was written in between). */
const lsnNotBefore = (a: string, b: string): boolean => {
  const n = (x: string) => x.split('/').reduce((acc, part) => acc * 2n ** 32n + BigInt(`0x${part}`), 0n);
  return n(a) >= n(b);
};

async function notesOf(dataDir: string, runId: string): Promise<{ rep: number; kind: string; detail: string }[]> {
  const store = await openStore({ dataDir: join(dataDir, 'clickhouse') });
  try {
    return await store.query("SELECT rep, kind, detail FROM events WHERE run_id = {run:String} AND type = 'note' ORDER BY rep", { run: runId });
  } finally {
    await store.close();
  }
}

describe('a CHECKPOINT before each replay clock', () => {
  const dir = tempDataDir('hbt-checkpoint-');
  beforeAll(async () => {
    await adminQuery(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${ROLE}') THEN CREATE ROLE ${ROLE} LOGIN CREATEDB; END IF; END $$`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is taken after each replay\'s setup by a superuser, silently', async () => {
    const runId = await recordRun(builtinRegistry().register(watcher as never), dir, { scenario: HOT_SCENARIO, strategies: 'checkpoint-watcher', duration: '300ms', rateScale: 0.1, repeat: 3 });
    expect(seen).toHaveLength(3);
    for (const s of seen) expect(lsnNotBefore(s.redoAtFirstOp!, s.setupEnd), JSON.stringify(s)).toBe(true);
    expect((await notesOf(dir, runId)).filter((n) => n.kind === 'checkpoint_skipped')).toEqual([]);
  }, 60_000);

  it('is skipped with the reason, once per replay, when the user may not checkpoint', async () => {
    const url = new URL(PG_URL);
    url.username = ROLE;
    url.password = '';
    const runId = await recordRun(builtinRegistry(), dir, { scenario: HOT_SCENARIO, strategies: 'atomic', duration: '300ms', rateScale: 0.1, repeat: 2, pg: url.toString() });
    const skipped = (await notesOf(dir, runId)).filter((n) => n.kind === 'checkpoint_skipped');
    expect(skipped.map((n) => n.rep)).toEqual([0, 1]);
    expect(skipped[0]!.detail).toMatch(/^no CHECKPOINT before the clock \(.*pg_checkpoint.*\): a checkpoint of the server's own may land inside this replay$/);
  }, 60_000);
});
