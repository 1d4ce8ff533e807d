/**
 * A real Apache Kafka broker that hotbench starts itself, like embedded
 * PostgreSQL: the pinned release's jars (`kafka-jars.ts`), a single KRaft
 * node acting as broker and controller, a freshly formatted log folder in a
 * temporary directory, listeners on two free ports of 127.0.0.1, a bounded
 * heap. It runs in its own process group (a terminal's Ctrl-C reaches only
 * us) with a watchdog, so even a SIGKILL of this process leaves no JVM behind.
 *
 * `restart()` kills the JVM outright (SIGKILL: a crash) and starts it again
 * on the same ports and log folder: what was acknowledged with `acks=-1` is in
 * the OS page cache and survives, as it would a broker process crash.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './free-port.js';
import { ensureKafkaJars, type KafkaJars } from './kafka-jars.js';
import { superviseChild } from './child-server.js';
import { StackError } from './stack-error.js';
import { stopChild } from './stop-child.js';
import { startWatchdog } from './watchdog.js';

/** Options for {@link startEmbeddedKafka}. */
export interface EmbeddedKafkaOptions {
  /** hotbench's data folder, where the jars are cached. Default `.hotbench`. */
  readonly dataDir?: string;
  /** Largest JVM heap, MB. Default 384. */
  readonly heapMb?: number;
  /** Milliseconds to wait for the broker to answer a metadata request. Default 180,000 (up to ~130 s were seen on 2 busy cores). */
  readonly startTimeoutMs?: number;
  /** Progress lines (the first fetch of the jars). */
  log?(line: string): void;
}

