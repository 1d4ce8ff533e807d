/**
 * The embedded Apache Kafka (runner/stack/embedded-kafka.ts): started from
 * the pinned jars, it answers as a one-node KRaft cluster of the pinned
 * release; `kafka:restart` kills it and brings it back with every message
 * acknowledged before the crash; stopping it, or a SIGKILL of the process that
 * started it (the watchdog), leaves no JVM and no directory behind.
 *
 * Needs Java ≥ 17 (and Maven once, for the jars): on this project's machines
 * both are present, so a broker that cannot start FAILS this file.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedKafka, type EmbeddedKafka } from '../runner/stack/embedded-kafka.js';
import { KafkaProvider, makeKafka, openKafka } from '../runner/stack/kafka.js';
import { ensureKafkaJars, pinnedKafkaVersion } from '../runner/stack/kafka-jars.js';
import { PortProviders } from '../runner/stack/needs.js';
import type { ProviderContext } from '../runner/stack/providers.js';
import { KAFKA_START_TIMEOUT_MS } from './kafka-fixture.js';
import { waitFor } from './redis-fixture.js';

const DATA_DIR = process.env['HOTBENCH_HOME'] ?? '.hotbench';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let server: EmbeddedKafka | undefined;
afterAll(async () => {
  await server?.stop();
});

describe('embedded kafka', () => {
  it('starts the pinned release as a one-node KRaft cluster, survives a crash-restart with its messages, and stops without a trace', async () => {
    server = await startEmbeddedKafka({ dataDir: DATA_DIR });
    const version = pinnedKafkaVersion();
    expect(server.version).toBe(version);
    expect(server.brokers).toEqual([`127.0.0.1:${server.port}`]);
    const kafka = makeKafka(server.brokers, 'hbt-embedded');
    const admin = kafka.admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.controller).toBe(1);
    await admin.createTopics({ topics: [{ topic: 'hbt_embedded.t', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: 'hbt_embedded.t', acks: -1, messages: Array.from({ length: 50 }, (_, i) => ({ value: `m${i}` })) });
    await producer.disconnect();

    const before = server.pid;
    const restarted = await server.restart();
    expect(restarted.oldPid).toBe(before);
    expect(restarted.newPid).not.toBe(before);
    expect(alive(before)).toBe(false);
    // Acknowledged with acks=-1 before the crash: all 50 are still there.
    const after = makeKafka(server.brokers, 'hbt-embedded-after').admin();
    await after.connect();
    const offsets = await after.fetchTopicOffsets('hbt_embedded.t');
    await after.disconnect();
    expect(offsets.map((o) => Number(o.high))).toEqual([50]);

    const { pid, dir } = server;
    await server.stop();
    server = undefined;
    expect(alive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  }, KAFKA_START_TIMEOUT_MS);

  it('a SIGKILL of the process that started it leaves no JVM behind (the watchdog stops it)', async () => {
    const script = `
      const { startEmbeddedKafka } = await import(${JSON.stringify(join(process.cwd(), 'dist/runner/stack/embedded-kafka.js'))});
      const k = await startEmbeddedKafka({ dataDir: ${JSON.stringify(DATA_DIR)} });
      console.log(JSON.stringify({ pid: k.pid, dir: k.dir }));
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    await waitFor(() => out.includes('\n'), 'the child started a broker', KAFKA_START_TIMEOUT_MS - 60_000);
    const { pid, dir } = JSON.parse(out) as { pid: number; dir: string };
    expect(alive(pid)).toBe(true);
    child.kill('SIGKILL');
    await waitFor(() => !alive(pid) && !existsSync(dir), 'the watchdog stopped the JVM and removed its directory', 30_000);
  }, KAFKA_START_TIMEOUT_MS);
});

describe('kafka jars', () => {
  it('once cached they need neither Maven nor the network; uncached without Maven is one line', async () => {
    await ensureKafkaJars({ dataDir: DATA_DIR }); // the first fetch, if this machine has not made it yet
    // A PATH with java and nothing else: no mvn.
    const bin = mkdtempSync(join(tmpdir(), 'hbt-javaonly-'));
    symlinkSync(realpathSync(execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim()), join(bin, 'java'));
    const path = process.env['PATH'];
    const empty = mkdtempSync(join(tmpdir(), 'hbt-nojars-'));
    process.env['PATH'] = bin;
    try {
      const jars = await ensureKafkaJars({ dataDir: DATA_DIR });
      expect(jars.fetched).toBe(false);
      expect(jars.javaMajor).toBeGreaterThanOrEqual(17);
      expect(readdirSync(jars.libDir)).toContain(`kafka_2.13-${jars.version}.jar`);
      await expect(ensureKafkaJars({ dataDir: empty })).rejects.toThrow(/^Maven \(mvn\) is not on PATH, and the Kafka jars are not cached yet: install Maven/);
    } finally {
      process.env['PATH'] = path;
      rmSync(bin, { recursive: true, force: true });
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('kafka provider without a broker', () => {
  const ctx = (needs?: ProviderContext['needs']): ProviderContext => ({
    config: { kafkaBrokers: [], dataDir: DATA_DIR } as never,
    postgres: {} as never,
    ...(needs ? { needs } : {}),
    log: () => {},
  });

  it('starts the embedded broker, names its release, and refuses nothing it can do', async () => {
    const providers = new PortProviders();
    await openKafka(providers, ctx(['postgres', 'kafka']));
    const provider = providers.get('kafka') as KafkaProvider | undefined;
    expect(providers.unmet(['kafka'])).toEqual([]);
    expect(provider?.started).toBe(true);
    expect(provider?.version).toBe(pinnedKafkaVersion());
    expect(provider?.description).toMatch(/^Apache Kafka \d+\.\d+\.\d+ started by hotbench on 127\.0\.0\.1:\d+ /);
    await providers.stop();
  }, KAFKA_START_TIMEOUT_MS);

  it('an external broker is never restarted: the fault is refused in one line', async () => {
    const external = await startEmbeddedKafka({ dataDir: DATA_DIR });
    server = external;
    const provider = await KafkaProvider.open(external.brokers);
    await expect(provider.injectStackFault('restart')).rejects.toThrow(/^refused: Kafka at 127\.0\.0\.1:\d+ was given with --kafka\/KAFKA_BROKERS/);
  }, KAFKA_START_TIMEOUT_MS);

  it('no JVM when no strategy needs Kafka; without Java the need is unavailable with the reason', async () => {
    const providers = new PortProviders();
    await openKafka(providers, ctx(['postgres', 'redis']));
    expect(providers.unmet(['kafka'])).toEqual([
      'needs kafka (no strategy of this run needs it, so no broker was started): give --kafka host:9092 (or KAFKA_BROKERS), or put Java ≥ 17 and Maven on PATH so hotbench starts an embedded broker',
    ]);
    const path = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      const none = new PortProviders();
      await openKafka(none, ctx());
      expect(none.unmet(['kafka'])[0]).toMatch(/^needs kafka \(no broker given, and the embedded one cannot start: no Java on PATH \(Kafka needs Java ≥ 17\): install a JDK/);
    } finally {
      process.env['PATH'] = path;
    }
  });
});
