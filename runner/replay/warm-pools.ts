/**
 * Opens every connection of a strategy's pools before its replay starts, so
 * the measured window holds steady-state work only. A cold pool opens its
 * connections on demand, in the middle of the traffic: each new backend
 * spends milliseconds starting and loading catalog entries, and when that
 * happens inside a transaction that holds the hot row's lock, every op
 * queued behind it waits too (seen: one-off p99 spikes of ~250 ms at 168
 * ops/s on `row-lock`, far below its ceiling, in every short capacity step).
 */
import type pg from 'pg';

/** Tables most strategies touch first; touching them loads their catalog entries in each backend. */
const TOUCH_LEDGER_SQL = 'SELECT 1 FROM accounts, entries WHERE false';

/**
 * Checks out `max` clients of each pool at once (so each is a separate
 * connection), runs a trivial statement and a ledger touch on each (the
 * touch may fail where a strategy keeps no ledger), and returns them.
 * Best effort: a connection the server refuses (e.g. max_connections, when
 * pools together ask for more than the replay ever uses at once) is left to
 * open on demand, as it would have without the warm-up.
 */
export async function warmPools(pools: readonly pg.Pool[]): Promise<void> {
  await Promise.all(
    pools.map(async (pool) => {
      const max = (pool as unknown as { options: { max?: number } }).options.max ?? 10;
      const settled = await Promise.allSettled(Array.from({ length: max }, () => pool.connect()));
      const clients = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      try {
        await Promise.all(
          clients.map(async (client) => {
            await client.query('SELECT 1').catch(() => undefined);
            await client.query(TOUCH_LEDGER_SQL).catch(() => undefined);
          }),
        );
      } finally {
        for (const client of clients) client.release();
      }
    }),
  );
}
