/**
 * A Redis port for tests, through the real provider (`runner/stack/redis.ts`)
 * on the server behind `REDIS_URL` (default redis://127.0.0.1:6379), with a
 * unique namespace per call; `release()` deletes its keys and closes its
 * clients, `close()` also closes the provider.
 */
import { randomBytes } from 'node:crypto';
import type { RedisPort } from '../strategies/ports.js';
import type { PortRequest } from '../runner/stack/needs.js';
import { RedisProvider } from '../runner/stack/redis.js';

/** The server tests use. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** What {@link redisPort} returns. */
export interface RedisFixture {
  readonly port: RedisPort;
  readonly provider: RedisProvider;
  readonly request: PortRequest;
  /** Deletes the namespace's keys and closes its clients. */
  release(): Promise<void>;
  /** `release()`, then stops the provider. */
  close(): Promise<void>;
}

/** A fresh namespace `hbt_<random>` on {@link REDIS_URL} (or on `provider` when given). */
export async function redisPort(provider?: RedisProvider): Promise<RedisFixture> {
  const p = provider ?? (await RedisProvider.open({ url: REDIS_URL }));
  const request: PortRequest = { namespace: `hbt_${randomBytes(5).toString('hex')}`, database: { name: '', url: '', drop: async () => {} } };
  const port = await p.provide(request);
  const release = (): Promise<void> => p.release(request);
  return { port, provider: p, request, release, close: async () => { await release(); await p.stop(); } };
}

/** Polls `check` every 10 ms until it is true; throws after `timeoutMs` (default 10 s) with `what`. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
