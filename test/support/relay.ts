/**
 * A TCP relay in front of a server (ClickHouse's HTTP port in these tests)
 * that a test can cut and restore on the same port, to play "the server was
 * stopped for a while" without stopping a server other tests share.
 *
 * A cut behaves like a graceful server stop: new connections are refused at
 * once; a request already forwarded is answered (its response is relayed)
 * and then its connection is closed; idle connections are closed at once.
 * So an insert is either fully answered or never reached the server, and a
 * test can demand exactly-once delivery. An abrupt cut (every socket
 * destroyed at once) is ambiguous to any client: an insert the server
 * committed may fail at the client when its answer is cut off mid-way, and
 * the recorder then writes that batch again (measured: 3 of ~250 failed
 * inserts over 25 abrupt cuts had been committed; 0 of ~760 over 75 cuts
 * with this graceful cut).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** How long a request forwarded before a cut may take to be answered, ms. */
const ANSWER_GRACE_MS = 5_000;
/** Quiet time after the last response bytes before a cut connection is closed, ms. */
const RESPONSE_QUIET_MS = 100;

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  /** The client sent bytes the server has not started answering yet. */
  awaiting: boolean;
  /** Cut: no new request is forwarded. */
  doomed: boolean;
  /** When the server last sent bytes (a response may still be arriving in pieces), ms. */
  lastUpstreamAt: number;
  timer?: NodeJS.Timeout;
}

/** A relay to `target` (e.g. `http://127.0.0.1:8123`) on a local port. */
export class Relay {
  readonly #host: string;
  readonly #targetPort: number;
  readonly #pairs = new Set<Pair>();
  #server: Server | undefined;
  /** The local port (fixed after the first start). */
  port = 0;
  /** Connections accepted so far (a test can check traffic really went through the relay). */
  accepted = 0;

  constructor(target: string) {
    const url = new URL(target);
    this.#host = url.hostname;
    this.#targetPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  }

  /** `http://127.0.0.1:<port>` (with `user:password@` when given). */
  url(credentials?: { user: string; password: string }): string {
    const auth = credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@` : '';
    return `http://${auth}127.0.0.1:${this.port}`;
  }

  /** Listens (on the same port as before after a cut). */
  async start(): Promise<void> {
    const server = createServer((client) => this.#accept(client));
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(this.port, '127.0.0.1', () => ok());
    });
    this.#server = server;
    this.port = (server.address() as { port: number }).port;
  }

  /** Refuses new connections; lets answered-in-progress requests finish, closes the rest. Resolves once every connection is closed. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    const closed = server ? new Promise((ok) => server.close(ok)) : Promise.resolve();
    for (const pair of this.#pairs) {
      pair.doomed = true;
      const quietFor = Date.now() - pair.lastUpstreamAt;
      // Idle: close now. A response still arriving (its head came, its end may not have): let it end.
      if (!pair.awaiting && quietFor >= RESPONSE_QUIET_MS) this.#close(pair);
      else pair.timer = setTimeout(() => this.#close(pair), pair.awaiting ? ANSWER_GRACE_MS : RESPONSE_QUIET_MS - quietFor);
    }
    const deadline = Date.now() + ANSWER_GRACE_MS + 1_000;
    while (this.#pairs.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await closed;
  }

  /** Listens again on the same port. */
  restore(): Promise<void> {
    return this.start();
  }

  /** Cuts and forgets (for afterAll). */
  async stop(): Promise<void> {
    if (this.#server || this.#pairs.size > 0) await this.cut();
  }

  #accept(client: Socket): void {
    this.accepted += 1;
    const upstream = connect(this.#targetPort, this.#host);
    const pair: Pair = { client, upstream, awaiting: false, doomed: false, lastUpstreamAt: 0 };
    this.#pairs.add(pair);
    for (const s of [client, upstream]) {
      s.on('error', () => this.#close(pair));
      s.on('close', () => this.#close(pair));
    }
    client.on('data', (chunk: Buffer) => {
      // Cut: a request already being sent is finished (the server answers it); a new one never reaches it.
      if (pair.doomed && !pair.awaiting) return;
      pair.awaiting = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      pair.awaiting = false;
      pair.lastUpstreamAt = Date.now();
      client.write(chunk);
      if (pair.doomed) {
        clearTimeout(pair.timer);
        pair.timer = setTimeout(() => this.#close(pair), RESPONSE_QUIET_MS);
      }
    });
  }

  #close(pair: Pair): void {
    clearTimeout(pair.timer);
    if (!this.#pairs.delete(pair)) return;
    pair.client.end();
    pair.upstream.destroy();
    setTimeout(() => pair.client.destroy(), 50).unref();
  }
}
