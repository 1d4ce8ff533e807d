/**
 * One ledger from a sharded strategy's shards, so the audit and the ledger
 * analyses read it as they read any other: after drain, every shard's
 * `accounts` and `entries` are copied into the replay's own database (which
 * the sharded strategy never writes).
 *
 * Physical ids and transfer ids are per shard (each shard's inner instance
 * numbers its own rows and transfers), so they are renumbered `id × shards +
 * shard`: unique in the union, and the shard of any row is `id mod shards`.
 * Op ids and counterparty legs need nothing: an op is posted on one shard
 * only, both of its legs there. Entries keep their order within a shard (the
 * posting-order contract is per physical row, and a row lives on one shard)
 * and their `created_at` (the shards' clocks are assumed to agree: true for
 * servers on one host, an assumption for servers on several).
 *
 * Balances are copied as the shards left them, so the audit's conservation
 * check (initial + entries = balance, per row and per account) checks each
 * shard's own bookkeeping, and global conservation checks that money moved
 * only between accounts, across all shards together. Rows a shard was seeded
 * with at zero for accounts homed elsewhere (see strategies/sharded) and
 * never touched are left out.
 */
import pg from 'pg';
import type { AccountSpec } from '../../strategies/contract.js';
import { createLedger, type PhysicalAccount } from '../../strategies/ledger.js';
import { homeShard } from '../../strategies/shard-placement.js';

const CHUNK = 20_000;

/** What the merge copied. */
export interface MergedShards {
  /** Physical account rows copied, per shard. */
  readonly accounts: readonly number[];
  /** Entries copied, per shard. */
  readonly entries: readonly number[];
}

interface AccountRow {
  id: string;
  owner: number;
  role: string;
  balance: string;
  floor: string;
  initial: string;
  version: string;
}

interface EntryRow {
  op_id: string | null;
  transfer_id: string | null;
  counter_op: string | null;
  account_id: string;
  owner: number;
  delta: string;
  balance_after: string | null;
  created_at: string;
}

/**
 * Copies the ledgers at `shardUrls` (shard order) into the empty database
 * behind `target`, seeded for `accounts`. Throws when the shards' initial
 * balances do not add up to the scenario's (a layout error of the sharded
 * strategy), or on a database error. `chunkRows` (default 20,000) is how
 * many entries or account rows one statement moves.
 */
export async function mergeShardLedgers(target: pg.Pool, shardUrls: readonly string[], accounts: readonly AccountSpec[], chunkRows: number = CHUNK): Promise<MergedShards> {
  const n = shardUrls.length;
  const physical: PhysicalAccount[] = [];
  const finals: { id: number; balance: string; version: string }[] = [];
  for (let shard = 0; shard < n; shard++) {
    const homes = accounts.filter((a) => homeShard(a.id, n) === shard).map((a) => a.id);
    const rows = await onShard(shardUrls[shard]!, (client) =>
      client.query<AccountRow>(
        `SELECT id::text, owner, role, balance::text, floor::text, initial::text, version::text FROM accounts a
         WHERE a.owner = ANY($1::int[]) OR a.initial <> 0 OR a.balance <> 0 OR a.floor <> 0 OR EXISTS (SELECT 1 FROM entries e WHERE e.account_id = a.id)
         ORDER BY id`,
        [homes],
      ),
    );
    for (const r of rows.rows) {
      const id = Number(r.id) * n + shard;
      physical.push({ id, owner: r.owner, role: r.role, balance: Number(r.initial), floor: Number(r.floor) });
      finals.push({ id, balance: r.balance, version: r.version });
    }
  }
  await createLedger(target, accounts, { physical });
  // Entries shard by shard, a chunk at a time in posting order: one chunk in memory, however long the run.
  const entries: number[] = [];
  for (let shard = 0; shard < n; shard++) entries.push(await onShard(shardUrls[shard]!, (client) => copyEntries(client, target, shard, n, chunkRows)));
  for (let i = 0; i < finals.length; i += chunkRows) {
    const chunk = finals.slice(i, i + chunkRows);
    await target.query(
      `UPDATE accounts a SET balance = t.balance, version = t.version FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS t(id, balance, version) WHERE a.id = t.id`,
      [chunk.map((r) => r.id), chunk.map((r) => r.balance), chunk.map((r) => r.version)],
    );
  }
  await target.query('ANALYZE accounts');
  await target.query('ANALYZE entries');
  return { accounts: count(physical, n), entries };
}

/** Runs `fn` on one connection to the shard at `url`, closed afterwards. */
async function onShard<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'hotbench:merge-shards' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Copies shard `shard`'s entries (of `n`) into `target` in posting order, ids renumbered; returns how many. */
async function copyEntries(client: pg.Client, target: pg.Pool, shard: number, n: number, chunkRows: number): Promise<number> {
  const renumber = (v: string | null): string | null => (v === null ? null : String(BigInt(v) * BigInt(n) + BigInt(shard)));
  let after = '-1';
  let copied = 0;
  for (;;) {
    const { rows: chunk } = await client.query<EntryRow & { seq: string }>(
      // e.seq, not seq: the output column `seq` is text, and ORDER BY would sort by it ('10' < '9').
      `SELECT e.seq::text AS seq, e.op_id::text, e.transfer_id::text, e.counter_op::text, e.account_id::text, e.owner, e.delta::text, e.balance_after::text, e.created_at::text
       FROM entries e WHERE e.seq > $1::bigint ORDER BY e.seq LIMIT $2`,
      [after, chunkRows],
    );
    if (chunk.length === 0) return copied;
    await target.query(
      `INSERT INTO entries (op_id, transfer_id, counter_op, account_id, owner, delta, balance_after, created_at)
       SELECT op_id, transfer_id, counter_op, account_id, owner, delta, balance_after, created_at FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::int[], $6::bigint[], $7::bigint[], $8::timestamptz[]) WITH ORDINALITY AS t(op_id, transfer_id, counter_op, account_id, owner, delta, balance_after, created_at, n)
       ORDER BY n`,
      [
        chunk.map((r) => r.op_id),
        chunk.map((r) => renumber(r.transfer_id)),
        chunk.map((r) => r.counter_op),
        chunk.map((r) => renumber(r.account_id)),
        chunk.map((r) => r.owner),
        chunk.map((r) => r.delta),
        chunk.map((r) => r.balance_after),
        chunk.map((r) => r.created_at),
      ],
    );
    copied += chunk.length;
    after = chunk[chunk.length - 1]!.seq;
    if (chunk.length < chunkRows) return copied;
  }
}

function count(rows: readonly PhysicalAccount[], n: number): number[] {
  const out = new Array<number>(n).fill(0);
  for (const r of rows) out[r.id % n] = (out[r.id % n] ?? 0) + 1;
  return out;
}
