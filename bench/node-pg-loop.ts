/**
 * bench:fidelity's middle reading: row-lock's transaction run by a bare
 * node-pg closed loop (no driver, recorder, ClickHouse or telemetry), so the
 * gap between pgbench and hotbench splits into the Node client's own cost and
 * the harness's.
 */
import pg from 'pg';
import { TIMED_LOCK_ROW_SQL } from '../strategies/ledger.js';
import { ROW_LOCK_INSERT_SQL, ROW_LOCK_UPDATE_SQL } from '../strategies/row-lock/index.js';

/** What one bare loop measured. */
export interface LoopResult {
  /** Committed transactions per second. */
  readonly tps: number;
  /** This process's CPU time (user + system) per committed transaction, µs. */
  readonly cpuUsPerTxn: number;
}

/** Which client library drives the loop: node-pg's JavaScript protocol code, or libpq through `pg-native`. */
export type BareDriver = 'pg' | 'native';

/** node-pg's libpq binding, or a one-line error saying how to install it. */
function nativePg(): typeof pg {
  const native = (pg as unknown as { native: typeof pg | null }).native;
  if (!native) throw new Error('--native needs pg-native (libpq): apt-get install -y libpq-dev && npm install --no-save pg-native');
  return native;
}

/**
 * Runs `clients` loops, each on its own pooled connection, of BEGIN, the
 * timed lock SELECT, INSERT, UPDATE, COMMIT on account 0 (1-unit charges)
 * for `seconds`, with the statement names row-lock uses (prepared once per
 * connection), through node-pg (`driver` 'pg', the default) or libpq
 * (`'native'`, needs `pg-native`).
 */
export async function nodePgRowLockTps(url: string, clients: number, seconds: number, driver: BareDriver = 'pg'): Promise<LoopResult> {
  const lib = driver === 'native' ? nativePg() : pg;
  const pool = new lib.Pool({ connectionString: url, max: clients, application_name: 'hotbench:fidelity-bare' });
  pool.on('error', () => undefined); // an idle client dropped by the bench's DROP DATABASE ... WITH (FORCE)
  let committed = 0;
  let opId = 1_000_000_000_000; // above anything else the bench inserts
  const end = performance.now() + seconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const locked = await client.query<{ balance: string }>({ name: 'hotbench_timed_lock_row', text: TIMED_LOCK_ROW_SQL, values: [0] });
        const after = Number(locked.rows[0]!.balance) - 1;
        await client.query({ name: 'hotbench_row_lock_insert', text: ROW_LOCK_INSERT_SQL, values: [opId++, 0, 0, -1, after] });
        await client.query({ name: 'hotbench_row_lock_update', text: ROW_LOCK_UPDATE_SQL, values: [0, after] });
        await client.query('COMMIT');
        committed += 1;
      } finally {
        client.release();
      }
    }
  };
  const started = performance.now();
  const cpu = process.cpuUsage();
  try {
    await Promise.all(Array.from({ length: clients }, loop));
  } finally {
    await pool.end();
  }
  const used = process.cpuUsage(cpu);
  return { tps: committed / ((performance.now() - started) / 1000), cpuUsPerTxn: (used.user + used.system) / committed };
}
