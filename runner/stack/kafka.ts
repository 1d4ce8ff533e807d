/**
 * The Kafka part of the stack (DESIGN.md §2): `--kafka host:port` /
 * `KAFKA_BROKERS` only. No broker can be embedded, so without one the need
 * is unavailable ("needs kafka (no broker given): ..."), and with one that
 * does not answer an admin connect within a few seconds it is unavailable
 * with that reason. Nothing is ever faked.
 *
 * Each replay's topics and consumer groups are named `<namespace>.*`;
 * `release` deletes the topics.
 */
import { createRequire } from 'node:module';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaPort } from '../../strategies/ports.js';
import { oneLine } from '../errors.js';
import type { PortProvider, PortProviders, PortRequest } from './needs.js';
import type { ProviderContext } from './provider-types.js';
import { StackError } from './stack-error.js';

/** How long the reachability check may take, ms. */
const PROBE_TIMEOUT_MS = 3_000;
const NAMESPACE = /^[a-z0-9_]+$/;
const KAFKAJS_VERSION = (createRequire(import.meta.url)('kafkajs/package.json') as { version: string }).version;

/** A kafkajs client that logs nothing and gives up quickly on a dead broker. */
export function makeKafka(brokers: readonly string[], clientId: string, timeoutMs = 10_000): Kafka {
  return new Kafka({
    clientId,
    brokers: [...brokers],
    connectionTimeout: Math.min(timeoutMs, 3_000),
    requestTimeout: timeoutMs,
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
}

/** Provides Kafka to strategies. */
export class KafkaProvider implements PortProvider {
  /** kafkajs does not report the broker's release; the cluster's shape is recorded instead. */
  readonly version: string;
  readonly description: string;

  private constructor(
    readonly brokers: readonly string[],
    cluster: { brokers: number; controller: number | null },
  ) {
    this.version = `unknown (kafkajs ${KAFKAJS_VERSION}; ${cluster.brokers} broker${cluster.brokers === 1 ? '' : 's'})`;
    this.description = `Kafka at ${brokers.join(',')} (${cluster.brokers} broker${cluster.brokers === 1 ? '' : 's'}, controller ${cluster.controller ?? 'none'})`;
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
    return { namespace, brokers: this.brokers, kafka: (clientId: string) => makeKafka(this.brokers, clientId) };
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
}

/** The opener listed in PROVIDER_OPENERS. Never throws: an unmet need is recorded with its reason. */
export async function openKafka(providers: PortProviders, ctx: ProviderContext): Promise<void> {
  try {
    providers.set('kafka', await KafkaProvider.open(ctx.config.kafkaBrokers));
  } catch (err) {
    providers.unavailable('kafka', oneLine(err));
  }
}

function checkNamespace(namespace: string): string {
  if (!NAMESPACE.test(namespace)) throw new StackError(`refusing an unusual Kafka namespace '${namespace}'`);
  return namespace;
}
