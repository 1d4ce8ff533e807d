/**
 * `--fault postgres:restart@<time>`: the ledger's PostgreSQL goes down and
 * comes back in the middle of a replay. Only the embedded server hotbench
 * started is restarted (immediate shutdown, i.e. a crash, then a start on
 * the same port and data directory: crash recovery replays the WAL, so every
 * committed entry survives). An external server is never restarted: a run
 * asking for it is refused before it starts, in one line.
 *
 * While the server is down, ops fail with reason `error` and are counted;
 * the strategy's pools reconnect once it is back, and the auditor checks the
 * ledger afterwards as usual (conservation must still hold).
 */
import { UserError } from '../errors.js';
import type { PostgresStack } from '../stack/postgres.js';
import { StackError } from '../stack/stack-error.js';
import type { FaultSpec } from './spec.js';
import type { StackFaultTarget } from './target.js';

/** The fault target for the run's PostgreSQL (the ledger of every replay). */
export function postgresFaultTarget(postgres: PostgresStack): StackFaultTarget {
  return {
    stackFaults: ['restart'],
    async injectStackFault(action: string): Promise<string> {
      if (action !== 'restart') throw new StackError(`postgres cannot '${action}' (it knows: restart)`);
      if (postgres.restart === undefined) throw new StackError(`${postgres.description} is external: hotbench restarts only the embedded PostgreSQL it started`);
      const started = process.hrtime.bigint();
      const { oldPid, newPid } = await postgres.restart();
      const downMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
      return `restarted the embedded PostgreSQL hotbench started (pid ${oldPid} → ${newPid}, immediate shutdown then crash recovery on the same port and data; accepting connections again after ${downMs} ms)`;
    },
  };
}

/**
 * Refuses, before anything runs, a PostgreSQL fault on an external server
 * (`--pg` / `PG_URL`): hotbench must not restart a server it does not own.
 */
export function refuseExternalPostgresFaults(faults: readonly FaultSpec[], pgUrl: string | undefined): void {
  const fault = faults.find((f) => f.part === 'postgres');
  if (fault === undefined || pgUrl === undefined || pgUrl === '') return;
  throw new UserError(`--fault ${fault.text}: hotbench restarts only the embedded PostgreSQL it starts, never an external server (--pg / PG_URL); drop --pg to use the embedded one, or drop the fault.`);
}
