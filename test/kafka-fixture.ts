/**
 * A Kafka port for tests, through the real provider (`runner/stack/kafka.ts`):
 * the broker behind `KAFKA_BROKERS` when set, else the embedded Apache Kafka
 * (started once per test file, stopped by {@link closeKafka}). A machine with
 * Java ≥ 17 and Maven where the embedded broker cannot start makes the caller
 * FAIL, never skip; the error says why.
 */
import { randomBytes } from 'node:crypto';
import type { KafkaPort } from '../strategies/ports.js';
import { KafkaProvider } from '../runner/stack/kafka.js';
import type { PortRequest } from '../runner/stack/needs.js';

const GIVEN = (process.env['KAFKA_BROKERS'] ?? '').split(',').map((b) => b.trim()).filter((b) => b !== '');

let provider: Promise<KafkaProvider> | undefined;

/** The file's provider: KAFKA_BROKERS, or the embedded broker (started on first use). */
export function kafkaProvider(): Promise<KafkaProvider> {
  provider ??= GIVEN.length > 0 ? KafkaProvider.open(GIVEN) : KafkaProvider.embedded({ dataDir: process.env['HOTBENCH_HOME'] ?? '.hotbench' });
  return provider;
}

/**
 * How long a test file may wait for the embedded broker, ms: a JVM starting on
 * two cores shared with other work took up to ~130 s. Give it to `beforeAll`,
 * so a slow start is not charged to the first test's own timeout.
 */
export const KAFKA_START_TIMEOUT_MS = 300_000;

/** What {@link kafkaPort} returns. */
export interface KafkaFixture {
  readonly port: KafkaPort;
  readonly provider: KafkaProvider;
  readonly request: PortRequest;
  /** Deletes the namespace's topics. */
  release(): Promise<void>;
}

/** A fresh namespace `hbt_<random>` on the file's broker. */
export async function kafkaPort(): Promise<KafkaFixture> {
  const p = await kafkaProvider();
  const request: PortRequest = { namespace: `hbt_${randomBytes(5).toString('hex')}`, database: { name: '', url: '', drop: async () => {} } };
  return { port: await p.provide(request), provider: p, request, release: () => p.release(request) };
}

/** Stops the embedded broker if this file started one (call from afterAll). */
export async function closeKafka(): Promise<void> {
  const p = await provider?.catch(() => undefined);
  provider = undefined;
  await p?.stop();
}
