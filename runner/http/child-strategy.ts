/**
 * `run --via http`: the strategy served by a `hotbench serve --ipc` child
 * process, the driver submitting through the HTTP client. Client and server
 * have their own event loops (as a real client and billing service would),
 * so the measured latency is the service layer's cost, not the two ends
 * fighting over one loop. The child is handed the replay's database; its
 * events come back over IPC and are recorded like a local strategy's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../scenarios/index.js';
import type { FaultTarget, Need, Observable, Op, Outcome, Strategy, StrategyContext } from '../../strategies/contract.js';
import { StackError } from '../stack/stack-error.js';
import { BillingClient } from './client.js';
import { absoluteMicros, packAccounts, type ChildMessage, type InitMessage, type RequestMessage } from './ipc.js';
import { OpTracker, RemappingSink } from './op-tracker.js';

/** Where the child serves from: connection settings and the replay's database. URLs contain passwords. */
export type ChildSettings = Omit<InitMessage, 't' | 'accounts'>;

/** Options for {@link ChildHttpStrategy}. */
export interface ChildOptions {
  /** Client socket bound. Default 64. */
  readonly sockets?: number;
  /** How long setup waits for the child to serve, ms. Default 120,000. */
  readonly readyTimeoutMs?: number;
  /** The strategy's needs: the child opens its own Redis / Kafka / replica connections from the settings. */
  readonly needs?: readonly Need[];
}

const STOP_TIMEOUT_MS = 30_000;

/** The compiled CLI the child runs (tests and users run the built package). */
export function cliEntryPath(): string {
  const root = packageRoot();
  if (!existsSync(join(root, 'dist', 'runner', 'cli', 'entry.js'))) throw new StackError('--via http starts `hotbench serve` from dist/, which is missing: run `npm run build` first.');
  return join(root, 'bin', 'hotbench.js');
}

/** A strategy served by a child process; looks like any other strategy to the driver. */
export class ChildHttpStrategy implements Strategy, Observable, FaultTarget {
  readonly #tracker = new OpTracker();
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #child: ChildProcess | undefined;
  #client: BillingClient | undefined;
  #sink: RemappingSink | undefined;
  #ctx: StrategyContext | undefined;
  #innerBackend = '?';
  #observable = false;
  #faults: readonly string[] = [];
  #exited: Promise<void> = Promise.resolve();
  #exit: string | undefined;
  #stopped = false;

  constructor(
    private readonly label: string,
    private readonly settings: ChildSettings,
    private readonly options: ChildOptions = {},
  ) {}

  /** `http+<inner backend>`. */
  get backend(): string {
    return `http+${this.#innerBackend}`;
  }

  /** The served strategy's fault kinds. */
  get faults(): readonly string[] {
    return this.#faults;
  }

  async setup(ctx: StrategyContext): Promise<void> {
    if (this.options.needs?.includes('replica') && this.settings.pgReplicaUrl === undefined) {
      // The embedded replica is started by (and reachable only through) this process's provider.
      throw new StackError(`--via http serves ${this.label} from a child process, which cannot use the embedded replica: give --pg-replica URL (or PG_REPLICA_URL), or use --via http-inprocess.`);
    }
    this.#ctx = ctx;
    this.#sink = new RemappingSink(ctx.events, this.#tracker);
    // Its own process group: Ctrl-C in a terminal signals the runner, which then stops the child in
    // order (drain, stop) over IPC; the child also exits by itself when the runner goes away.
    const child = spawn(process.execPath, [cliEntryPath(), 'serve', '--ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced', detached: true });
    this.#child = child;
    let lastError = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        lastError = line.replace(/^hotbench: /, '');
        ctx.log(`server: ${lastError}`);
      }
    });
    this.#exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.#exit = `the serving process exited (${signal ?? `code ${code}`})${lastError ? `: ${lastError}` : ''}`;
        for (const p of this.#pending.values()) p.reject(new Error(this.#exit));
        this.#pending.clear();
        resolve();
      }),
    );
    const ready = new Promise<Extract<ChildMessage, { t: 'ready' }>>((resolve, reject) => {
      child.on('message', (raw) => {
        const m = raw as ChildMessage;
        if (m.t === 'ready') resolve(m);
        else if (m.t === 'failed') reject(new StackError(`--via http: the server could not start: ${m.error}`));
        else this.#onMessage(m);
      });
      void this.#exited.then(() => reject(new StackError(`--via http: ${this.#exit ?? 'the serving process exited'}`)));
      setTimeout(() => reject(new StackError(`--via http: the server was not ready within ${Math.round((this.options.readyTimeoutMs ?? 120_000) / 1000)} s`)), this.options.readyTimeoutMs ?? 120_000).unref();
    });
    child.send({ t: 'init', ...this.settings, accounts: packAccounts(ctx.accounts) } satisfies InitMessage);
    const r = await ready;
    this.#innerBackend = r.backend;
    this.#observable = r.observable;
    this.#faults = r.faults;
    this.#client = new BillingClient(r.url, this.options.sockets === undefined ? {} : { sockets: this.options.sockets });
    ctx.log(`serving over HTTP from process ${child.pid} at ${r.url}`);
  }

  submit(op: Op): Promise<Outcome> {
    return this.#tracker.submitThrough(this.#client, op);
  }

  async drain(): Promise<void> {
    await this.#request({ t: 'drain', id: 0 });
    if (this.#tracker.strays > 0 && this.#ctx) {
      this.#ctx.events.note('http_stray_postings', `${this.#tracker.strays} postings reported for ops not in flight`, this.#ctx.clock.now());
    }
  }

  async observe(): Promise<readonly { readonly name: string; readonly value: number }[]> {
    if (!this.#observable || this.#exit !== undefined) return [];
    return (await this.#request({ t: 'observe', id: 0 })) as { name: string; value: number }[];
  }

  async inject(kind: string): Promise<void> {
    await this.#request({ t: 'inject', id: 0, kind });
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#client?.close();
    const child = this.#child;
    if (child === undefined || this.#exit !== undefined) return;
    const stopped = this.#request({ t: 'stop', id: 0 }).catch(() => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await Promise.race([stopped.then(() => this.#exited), this.#exited]);
    clearTimeout(timer);
  }

  #request(m: RequestMessage): Promise<unknown> {
    const child = this.#child;
    if (child === undefined || this.#exit !== undefined) return Promise.reject(new Error(this.#exit ?? 'the server is not running'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      child.send({ ...m, id });
    });
  }

  #onMessage(m: ChildMessage): void {
    const ctx = this.#ctx;
    const sink = this.#sink;
    if (ctx === undefined || sink === undefined) return;
    // The child stamps events on the machine's monotonic clock; the schedule clock is an offset of it.
    const toSchedule = (at: number): number => at - absoluteMicros() + ctx.clock.now();
    switch (m.t) {
      case 'reply': {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.ok) p?.resolve(m.value);
        else p?.reject(new Error(m.error ?? 'failed'));
        break;
      }
      case 'posted':
        sink.postedIds(m.ids, toSchedule(m.at));
        break;
      case 'signal':
        sink.signal(m.kind, m.account, toSchedule(m.at));
        break;
      case 'sample':
        sink.sample(m.name, m.value, toSchedule(m.at));
        break;
      case 'note':
        sink.note(m.kind, m.detail, toSchedule(m.at));
        break;
      case 'log':
        ctx.log(`server: ${m.line}`);
        break;
    }
  }
}
