/**
 * Matches the ledger's op entries against the regenerated op stream and what
 * each caller was told (the fates): lost, duplicated, phantom, mismatched and
 * unknown-fate ops.
 *
 * Both sides are walked in op id order (entries through a cursor ordered by
 * `op_id, seq`, ops from the generator), a merge join that holds one op's
 * entries at a time: memory is O(1) beyond the fates array.
 */
import type { PoolClient } from 'pg';
import { deltaOf, type Op } from '../../strategies/contract.js';
import { cursorBatches } from './cursor.js';
import type { OpFates } from './fates.js';
import { AuditError, int, type IncidentSink } from './types.js';

/** Counts of ops (not entries) in each class. */
export interface OpMatchResult {
  /** Promised (applied/accepted), not a read, and no entry. */
  lost: number;
  /** More than one entry for the op id. */
  duplicated: number;
  /** Entries for an op that was rejected, never sent, or is not in the plan. */
  phantom: number;
  /** Entries whose owner or delta differ from the op's account and signed amount (or any entry for a read). */
  mismatch: number;
  /** Fate unknown (timeout/error) and posted: legitimate. */
  unknownPosted: number;
  /** Fate unknown and not posted: legitimate. */
  unknownUnposted: number;
}

interface Entry {
  readonly owner: number;
  readonly delta: number;
}

/**
 * Walks entries and ops together, reporting `lost`, `duplicated`, `phantom`
 * and `mismatch` incidents. Amounts: lost, phantom = the op's (or entry's)
 * absolute delta; duplicated = the absolute deltas of the extra entries;
 * mismatch = the largest absolute difference from the expected delta (the
 * whole delta when the owner is wrong).
 */
export async function matchOps(
  client: PoolClient,
  ops: () => Iterable<Op>,
  fates: OpFates,
  report: IncidentSink,
  batchRows: number,
): Promise<OpMatchResult> {
  const result: OpMatchResult = { lost: 0, duplicated: 0, phantom: 0, mismatch: 0, unknownPosted: 0, unknownUnposted: 0 };
  const iterator = ops()[Symbol.iterator]();
  let lastId = -1;
  const pull = (): IteratorResult<Op> => {
    const r = iterator.next();
    if (!r.done) {
      const id = r.value.id;
      if (!Number.isInteger(id) || id <= lastId) throw new AuditError(`the op stream must yield ops in increasing id order from 0, got ${id} after ${lastId}`);
      if (id >= fates.size) throw new AuditError(`op id ${id} is beyond the ${fates.size} planned ops the fates were sized for`);
      lastId = id;
    }
    return r;
  };
  let next = pull();
  const advance = (): void => {
    next = pull();
  };

  const unposted = (op: Op): void => {
    if (op.kind === 'read') return;
    const fate = fates.get(op.id);
    if (fate === 'promised') {
      result.lost++;
      report({ kind: 'lost', opId: op.id, account: op.account, amount: Math.abs(deltaOf(op)), detail: `${op.kind} of ${op.amount} was acknowledged but never posted` });
    } else if (fate === 'unknown') {
      result.unknownUnposted++;
    }
  };

  const posted = (op: Op | undefined, opId: number, entries: readonly Entry[]): void => {
    const first = entries[0] as Entry;
    if (entries.length > 1) {
      result.duplicated++;
      const extra = entries.slice(1).reduce((s, e) => s + Math.abs(e.delta), 0);
      report({ kind: 'duplicated', opId, account: first.owner, amount: extra, detail: `posted ${entries.length} times` });
    }
    if (op === undefined) {
      result.phantom++;
      report({ kind: 'phantom', opId, account: first.owner, amount: Math.abs(first.delta), detail: `entry for op id ${opId}, which is not in the plan` });
      return;
    }
    const fate = fates.get(op.id);
    if (fate === 'rejected' || fate === 'unsent') {
      result.phantom++;
      const told = fate === 'rejected' ? 'rejected' : 'never sent (or never answered)';
      report({ kind: 'phantom', opId, account: op.account, amount: Math.abs(first.delta), detail: `${op.kind} of ${op.amount} was ${told} but is posted` });
    } else if (fate === 'unknown') {
      result.unknownPosted++;
    }
    const expected = deltaOf(op);
    let worst = -1;
    let why = '';
    for (const e of entries) {
      if (op.kind === 'read') {
        worst = Math.max(worst, Math.abs(e.delta));
        why = 'a read op has a ledger entry';
      } else if (e.owner !== op.account) {
        worst = Math.max(worst, Math.abs(e.delta));
        why = `entry booked to account ${e.owner}, op is for account ${op.account}`;
      } else if (e.delta !== expected && Math.abs(e.delta - expected) > worst) {
        worst = Math.abs(e.delta - expected);
        why = `entry delta ${e.delta}, op ${op.kind} of ${op.amount} means ${expected}`;
      }
    }
    if (worst >= 0) {
      result.mismatch++;
      report({ kind: 'mismatch', opId, account: op.account, amount: worst, detail: why });
    }
  };

  const settle = (opId: number, entries: Entry[]): void => {
    while (!next.done && next.value.id < opId) {
      unposted(next.value);
      advance();
    }
    if (!next.done && next.value.id === opId) {
      posted(next.value, opId, entries);
      advance();
    } else {
      posted(undefined, opId, entries);
    }
  };

  let groupId = Number.NaN;
  let group: Entry[] = [];
  const sql = 'SELECT op_id, owner, delta FROM entries WHERE op_id IS NOT NULL ORDER BY op_id, seq';
  for await (const batch of cursorBatches(client, sql, [], batchRows)) {
    for (const [rawOpId, owner, delta] of batch) {
      const opId = int(rawOpId);
      if (opId !== groupId) {
        if (group.length > 0) settle(groupId, group);
        groupId = opId;
        group = [];
      }
      group.push({ owner: int(owner), delta: int(delta) });
    }
  }
  if (group.length > 0) settle(groupId, group);
  while (!next.done) {
    unposted(next.value);
    advance();
  }
  return result;
}
