/**
 * The Kafka part of the stack (DESIGN.md §2): `--kafka host:port` /
 * `KAFKA_BROKERS` when given (used as is, or unavailable with the reason when
 * it does not answer an admin connect within a few seconds); otherwise a real
 * Apache Kafka broker that hotbench starts itself (`embedded-kafka.ts`,
 * needs Java ≥ 17, and Maven for the first fetch of the jars) and stops with
 * the run. When neither works the need is unavailable with one line saying
 * why. Nothing is ever faked.
 *
 * `--fault kafka:restart` crash-restarts the embedded broker; an external
 * broker is never restarted (the fault is refused with one line).
 *
 * Each replay's topics and consumer groups are named `<namespace>.*`;
 * `release` deletes the topics.
 */
import { createRequire } from 'node:module';
import { Kafka, logLevel, type ISocketFactory } from 'kafkajs';
import type { KafkaPort } from '../../strategies/ports.js';
import { oneLine } from '../errors.js';
import type { PortProvider, PortProviders, PortRequest } from './needs.js';
import type { StackFaultTarget } from '../faults/target.js';
import { startEmbeddedKafka, type EmbeddedKafka } from './embedded-kafka.js';
import type { ProviderContext } from './provider-types.js';
import { StackError } from './stack-error.js';

/** How long the reachability check may take, ms. */
const PROBE_TIMEOUT_MS = 3_000;
const NAMESPACE = /^[a-z0-9_]+$/;
const KAFKAJS_VERSION = (createRequire(import.meta.url)('kafkajs/package.json') as { version: string }).version;

/** A kafkajs client that logs nothing and gives up quickly on a dead broker (`socketFactory`: see KafkaPort). */
export function makeKafka(brokers: readonly string[], clientId: string, timeoutMs = 10_000, socketFactory?: ISocketFactory): Kafka {
  return new Kafka({
    ...(socketFactory ? { socketFactory } : {}),
    clientId,
    brokers: [...brokers],
    connectionTimeout: Math.min(timeoutMs, 3_000),
    requestTimeout: timeoutMs,
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
}

/** Provides Kafka to strategies; can crash-restart the broker it started. */
export class KafkaProvider implements PortProvider, StackFaultTarget {
  readonly stackFaults = ['restart'] as const;
  /** The embedded broker's release; for an external one kafkajs cannot tell, so the cluster's shape is recorded instead. */
  readonly version: string;
  readonly description: string;

  private constructor(
    readonly brokers: readonly string[],
    cluster: { brokers: number; controller: number | null },
    private readonly server?: EmbeddedKafka,
  ) {
    if (server !== undefined) {
      this.version = server.version;
      this.description = `Apache Kafka ${server.version} started by hotbench on ${brokers.join(',')} (KRaft, one node; answered ${(server.startMs / 1000).toFixed(1)} s after launch)`;
      return;
    }
    this.version = `unknown (kafkajs ${KAFKAJS_VERSION}; ${cluster.brokers} broker${cluster.brokers === 1 ? '' : 's'})`;
    this.description = `Kafka at ${brokers.join(',')} (${cluster.brokers} broker${cluster.brokers === 1 ? '' : 's'}, controller ${cluster.controller ?? 'none'})`;
  }

  /** Starts the embedded broker (see `embedded-kafka.ts`); throws a one-line {@link StackError} when it cannot. */
  static async embedded(options: { dataDir: string; log?: (line: string) => void }): Promise<KafkaProvider> {
    const server = await startEmbeddedKafka(options);
    return new KafkaProvider(server.brokers, { brokers: 1, controller: 1 }, server);
  }

  /** The broker's JVM when hotbench started it; an external broker has no pid of ours. */
  serverProcess(): { readonly name: string; readonly pid: number | undefined } {
    return this.server === undefined ? { name: 'Kafka (external)', pid: undefined } : { name: "Kafka's JVM", pid: this.server.pid };
  }

  /** True when hotbench started the broker (so a fault may really restart it). */
  get started(): boolean {
    return this.server !== undefined;
  }

  /** Checks the brokers answer an admin connect; throws a one-line {@link StackError} otherwise. */
  static async open(brokers: readonly string[], timeoutMs = PROBE_TIMEOUT_MS): Promise<KafkaProvider> {
    if (brokers.length === 0) throw new StackError('no broker given');
    const admin = makeKafka(brokers, 'hotbench-probe', timeoutMs).admin();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([admin.connect(), deadline]);
      const cluster = await Promise.race([admin.describeCluster(), deadline]);
      return new KafkaProvider(brokers, { brokers: cluster.brokers.length, controller: cluster.controller });
    } catch (err) {
      throw new StackError(`Kafka at ${brokers.join(',')} is unreachable (${oneLine(err)})`);
    } finally {
      clearTimeout(timer);
      await admin.disconnect().catch(() => undefined);
    }
  }

  async provide(request: PortRequest): Promise<KafkaPort> {
    const namespace = checkNamespace(request.namespace);
    return { namespace, brokers: this.brokers, kafka: (clientId, options) => makeKafka(this.brokers, clientId, 10_000, options?.socketFactory) };
  }

  /** Deletes the replay's topics (`<namespace>.*`). */
  async release(request: PortRequest): Promise<void> {
    const namespace = checkNamespace(request.namespace);
    const admin = makeKafka(this.brokers, 'hotbench-release').admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
      if (topics.length > 0) await admin.deleteTopics({ topics });
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * `restart`: the embedded broker is killed (SIGKILL: a crash) and started
   * again on the same ports and log folder. An external broker is refused.
   */
  async injectStackFault(action: string): Promise<string> {
    if (action !== 'restart') throw new StackError(`kafka cannot '${action}' (it knows: restart)`);
    if (this.server === undefined) {
      throw new StackError(`refused: Kafka at ${this.brokers.join(',')} was given with --kafka/KAFKA_BROKERS and hotbench restarts only the broker it started (omit --kafka to use the embedded one)`);
    }
    const { oldPid, newPid, ms } = await this.server.restart();
    return `restarted the Apache Kafka ${this.server.version} hotbench started (pid ${oldPid} → ${newPid}, SIGKILL, same log folder; answered again after ${ms} ms)`;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}

/**
 * The opener listed in PROVIDER_OPENERS. Never throws: an unmet need is
 * recorded with its reason. Without `--kafka`, the embedded broker is started
 * only when a planned strategy needs Kafka (a JVM is not free).
 */
export async function openKafka(providers: PortProviders, ctx: ProviderContext): Promise<void> {
  if (ctx.config.kafkaBrokers.length > 0) {
    try {
      providers.set('kafka', await KafkaProvider.open(ctx.config.kafkaBrokers));
    } catch (err) {
      providers.unavailable('kafka', oneLine(err));
    }
    return;
  }
  try {
    if (ctx.needs !== undefined && !ctx.needs.includes('kafka')) {
      providers.unavailable('kafka', 'no strategy of this run needs it, so no broker was started');
      return;
    }
    const started = Date.now();
    const provider = await KafkaProvider.embedded({ dataDir: ctx.config.dataDir, log: (line) => ctx.log(line) });
    ctx.log(`kafka: ${provider.description}; ready ${((Date.now() - started) / 1000).toFixed(1)} s after hotbench asked`);
    providers.set('kafka', provider);
  } catch (err) {
    providers.unavailable('kafka', `no broker given, and the embedded one cannot start: ${oneLine(err)}`);
  }
}

function checkNamespace(namespace: string): string {
  if (!NAMESPACE.test(namespace)) throw new StackError(`refusing an unusual Kafka namespace '${namespace}'`);
  return namespace;
}
