/**
 * The child side of `run --via http` (`hotbench serve --ipc`): waits for the
 * parent's {@link InitMessage}, serves the strategy on the replay's database
 * on a free loopback port, forwards the strategy's events, answers drain /
 * observe / inject / stop, and exits when told to or when the parent goes
 * away (so a killed run leaves no orphan server).
 */
import type { EventSink, Micros, Op, SignalKind } from '../../strategies/contract.js';
import { isFaultTarget, isObservable } from '../../strategies/contract.js';
import { builtinRegistry } from '../../strategies/registry.js';
import { resolveRunConfig } from '../config/run-config.js';
import { oneLine } from '../errors.js';
import { redactText } from '../config/redact.js';
import { openPostgres, type PostgresStack } from '../stack/postgres.js';
import { PortProviders } from '../stack/needs.js';
import { openProviders } from '../stack/providers.js';
import { planStrategies } from '../replay/plan.js';
import { hostStrategy, type HostedStrategy } from './host.js';
import { absoluteMicros, unpackAccounts, type ChildMessage, type InitMessage, type RequestMessage } from './ipc.js';

/** How long the child waits for its init message, ms. */
const INIT_TIMEOUT_MS = 30_000;

/** Runs the child until it is stopped; resolves with the exit code. Only meaningful with an IPC channel. */
export async function runChildHost(): Promise<number> {
  if (typeof process.send !== 'function') {
    process.stderr.write('hotbench: serve --ipc is started by `hotbench run --via http`, not by hand; use `hotbench serve --strategy X` instead.\n');
    return 2;
  }
  const send = (m: ChildMessage): void => {
    if (process.connected) process.send?.(m);
  };
  const init = await nextInit();
  if (init === undefined) return 2;
  const log = (line: string): void => send({ t: 'log', line: redactText(line) });

  let postgres: PostgresStack | undefined;
  let providers = new PortProviders();
  let hosted: HostedStrategy | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaned ??= (async () => {
      await hosted?.stop().catch(() => undefined);
      await providers.stop();
      await postgres?.stop();
    })());
  try {
    const config = await resolveRunConfig(
      {
        pg: init.adminUrl,
        connections: init.connections,
        strategies: init.label,
        ...(init.redisUrl ? { redis: init.redisUrl } : {}),
        ...(init.pgReplicaUrl ? { pgReplica: init.pgReplicaUrl } : {}),
        ...(init.kafkaBrokers.length > 0 ? { kafka: init.kafkaBrokers.join(',') } : {}),
      },
      {},
    );
    const planned = planStrategies(init.label, builtinRegistry());
    if (planned.length !== 1) throw new Error(`expected one strategy, got ${planned.length}`);
    postgres = await openPostgres({ url: init.adminUrl });
    providers = await openProviders({ config, postgres, log });
    hosted = await hostStrategy({
      planned: planned[0]!,
      postgres,
      database: { name: init.databaseName, url: init.databaseUrl, drop: async () => undefined }, // the parent owns the database
      namespace: init.namespace,
      providers,
      connections: init.connections,
      accounts: unpackAccounts(init.accounts),
      clock: { now: absoluteMicros },
      events: new ForwardingSink(send),
      port: 0,
      host: '127.0.0.1',
      log,
    });
  } catch (err) {
    send({ t: 'failed', error: redactText(oneLine(err)) });
    await cleanup();
    return 1;
  }
  const strategy = hosted.strategy;
  send({ t: 'ready', url: hosted.url, backend: strategy.backend, faults: isFaultTarget(strategy) ? [...strategy.faults] : [], observable: isObservable(strategy) });

  return new Promise<number>((resolve) => {
    const finish = (code: number): void => {
      void cleanup().finally(() => resolve(code));
    };
    process.on('disconnect', () => finish(0)); // the parent is gone: stop, leave nothing behind
    process.on('message', (raw) => {
      const m = raw as RequestMessage;
      const reply = (work: () => Promise<unknown>): void => {
        work().then(
          (value) => send({ t: 'reply', id: m.id, ok: true, value }),
          (err: unknown) => send({ t: 'reply', id: m.id, ok: false, error: redactText(oneLine(err)) }),
        );
      };
      switch (m.t) {
        case 'drain':
          reply(() => strategy.drain());
          break;
        case 'observe':
          reply(async () => (isObservable(strategy) ? strategy.observe() : []));
          break;
        case 'inject':
          reply(async () => {
            if (!isFaultTarget(strategy)) throw new Error(`${strategy.backend} takes no fault ${m.kind}`);
            await strategy.inject(m.kind);
          });
          break;
        case 'stop':
          // Answer only once the message is out: the process exits right after.
          void cleanup().then(() => {
            if (process.connected) process.send?.({ t: 'reply', id: m.id, ok: true } satisfies ChildMessage, undefined, {}, () => resolve(0));
            else resolve(0);
          });
          break;
      }
    });
  });
}

function nextInit(): Promise<InitMessage | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      resolve(undefined);
    }, INIT_TIMEOUT_MS);
    const onMessage = (m: unknown): void => {
      if ((m as { t?: string }).t !== 'init') return;
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve(m as InitMessage);
    };
    process.on('message', onMessage);
  });
}

/** Sends every event to the parent, stamped on the machine-wide monotonic clock. */
class ForwardingSink implements EventSink {
  constructor(private readonly send: (m: ChildMessage) => void) {}
  posted(ops: readonly Op[], at: Micros): void {
    this.send({ t: 'posted', ids: ops.map((o) => o.id), at });
  }
  signal(kind: SignalKind, account: number, at: Micros): void {
    this.send({ t: 'signal', kind, account, at });
  }
  sample(name: string, value: number, at: Micros): void {
    this.send({ t: 'sample', name, value, at });
  }
  note(kind: string, detail: string, at: Micros): void {
    this.send({ t: 'note', kind, detail, at });
  }
}
