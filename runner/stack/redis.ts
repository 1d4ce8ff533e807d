/**
 * The Redis part of the stack (DESIGN.md §2): `--redis URL` / `REDIS_URL`;
 * without one, redis://127.0.0.1:6379 if it answers; else a `redis-server`
 * from PATH that hotbench starts (see `redis-server.ts`) and stops at the end.
 * If none of that works the need is unavailable, with one line saying why.
 *
 * Each replay gets a key namespace; its port hands out ioredis clients named
 * after it, and `release` deletes the namespace's keys and closes the clients.
 * `--fault redis:restart` restarts the server hotbench started, or, on a
 * shared server it must not restart, deletes the replay's keys and drops its
 * connections (the event says which).
 */
import { Redis } from 'ioredis';
import type { RedisClientOptions, RedisPort } from '../../strategies/ports.js';
import type { StackFaultTarget } from '../faults/target.js';
import { oneLine } from '../errors.js';
import { redactUrl } from '../config/redact.js';
import type { PortProvider, PortProviders, PortRequest } from './needs.js';
import type { ProviderContext } from './provider-types.js';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { StackError } from './stack-error.js';

/** Tried when no URL is given. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const NAMESPACE = /^[a-z0-9_]+$/;
const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;

/** Options for {@link RedisProvider.open}. */
export interface OpenRedisOptions {
  /** An explicit server (`--redis`): used or reported unreachable, never replaced by a started one. */
  readonly url?: string;
  /** Tried when `url` is absent. Default {@link DEFAULT_REDIS_URL}. */
  readonly defaultUrl?: string;
  /** Start `redis-server` from PATH when the default is unreachable. Default true. */
  readonly allowStart?: boolean;
  /** The executable to start. Default `redis-server`. */
  readonly binary?: string;
  log?(line: string): void;
}

/** Provides Redis to strategies; can restart the server it started. */
export class RedisProvider implements PortProvider, StackFaultTarget {
  readonly stackFaults = ['restart'] as const;
  readonly #clients = new Map<string, Set<Redis>>();
  readonly #admin: Redis;

  private constructor(
    readonly url: string,
    readonly version: string,
    readonly description: string,
    private readonly server: RedisServer | undefined,
  ) {
    this.#admin = makeClient(url, { name: 'hotbench-admin' });
  }

  /** The redis-server hotbench started; a server it found or was given is external. */
  serverProcess(): { readonly name: string; readonly pid: number | undefined } {
    return this.server === undefined ? { name: 'Redis (external)', pid: undefined } : { name: 'redis-server', pid: this.server.pid };
  }

  /** Finds or starts a server; throws a one-line {@link StackError} when there is none. */
  static async open(options: OpenRedisOptions = {}): Promise<RedisProvider> {
    if (options.url !== undefined && options.url !== '') {
      const version = await probe(options.url).catch((err: unknown) => {
        throw new StackError(`Redis at ${redactUrl(options.url ?? '')} is unreachable (${oneLine(err)})`);
      });
      return new RedisProvider(options.url, version, `Redis ${version} at ${redactUrl(options.url)}`, undefined);
    }
    const fallback = options.defaultUrl ?? DEFAULT_REDIS_URL;
    let why: string;
    try {
      const version = await probe(fallback);
      return new RedisProvider(fallback, version, `Redis ${version} at ${redactUrl(fallback)}`, undefined);
    } catch (err) {
      why = `${redactUrl(fallback)} is unreachable (${oneLine(err)})`;
    }
    if (options.allowStart === false) throw new StackError(why);
    let server: RedisServer;
    try {
      server = await startRedisServer(options.binary === undefined ? {} : { binary: options.binary });
    } catch (err) {
      throw new StackError(`${why}, and ${oneLine(err)}`);
    }
    try {
      const version = await probe(server.url);
      options.log?.(`redis: ${why}; started redis-server ${version} on 127.0.0.1:${server.port} (no persistence)`);
      return new RedisProvider(server.url, version, `redis-server ${version} started by hotbench on 127.0.0.1:${server.port}`, server);
    } catch (err) {
      await server.stop();
      throw new StackError(`the redis-server hotbench started does not answer (${oneLine(err)})`);
    }
  }

  /** True when hotbench started the server (so a fault may really restart it). */
  get started(): boolean {
    return this.server !== undefined;
  }

