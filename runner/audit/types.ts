/** Types shared by the auditor's passes. */

/**
 * One finding. `kind` is `conservation`, `overdraft`, `lost`, `duplicated`,
 * `phantom` or `mismatch`. `opId` is -1 for account-level findings
 * (conservation). `account` is the logical account id. `amount` is in minor
 * units (see each pass for what it measures). `detail` is one line.
 */
export interface AuditIncident {
  readonly kind: string;
  readonly opId: number;
  readonly account: number;
  readonly amount: number;
  readonly detail: string;
}

/** Receives incidents as they are found (the recorder queues them). */
export type IncidentSink = (incident: AuditIncident) => void;

/** The auditor cannot run (bad input, not a ledger). `.message` is one line. */
export class AuditError extends Error {
  override readonly name = 'AuditError';
}

/** Parses a pg bigint/numeric text into a safe integer. */
export function int(v: unknown): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new AuditError(`ledger value ${String(v)} is not a safe integer`);
  return n;
}