/** A running embedded broker. */
export interface EmbeddedKafka {
  /** `127.0.0.1:<port>`, for kafkajs. */
  readonly brokers: readonly string[];
  readonly port: number;
  /** The Apache Kafka release, e.g. `4.4.0`. */
  readonly version: string;
  /** Temporary directory: log folder, config, `server.log`. */
  readonly dir: string;
  /** PID of the current JVM (changes on restart). */
  readonly pid: number;
  /** Milliseconds from launching the JVM (after formatting) to the first metadata answer. */
  readonly startMs: number;
  /** SIGKILL, then the same node started again on the same ports and data; resolves once it answers. */
  restart(): Promise<{ readonly oldPid: number; readonly newPid: number; readonly ms: number }>;
  /** Graceful stop (SIGTERM, SIGKILL after 15 s), then removes the directory. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_HEAP_MB = 384;

/**
 * The single-node KRaft configuration (Kafka 4.x quickstart's combined
 * `server.properties`, on loopback ports). Replication factors are 1 because
 * there is one node; the initial rebalance delay is 0 so a consumer group
 * forms at once instead of after 3 s.
 */
function serverProperties(port: number, controllerPort: number, logDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=1',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

/** Kafka's own log: warnings, plus the server's "started" line, to `server.log`. */
const LOG4J2 = [
  'status = warn',
  'appender.out.type = Console',
  'appender.out.name = OUT',
  'appender.out.layout.type = PatternLayout',
  'appender.out.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = WARN',
  'rootLogger.appenderRef.out.ref = OUT',
  'logger.server.name = kafka.server.KafkaRaftServer',
  'logger.server.level = INFO',
  '',
].join('\n');

/**
 * Fetches the jars if needed, formats a fresh single-node KRaft log folder,
 * starts the broker and waits until it answers. Throws a one-line
 * {@link StackError} when it cannot (no Java, no Maven on a first run, did not answer).
 */
export async function startEmbeddedKafka(options: EmbeddedKafkaOptions = {}): Promise<EmbeddedKafka> {
  const jars = await ensureKafkaJars({ ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }), ...(options.log ? { log: options.log } : {}) });
  const dir = mkdtempSync(join(tmpdir(), 'hotbench-kafka-'));
  try {
    const [port, controllerPort] = [await freePort(), await freePort()];
    const logDir = join(dir, 'data');
    const config = join(dir, 'server.properties');
    const log4j = join(dir, 'log4j2.properties');
    writeFileSync(config, serverProperties(port, controllerPort, logDir));
    writeFileSync(log4j, LOG4J2);
    const logFile = join(dir, 'server.log');
    // A Kafka cluster id is 16 random bytes, base64url (what `kafka-storage random-uuid` prints); it may start with '-', hence `--cluster-id=`.
    await format(jars, config, log4j, randomBytes(16).toString('base64url'), logFile);
    const heapMb = options.heapMb ?? DEFAULT_HEAP_MB;
    const timeoutMs = options.startTimeoutMs ?? 180_000;
    const brokers = [`127.0.0.1:${port}`];
    const launch = (): ChildProcess => {
      const fd = openSync(logFile, 'a');
      const child = spawn('java', [...jvmArgs(heapMb, log4j), '-cp', jars.classpath, 'kafka.Kafka', config], { detached: true, stdio: ['ignore', fd, fd] });
      closeSync(fd);
      if (child.pid === undefined) throw new StackError('embedded Kafka did not start (spawn of java failed)');
      startWatchdog({ pid: child.pid, signal: 'TERM', removeDir: dir });
      return child;
    };
    const started = Date.now();
    const child = launch();
    await waitForBroker(brokers, child, logFile, timeoutMs).catch(async (err: unknown) => {
      await stopChild(child, 'SIGKILL');
      throw err;
    });
    const startMs = Date.now() - started;

    // Supervised only once it answers: a broker that never came up was killed above with SIGKILL, and its folder goes below.
    const server = superviseChild(child, { name: 'embedded Kafka', dir, stopSignal: 'SIGTERM', restartSignal: 'SIGKILL', launch, ready: (c) => waitForBroker(brokers, c, logFile, timeoutMs) });
    return {
      brokers,
      port,
      version: jars.version,
      dir,
      startMs,
      get pid() {
        return server.pid;
      },
      restart: server.restart,
      stop: server.stop,
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A small, quiet JVM: bounded heap, the serial collector (one GC thread: the
 * machines are small and shared), no perf-data file in /tmp.
 */
function jvmArgs(heapMb: number, log4j: string): string[] {
  return [`-Xmx${heapMb}m`, `-Xms${Math.min(heapMb, 128)}m`, '-XX:+UseSerialGC', '-XX:-UsePerfData', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${log4j}`];
}

/** `kafka-storage format --standalone`: the log folder of a one-node quorum. */
function format(jars: KafkaJars, config: string, log4j: string, clusterId: string, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['-Xmx256m', '-XX:+UseSerialGC', '-XX:-UsePerfData', `-Dlog4j2.configurationFile=${log4j}`, '-cp', jars.classpath, 'kafka.tools.StorageTool', 'format', '--standalone', `--cluster-id=${clusterId}`, '-c', config];
    const fd = openSync(logFile, 'a');
    const child = spawn('java', args, { stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', (err) => reject(new StackError(`embedded Kafka: the storage format could not run: ${err.message}`)));
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new StackError(`embedded Kafka: formatting the log folder failed (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`));
    });
  });
}

/** Polls with a kafkajs admin until the broker describes the cluster (broker and controller up). */
async function waitForBroker(brokers: readonly string[], child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new StackError(`embedded Kafka exited during start-up (exit ${child.exitCode ?? child.signalCode}; see ${logFile})`);
    const admin = new Kafka({ brokers: [...brokers], clientId: 'hotbench-probe', logLevel: logLevel.NOTHING, connectionTimeout: 1_000, requestTimeout: 2_000, retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      await admin.disconnect();
      if (cluster.controller !== null && cluster.brokers.length > 0) return;
    } catch {
      await admin.disconnect().catch(() => undefined);
    }
    if (Date.now() > deadline) throw new StackError(`embedded Kafka did not answer within ${timeoutMs} ms (see ${logFile})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
