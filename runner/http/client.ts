/**
 * The client side of the billing API: submits ops to a served strategy over
 * keep-alive HTTP with a bounded number of sockets, and turns each answer
 * back into the strategy contract's {@link Outcome}. Requests beyond the
 * socket bound queue in the agent; that wait is part of the service layer's
 * cost and lands in the op's latency (measured by the driver from the
 * intended time).
 */
import http from 'node:http';
import type { Op, Outcome } from '../../strategies/contract.js';
import { outcomeOf, requestFor } from './api.js';

/** Options for {@link BillingClient}. */
export interface BillingClientOptions {
  /** Most sockets open to the server at once. Default 64. */
  readonly sockets?: number;
  /** A request with no byte received for this long ends as a `timeout` rejection, ms. Default 30,000. */
  readonly timeoutMs?: number;
}

/** Default socket bound: more than the default PostgreSQL pool (16) so the pool, not HTTP, is the queue that shows. */
export const DEFAULT_SOCKETS = 64;

/** Submits ops to the billing API at `baseUrl` (e.g. `http://127.0.0.1:8080`, a path prefix allowed). */
export class BillingClient {
  readonly #agent: http.Agent;
  readonly #host: string;
  readonly #port: number;
  readonly #basePath: string;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, options: BillingClientOptions = {}) {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:') throw new Error(`the billing client speaks http:// only, got ${url.protocol}//`);
    const sockets = options.sockets ?? DEFAULT_SOCKETS;
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, scheduling: 'lifo' });
    this.#host = url.hostname.replace(/^\[|\]$/g, '');
    this.#port = Number(url.port || 80);
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Sends `op`; never throws: transport failures are `error` / `timeout` rejections. */
  submit(op: Op): Promise<Outcome> {
    const { method, path, body } = requestFor(op, this.#basePath);
    return new Promise<Outcome>((resolve) => {
      let done = false;
      const finish = (outcome: Outcome): void => {
        if (done) return;
        done = true;
        resolve(outcome);
      };
      const req = http.request(
        {
          agent: this.#agent,
          host: this.#host,
          port: this.#port,
          method,
          path,
          headers: body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
          timeout: this.#timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => finish(outcomeOf(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
          res.on('error', (err) => finish({ status: 'rejected', reason: 'error', detail: `http: response failed: ${err.message}` }));
        },
      );
      req.on('timeout', () => {
        finish({ status: 'rejected', reason: 'timeout', detail: `http: no answer within ${this.#timeoutMs} ms` });
        req.destroy();
      });
      req.on('error', (err: NodeJS.ErrnoException) => finish({ status: 'rejected', reason: 'error', detail: `http: ${err.code ?? ''} ${err.message}`.trim().slice(0, 300) }));
      req.end(body);
    });
  }

  /** Closes every socket. */
  close(): void {
    this.#agent.destroy();
  }
}
