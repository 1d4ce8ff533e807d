/**
 * The ledger auditor: after a strategy drained, reads its ledger (accounts +
 * entries, nothing the strategy reports about itself) and checks the money
 * against the op stream and what callers were told.
 *
 * All reads happen in one REPEATABLE READ READ ONLY transaction, so the
 * checks see one consistent snapshot. Memory is O(accounts) plus the fates
 * array: entries are streamed through cursors, ops are regenerated.
 */
import type { Pool } from 'pg';
import type { AccountSpec, Op } from '../../strategies/contract.js';
import { checkConservation } from './conservation.js';
import { checkGlobalConservation, type GlobalConservationResult } from './global-conservation.js';
import type { OpFates } from './fates.js';
import { matchOps } from './op-matching.js';
import { findOverdrafts } from './overdraft.js';
import type { AuditIncident } from './types.js';

export { AuditError, type AuditIncident } from './types.js';

/** What the auditor is given. */
export interface AuditInput {
  /** A pool on the strategy's database (1 connection is used). */
  readonly pool: Pool;
  /** The scenario's accounts (logical), indexed by id. */
  readonly accounts: readonly AccountSpec[];
  /** Regenerates the same op stream, in increasing id order. Called once. */
  readonly ops: () => Iterable<Op>;
  /** What the caller was told about each op. */
  readonly fates: OpFates;
  /** Rows fetched per cursor round trip. Default 10,000. */
  readonly batchRows?: number;
}

/** The audit's totals. Counts are of ops (or accounts), amounts in minor units. */
export interface AuditSummary {
  /** No `conservation` incident, and under double entry no `global_conservation` incident either. */
  readonly conservationOk: boolean;
  /** Global conservation (double entry): the model, money created or destroyed, unbalanced ops. */
  readonly global: GlobalConservationResult;
  /** Logical accounts checked (the scenario's accounts). */
  readonly accountsChecked: number;
  readonly overdraftCount: number;
  /** Sum of the overdraft incidents' unfunded amounts. */
  readonly overdraftAmount: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly phantom: number;
  readonly mismatch: number;
  readonly unknownPosted: number;
  readonly unknownUnposted: number;
  /** Entries in the ledger (op entries and transfer legs). */
  readonly entries: number;
}

/**
 * Audits one strategy's ledger. Incidents are passed to `onIncident` as they
 * are found (kinds: `conservation`, `overdraft`, `lost`, `duplicated`,
 * `phantom`, `mismatch`, `global_conservation`); the summary holds the totals. Throws
 * {@link AuditError} when the op stream and fates disagree, and whatever pg
 * throws when the database is not a hotbench ledger.
 */
export async function audit(input: AuditInput, onIncident: (incident: AuditIncident) => void): Promise<AuditSummary> {
  const batchRows = input.batchRows ?? 10_000;
  const client = await input.pool.connect();
  let failed = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // The overdraft window sorts every op entry by (owner, seq): more sort memory, fewer spill passes.
    await client.query("SET LOCAL work_mem = '64MB'");
    const conservation = await checkConservation(client, input.accounts, onIncident, batchRows);
    const global = await checkGlobalConservation(client, input.accounts, onIncident, batchRows);
    const overdraft = await findOverdrafts(client, input.accounts, onIncident, batchRows);
    const ops = await matchOps(client, input.ops, input.fates, onIncident, batchRows);
    await client.query('COMMIT');
    return {
      conservationOk: conservation.failures === 0 && global.drift === 0 && global.unbalancedOps === 0,
      global,
      accountsChecked: input.accounts.length,
      overdraftCount: overdraft.count,
      overdraftAmount: overdraft.amount,
      ...ops,
      entries: conservation.entries,
    };
  } catch (err) {
    failed = true;
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    // A client whose transaction failed mid-cursor is not reused.
    client.release(failed ? true : undefined);
  }
}
