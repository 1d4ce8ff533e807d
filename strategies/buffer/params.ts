/**
 * Parameters of `buffer`.
 *
 * - `queue`: the adapter: `redis-streams` (default: always available with
 *   hotbench's Redis), `kafka` (seed 000's design; needs a broker), `memory`
 *   (in-process, not durable: seed 003's thread pool).
 * - `consumers`: members of the consumer group = partitions (default 4).
 * - `batch`: most messages a member applies per transaction (default 500, seed
 *   000's `max.poll.records`).
 * - `poll`: after a batch smaller than `batch` (or none), a member waits this
 *   long before reading again (default 0ms: at once). Seed 000's scheduled
 *   aggregation interval ("around 10 seconds"); longer means bigger batches,
 *   more lag, and more debits accepted past an exhausted budget.
 * - `check`: floor check when a debit is *applied* (default false). Off: every
 *   accepted op is posted, so debits queued past the budget post as late
 *   overdrafts. On: such debits are refused when applied, after the caller was
 *   told `accepted`: lost promises.
 * - `fallback`: `none` (default) or `memory`: when the queue refuses an
 *   enqueue, degrade to an in-process queue (seed 003 §3.3) and note it.
 * - `session`: `queue=kafka` only: the consumers' session timeout (default
 *   10s, the broker accepts 6s..30m). A crashed member says no goodbye, so its
 *   partitions wait this long before the group hands them to a live member.
 * - `reclaim_idle`: `queue=redis-streams` only: how long an entry must have
 *   sat unacknowledged in a member's pending list before another member takes
 *   it over (`XAUTOCLAIM` min-idle; default 10s). A member started after a
 *   crash waits for it before reading on, so an account's order is kept; 0
 *   takes over at once, which only a supervisor that *knows* the member died
 *   could do.
 */
import { z } from 'zod';
import { bool, duration, oneOf, positiveInt } from '../params.js';
import { QUEUE_BACKENDS } from './queue/port.js';

/** `buffer` parameters with their documented defaults. */
export const bufferParams = z
  .object({
    queue: oneOf(QUEUE_BACKENDS, 'redis-streams'),
    consumers: positiveInt(4, 64),
    batch: positiveInt(500, 100_000),
    poll: duration('0ms', { max: '60s' }),
    check: bool(false),
    fallback: oneOf(['none', 'memory'] as const, 'none'),
    session: duration('10s', { min: '6s', max: '30m' }),
    reclaim_idle: duration('10s', { max: '10m' }),
  })
  .strict();

/** Parsed `buffer` parameters. */
export type BufferParams = z.infer<typeof bufferParams>;