  async provide(request: PortRequest): Promise<RedisPort> {
    const namespace = checkNamespace(request.namespace);
    const clients = this.#clients.get(namespace) ?? new Set<Redis>();
    this.#clients.set(namespace, clients);
    return {
      namespace,
      version: this.version,
      client: (options: RedisClientOptions = {}) => {
        const client = makeClient(this.url, { ...options, name: `${namespace}-${options.name ?? 'client'}` });
        clients.add(client);
        client.once('end', () => clients.delete(client));
        return client;
      },
    };
  }

  /** Deletes the namespace's keys and closes the clients still open for it. */
  async release(request: PortRequest): Promise<void> {
    const namespace = checkNamespace(request.namespace);
    for (const client of this.#clients.get(namespace) ?? []) client.disconnect();
    this.#clients.delete(namespace);
    await deleteNamespace(this.#admin, namespace);
  }

  /**
   * `restart`: a server hotbench started is killed (SIGKILL) and started
   * again on the same port: everything in it is gone. A shared server is not
   * restarted: the replay's keys are deleted and its connections killed,
   * which is what the replay would see of a restart.
   */
  async injectStackFault(action: string, request: PortRequest): Promise<string> {
    if (action !== 'restart') throw new StackError(`redis cannot '${action}' (it knows: restart)`);
    const namespace = checkNamespace(request.namespace);
    if (this.server !== undefined) {
      const { oldPid, newPid } = await this.server.restart();
      return `restarted the redis-server hotbench started (pid ${oldPid} → ${newPid}, SIGKILL, no persistence: all keys lost)`;
    }
    const deleted = await deleteNamespace(this.#admin, namespace);
    const killed = await killConnections(this.#admin, namespace);
    return `shared Redis at ${redactUrl(this.url)} not restarted: deleted the replay's ${deleted} keys and killed its ${killed} connections`;
  }

  async stop(): Promise<void> {
    for (const set of this.#clients.values()) for (const c of set) c.disconnect();
    this.#clients.clear();
    this.#admin.disconnect();
    await this.server?.stop();
  }
}

/** The opener listed in PROVIDER_OPENERS. Never throws: an unmet need is recorded with its reason. */
export async function openRedis(providers: PortProviders, ctx: ProviderContext): Promise<void> {
  try {
    const url = ctx.config.redisUrl;
    providers.set('redis', await RedisProvider.open({ ...(url === undefined ? {} : { url }), log: (line) => ctx.log(line) }));
  } catch (err) {
    providers.unavailable('redis', oneLine(err));
  }
}

function checkNamespace(namespace: string): string {
  if (!NAMESPACE.test(namespace)) throw new StackError(`refusing an unusual Redis namespace '${namespace}'`);
  return namespace;
}

function makeClient(url: string, options: RedisClientOptions): Redis {
  const timeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const client = new Redis(url, {
    connectionName: options.name ?? 'hotbench',
    ...(timeout > 0 ? { commandTimeout: timeout } : {}),
    enableAutoPipelining: options.autoPipelining ?? false,
    maxRetriesPerRequest: 2,
    // Reconnect quickly: a restarted server is back within a second.
    retryStrategy: (times) => Math.min(times * 50, 500),
  });
  client.on('error', () => undefined); // surfaced on the next command instead
  return client;
}

/** Connects once with short timeouts; resolves with `redis_version`. */
async function probe(url: string): Promise<string> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1_500, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // The cause (WRONGPASS, NOAUTH...) arrives as an 'error' event; the rejection only says the connection closed.
  let cause: Error | undefined;
  client.on('error', (err: Error) => (cause ??= err));
  try {
    await client.connect();
    const info = await client.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } catch (err) {
    throw cause !== undefined && /connection is closed/i.test((err as Error).message) ? cause : err;
  } finally {
    client.disconnect();
  }
}

/** Deletes every `<namespace>:*` key (SCAN + UNLINK); returns how many. */
async function deleteNamespace(admin: Redis, namespace: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await admin.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Kills the server-side connections named `<namespace>-*`; returns how many. */
async function killConnections(admin: Redis, namespace: string): Promise<number> {
  const list = (await admin.call('CLIENT', 'LIST')) as string;
  let killed = 0;
  for (const line of list.split('\n')) {
    const id = /(?:^| )id=(\d+)/.exec(line)?.[1];
    const name = /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '';
    if (id !== undefined && name.startsWith(`${namespace}-`)) {
      killed += Number(await admin.call('CLIENT', 'KILL', 'ID', id).catch(() => 0));
    }
  }
  return killed;
}
