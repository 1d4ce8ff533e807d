/**
 * The billing HTTP server: a strategy behind the API of ./api.md, on
 * node:http, JSON in and out. It validates every request fully (body size,
 * JSON, fields, ranges, account, op id not used before) before the strategy
 * sees it, so a 4xx answer means nothing was posted.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccountSpec, Clock, Op, Outcome, Strategy } from '../../strategies/contract.js';
import { submitWithPoolWait } from '../../strategies/pool-wait.js';
import { ApiError, BODY_LIMIT_BYTES, DEFAULT_MAX_OP_ID, OpIdSet, outcomeResponse, parseBalance, parseWrite, routeOf, type ApiLimits, type OpRequest } from './api.js';

/** Options for {@link BillingServer}. */
export interface BillingServerOptions {
  /** The strategy, already set up. The server never calls setup, drain or stop. */
  readonly strategy: Strategy;
  /** Its label, shown by `/healthz`. */
  readonly label: string;
  readonly accounts: readonly AccountSpec[];
  /** Stamps each op's `at` (its arrival, µs): over HTTP the arrival is the intended time the server knows. */
  readonly clock: Clock;
  /** Where the accounts come from, for error messages (e.g. the scenario name). */
  readonly accountsFrom?: string;
  /** Largest op id accepted. Default {@link DEFAULT_MAX_OP_ID}. */
  readonly maxOpId?: number;
  /** Largest body read, bytes. Default {@link BODY_LIMIT_BYTES}. */
  readonly bodyLimit?: number;
}

/** Counters since the server started. */
export interface ServerCounts {
  /** Op requests handed to the strategy. */
  readonly submitted: number;
  /** Requests refused with a 4xx before reaching the strategy. */
  readonly refused: number;
  /** Requests being handled now. */
  readonly inFlight: number;
}

/** A strategy served over HTTP. Create, {@link listen}, and {@link close} when done. */
export class BillingServer {
  readonly #server: http.Server;
  readonly #ids = new OpIdSet();
  readonly #limits: ApiLimits;
  readonly #bodyLimit: number;
  #submitted = 0;
  #refused = 0;
  #inFlight = 0;
  #idle: (() => void) | undefined;

  constructor(private readonly options: BillingServerOptions) {
    this.#limits = { accounts: options.accounts.length, maxOpId: options.maxOpId ?? DEFAULT_MAX_OP_ID, ...(options.accountsFrom ? { accountsFrom: options.accountsFrom } : {}) };
    this.#bodyLimit = options.bodyLimit ?? BODY_LIMIT_BYTES;
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
    // Clients keep connections open across many ops; an idle one is closed after a minute.
    this.#server.keepAliveTimeout = 60_000;
  }

  /** Starts listening; resolves with the base URL, e.g. `http://127.0.0.1:8080`. Port 0 picks a free one. */
  listen(port: number, host = '127.0.0.1'): Promise<string> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => reject(err);
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        const address = this.#server.address() as AddressInfo;
        const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve(`http://${shown}:${address.port}`);
      });
    });
  }

  /** Counters (for `/healthz` and shutdown lines). */
  counts(): ServerCounts {
    return { submitted: this.#submitted, refused: this.#refused, inFlight: this.#inFlight };
  }

  /** Stops accepting connections and resolves once every request in flight has been answered. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.#inFlight += 1;
    try {
      const route = routeOf(req.method ?? 'GET', req.url ?? '/');
      if (route.kind === 'health') {
        req.resume();
        const c = this.counts();
        send(res, 200, { status: 'ok', strategy: this.options.label, backend: this.options.strategy.backend, accounts: this.#limits.accounts, max_op_id: this.#limits.maxOpId, submitted: c.submitted, refused: c.refused });
        return;
      }
      let request: OpRequest;
      if (route.kind === 'write') {
        request = parseWrite(route, await readBody(req, this.#bodyLimit, route.where), this.#limits);
      } else {
        req.resume();
        request = parseBalance(route, this.#limits);
      }
      if (request.opId >= 0 && !this.#ids.claim(request.opId)) {
        throw new ApiError(409, `${route.where}: op_id ${request.opId} was already submitted to this server; op ids are unique per op: give this op a new one.`);
      }
      this.#submitted += 1;
      const outcome = await this.#submit(request);
      const { status, body } = outcomeResponse(request, outcome);
      send(res, status, body);
    } catch (err) {
      if (err instanceof ApiError) {
        this.#refused += 1;
        send(res, err.status, { error: err.message }, err.headers);
      } else {
        send(res, 500, { error: `internal error: ${err instanceof Error ? err.message : String(err)}` });
      }
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#idle?.();
    }
  }

  async #submit(request: OpRequest): Promise<Outcome> {
    const op: Op = {
      id: request.opId,
      at: this.options.clock.now(),
      kind: request.kind,
      account: request.account,
      amount: request.amount,
      // The API has no job: every adjustment over HTTP belongs to job 0 (no strategy batches by job).
      job: request.kind === 'adjust' ? 0 : -1,
    };
    try {
      const strategy = this.options.strategy;
      return await submitWithPoolWait(() => strategy.submit(op));
    } catch (err) {
      // The contract says submit never throws; a strategy that does is reported, not crashed on.
      return { status: 'rejected', reason: 'error', detail: `submit threw: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
    }
  }
}

/** Reads the body up to `limit` bytes; throws a 413 {@link ApiError} beyond it (by Content-Length or while streaming). */
function readBody(req: http.IncomingMessage, limit: number, where: string): Promise<string> {
  const tooLarge = (size: string): ApiError =>
    new ApiError(413, `${where}: the body (${size}) is over the ${limit}-byte limit; an op body is about 50 bytes: {"op_id", "account", "amount"} only.`, { Connection: 'close' });
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(`${declared} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume(); // discard the rest; the connection closes after the answer
        reject(tooLarge(`more than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('the client closed the connection before the body ended'));
    });
  });
}

function send(res: http.ServerResponse, status: number, body: Record<string, unknown>, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
