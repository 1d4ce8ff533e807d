/**
 * `run --via http-inprocess`: the strategy behind the billing server in the
 * runner's own process, the driver submitting through the HTTP client. Every
 * op crosses the loopback HTTP stack, but client and server share one event
 * loop (and one core's worth of JavaScript), so this mode measures the HTTP
 * layer's cost *plus* the contention of both ends on one loop. `--via http`
 * (a child process) separates them; see ./api.md "Measuring through HTTP".
 */
import { isFaultTarget, isObservable, type FaultTarget, type Observable, type Op, type Outcome, type Strategy, type StrategyContext } from '../../strategies/contract.js';
import { BillingClient } from './client.js';
import { OpTracker, RemappingSink } from './op-tracker.js';
import { BillingServer } from './server.js';

/** Options for {@link InProcessHttpStrategy}. */
export interface InProcessOptions {
  /** The strategy's label (shown by `/healthz`). */
  readonly label: string;
  /** Client socket bound. Default 64. */
  readonly sockets?: number;
}

/** A strategy served over HTTP inside this process; looks like any other strategy to the driver. */
export class InProcessHttpStrategy implements Strategy, Observable, FaultTarget {
  readonly #tracker = new OpTracker();
  #server: BillingServer | undefined;
  #client: BillingClient | undefined;
  #ctx: StrategyContext | undefined;
  #stopped = false;

  constructor(
    private readonly inner: Strategy,
    private readonly options: InProcessOptions,
  ) {}

  /** `http-inprocess+<inner backend>`. */
  get backend(): string {
    return `http-inprocess+${this.inner.backend}`;
  }

  /** The inner strategy's fault kinds (passed through). */
  get faults(): readonly string[] {
    return isFaultTarget(this.inner) ? this.inner.faults : [];
  }

  async setup(ctx: StrategyContext): Promise<void> {
    this.#ctx = ctx;
    await this.inner.setup({ ...ctx, events: new RemappingSink(ctx.events, this.#tracker) });
    this.#server = new BillingServer({ strategy: this.inner, label: this.options.label, accounts: ctx.accounts, clock: ctx.clock });
    const url = await this.#server.listen(0, '127.0.0.1');
    this.#client = new BillingClient(url, this.options.sockets === undefined ? {} : { sockets: this.options.sockets });
    ctx.log(`serving over HTTP in this process at ${url}`);
  }

  submit(op: Op): Promise<Outcome> {
    return this.#tracker.submitThrough(this.#client, op);
  }

  async drain(): Promise<void> {
    await this.inner.drain();
    if (this.#tracker.strays > 0 && this.#ctx) {
      this.#ctx.events.note('http_stray_postings', `${this.#tracker.strays} postings reported for ops not in flight`, this.#ctx.clock.now());
    }
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#client?.close();
    await this.#server?.close().catch(() => undefined);
    await this.inner.stop();
  }

  async observe(): Promise<readonly { readonly name: string; readonly value: number }[]> {
    return isObservable(this.inner) ? this.inner.observe() : [];
  }

  async inject(kind: string): Promise<void> {
    if (!isFaultTarget(this.inner)) throw new Error(`${this.options.label} has no fault ${kind}`);
    await this.inner.inject(kind);
  }
}
