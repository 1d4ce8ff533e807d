/**
 * The replay's samplers: once a second, the driver (in flight, behind), the
 * process (RSS), the hot accounts' ledger balances and the strategy's own
 * series, recorded as `samples` rows on the replay's schedule clock.
 */
import pg from 'pg';
import type { Plan } from '../../scenarios/index.js';
import { isObservable, type Clock, type Strategy } from '../../strategies/contract.js';
import type { OpenLoopDriver } from '../driver/open-loop.js';
import type { ReplayRecorder } from './sink.js';

/** Seconds between samples of the driver, the hot balances and the strategy's own series. */
const SAMPLE_EVERY_MS = 1_000;

/**
 * Samples the driver, the process, the hot accounts' ledger balances and the strategy's own series.
 * `suffix` (default '') is added to the process's own series: a load shard's `@i`, so n shards' series stay apart.
 */
export function startSampler(strategy: Strategy, driver: OpenLoopDriver, clock: Clock, sink: ReplayRecorder, urls: readonly string[], plan: Plan, suffix = '') {
  const hot = plan.accounts.filter((a) => a.hot).map((a) => a.id);
  // Several URLs are a sharded ledger's shards: an account's balance is the sum of its rows on all of them.
  const pools = urls.map((url) => {
    const pool = new pg.Pool({ connectionString: url, max: 1, application_name: 'hotbench:sampler' });
    pool.on('error', () => undefined);
    return pool;
  });
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy) return; // never stack samples behind a slow database
    busy = true;
    try {
      const at = clock.now();
      const s = driver.snapshot();
      sink.sample(`in_flight${suffix}`, s.inFlight, at);
      sink.sample(`behind_us${suffix}`, s.behindUs, at);
      sink.sample(`rss_bytes${suffix}`, process.memoryUsage.rss(), at);
      if (hot.length > 0) {
        const results = await Promise.all(
          pools.map((pool) =>
            pool.query<{ owner: number; balance: string }>('SELECT owner, sum(balance)::text AS balance FROM accounts WHERE owner = ANY($1::int[]) GROUP BY owner', [hot]).catch(() => undefined),
          ),
        );
        // A sample only when every shard answered: a partial sum would be a wrong balance, not a late one.
        if (results.every((r) => r !== undefined)) {
          const sums = new Map<number, number>();
          for (const r of results) for (const row of r?.rows ?? []) sums.set(row.owner, (sums.get(row.owner) ?? 0) + Number(row.balance));
          for (const [owner, balance] of sums) sink.sample(`balance:${owner}`, balance, at);
        }
      }
      if (isObservable(strategy)) {
        for (const point of await strategy.observe().catch(() => [])) sink.sample(`${point.name}${suffix}`, point.value, at);
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), SAMPLE_EVERY_MS);
  return {
    async stop(): Promise<void> {
      clearInterval(timer);
      await tick();
      await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)));
    },
  };
}


