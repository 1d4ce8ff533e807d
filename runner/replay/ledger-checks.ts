/**
 * What a replay checks on the strategy's ledger once the strategy has
 * drained: the audit (conservation, every op's fate; incidents recorded),
 * then, with every row of the replay flushed to the store, the post-replay
 * analyses (runner/analysis/), which read both the ledger and the store.
 */
import type pg from 'pg';
import { generateOps } from '../../scenarios/index.js';
import { audit } from '../audit/auditor.js';
import type { OpFates } from '../audit/fates.js';
import { runAnalyses } from '../analysis/index.js';
import { describePgError } from '../stack/postgres.js';
import type { ReplayArgs } from './args.js';

/** The facts the checks need besides the replay's arguments. */
export interface LedgerCheck {
  readonly args: ReplayArgs;
  /** A pool on the strategy's database. */
  readonly ledger: pg.Pool;
  /** Its URL (for error messages, password masked there). */
  readonly url: string;
  readonly fates: OpFates;
  /** PostgreSQL epoch µs → the replay's schedule µs. */
  readonly pgToScheduleUs: (pgEpochUs: number) => number;
  /** Half the clock sync's round trip, µs. */
  readonly pgClockUncertaintyUs: number;
}

/** Audits, flushes the recorder, runs the analyses; returns the audit's summary (undefined when the audit failed: logged). */
export async function checkLedger(c: LedgerCheck) {
  const { args, fates } = c;
  const { planned, runId, rep } = args;
  const summary = await runAudit(c, (incident) =>
    args.rows.push('incidents', { run_id: runId, strategy: planned.label, rep, kind: incident.kind, op_id: incident.opId, account: incident.account, amount: incident.amount, at_us: -1, detail: incident.detail }),
  );
  await args.rows.flush();
  await runAnalyses({
    key: { run_id: runId, strategy: planned.label, rep },
    strategyName: planned.name,
    ledger: c.ledger,
    store: args.store,
    plan: args.plan,
    fates,
    pgToScheduleUs: c.pgToScheduleUs,
    pgClockUncertaintyUs: c.pgClockUncertaintyUs,
    rows: args.rows,
    log: (line) => args.log(`${planned.label}: ${line}`),
  });
  return summary;
}

async function runAudit(c: LedgerCheck, onIncident: Parameters<typeof audit>[1]) {
  try {
    return await audit({ pool: c.ledger, accounts: c.args.plan.accounts, ops: () => generateOps(c.args.plan), fates: c.fates }, onIncident);
  } catch (err) {
    c.args.log(`${c.args.planned.label}: audit failed: ${describePgError(err, c.url)}`);
    return undefined;
  }
}
