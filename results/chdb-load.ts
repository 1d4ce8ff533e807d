/**
 * How hotbench runs chdb in its own process: the binding loaded with its
 * allocator told to hand freed memory back sooner, and the engine told to
 * keep fewer idle threads. Both because the process that records also drives
 * the load, and what ClickHouse keeps for later is memory the run pays for.
 *
 * Measured with `npm run bench:memory -- --duration 60s --report-ops 0`
 * (noop at 20,000 ops/s, chdb in process; two runs each, alternated; the
 * options set by hand through `JE_MALLOC_CONF` and a patched session):
 * peak RSS 477/484 MB as chdb ships, 468/468 MB with `dirty_decay_ms:1000`,
 * 446/456 MB with that and {@link CHDB_CONNECTION_ARGS}. `dirty_decay_ms:0`
 * gave 440/448 MB but made the 10 M-op report take 37–41 s instead of 3–4 s
 * (every free a madvise, every reuse a page fault), so it is not used.
 */
import type * as Chdb from 'chdb';

/**
 * The jemalloc options given to libchdb.so: freed pages go back to the OS
 * after ~1 s instead of chdb's built-in 5 s (`dirty_decay_ms:5000`); one
 * `groupArray` over 10 M numbers leaves ~420 MB of freed pages resident
 * for those 5 s.
 */
export const CHDB_JEMALLOC_CONF = 'dirty_decay_ms:1000';

/**
 * Engine arguments for every chdb session: keep at most 8 idle threads in
 * ClickHouse's global pool (default 1,000). A 60-s recording otherwise
 * leaves ~130 idle threads, each holding its stack and allocator cache.
 */
export const CHDB_CONNECTION_ARGS: readonly string[] = ['--max_thread_pool_free_size=8'];

/**
 * chdb's module, loaded once. Sets `JE_MALLOC_CONF` to
 * {@link CHDB_JEMALLOC_CONF} first, since jemalloc reads it once, when the
 * library loads (so this has no effect when chdb is already loaded); a
 * `JE_MALLOC_CONF` already in the environment is the user's and is left
 * alone.
 */
export async function loadChdb(): Promise<typeof Chdb> {
  process.env['JE_MALLOC_CONF'] ??= CHDB_JEMALLOC_CONF;
  return import('chdb');
}
