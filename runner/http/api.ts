/**
 * The billing HTTP API (see ./api.md, which docs/running.md links to): routes,
 * request validation and the mapping between outcomes and HTTP responses.
 * Pure functions, no I/O, so the server, the client adapter and `blast` share
 * one definition of the wire format.
 *
 * Every rejected request is rejected *before* the strategy sees it: a 4xx
 * answer means nothing was posted and the op id was not used up.
 */
import { REJECT_REASONS, type Op, type OpKind, type Outcome, type RejectReason } from '../../strategies/contract.js';
import { MAX_AMOUNT } from '../../scenarios/index.js';

/** Largest request body the server reads, bytes. An op body is about 50 bytes. */
export const BODY_LIMIT_BYTES = 1024;

/** Default largest op id a server accepts (op ids are dense from 0 in one replay; strategies size arrays by them). */
export const DEFAULT_MAX_OP_ID = 99_999_999;

/** Op kinds that have a POST endpoint (`read` is `GET /v1/balance/:account`). */
export const WRITE_KINDS = ['charge', 'topup', 'withdraw', 'adjust'] as const;
/** One write kind the HTTP API accepts. */
export type WriteKind = (typeof WRITE_KINDS)[number];

/** HTTP status by reject reason. `timeout` and `error` leave the op's fate unknown to the caller. */
export const REJECT_STATUS: Readonly<Record<RejectReason, number>> = {
  insufficient_funds: 402,
  rate_limited: 429,
  timeout: 503,
  error: 503,
};

/** The body every endpoint takes, as the error messages show it. */
const BODY_SHAPE = '{"op_id": <int>, "account": <int>, "amount": <int>}';
const FIELDS = ['op_id', 'account', 'amount'] as const;
const ENDPOINTS = 'POST /v1/charge, /v1/topup, /v1/withdraw, /v1/adjust; GET /v1/balance/:account, /healthz';

/** A request the API refuses: the HTTP status and one line saying what, where and how to fix it. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers (e.g. `Allow` on 405). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** What a request line asks for, before its body is read. */
export type Route =
  | { readonly kind: 'health' }
  | { readonly kind: 'write'; readonly op: WriteKind; readonly where: string }
  | { readonly kind: 'balance'; readonly where: string; readonly account: string; readonly query: URLSearchParams };

/** Maps a method and a request target to a {@link Route}; throws {@link ApiError} (404, 405). */
export function routeOf(method: string, target: string): Route {
  const url = new URL(target, 'http://x');
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  const where = `${method} ${path}`;
  const allow = (expected: string): void => {
    if (method !== expected) throw new ApiError(405, `${where}: method not allowed; use ${expected} ${path}.`, { Allow: expected });
  };
  if (path === '/healthz') {
    allow('GET');
    return { kind: 'health' };
  }
  const write = /^\/v1\/(charge|topup|withdraw|adjust)$/.exec(path);
  if (write) {
    allow('POST');
    return { kind: 'write', op: write[1] as WriteKind, where };
  }
  const balance = /^\/v1\/balance\/([^/]+)$/.exec(path);
  if (balance) {
    allow('GET');
    return { kind: 'balance', where, account: decodeURIComponent(balance[1] ?? ''), query: url.searchParams };
  }
  throw new ApiError(404, `no such endpoint: ${method} ${path}; the API has ${ENDPOINTS}.`);
}

/** What the server checks a request against. */
export interface ApiLimits {
  /** Number of accounts: valid ids are 0..accounts-1. */
  readonly accounts: number;
  /** Largest op id accepted. Default {@link DEFAULT_MAX_OP_ID}. */
  readonly maxOpId?: number;
  /** Shown in the unknown-account message, e.g. the scenario name. */
  readonly accountsFrom?: string;
}

/** A validated op request (not yet an {@link Op}: the server adds the time). */
export interface OpRequest {
  readonly kind: OpKind;
  /** The op id, or -1 for a balance read sent without `op_id` (reads post nothing). */
  readonly opId: number;
  readonly account: number;
  readonly amount: number;
}

/** Validates a write's JSON body. Throws {@link ApiError} (400, 404) naming the field and the fix. */
export function parseWrite(route: Extract<Route, { kind: 'write' }>, text: string, limits: ApiLimits): OpRequest {
  const { where } = route;
  if (text.trim() === '') throw new ApiError(400, `${where}: the body is empty; send ${BODY_SHAPE} with Content-Type: application/json.`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, `${where}: the body is not valid JSON (${(err as Error).message.split('\n')[0]}); send ${BODY_SHAPE}.`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(400, `${where}: the body must be a JSON object, got ${Array.isArray(body) ? 'an array' : JSON.stringify(body)}; send ${BODY_SHAPE}.`);
  }
  const fields = body as Record<string, unknown>;
  const extra = Object.keys(fields).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (extra.length > 0) throw new ApiError(400, `${where}: unknown field ${extra.map((k) => JSON.stringify(k)).join(', ')}; the body has exactly op_id, account and amount.`);
  const missing = FIELDS.filter((k) => !(k in fields));
  if (missing.length > 0) throw new ApiError(400, `${where}: missing field ${missing.map((k) => JSON.stringify(k)).join(', ')}; send ${BODY_SHAPE}.`);

  const opId = checkOpId(fields['op_id'], where, limits);
  const amount = checkAmount(route.op, fields['amount'], where);
  const account = checkAccount(fields['account'], where, limits);
  return { kind: route.op, opId, account, amount };
}

/** Validates `GET /v1/balance/:account[?op_id=N]`. Throws {@link ApiError} (400, 404). */
export function parseBalance(route: Extract<Route, { kind: 'balance' }>, limits: ApiLimits): OpRequest {
  const { where } = route;
  const unknown = [...route.query.keys()].filter((k) => k !== 'op_id');
  if (unknown.length > 0) throw new ApiError(400, `${where}: unknown query parameter ${JSON.stringify(unknown[0])}; the only one is op_id (optional).`);
  const opIds = route.query.getAll('op_id');
  if (opIds.length > 1) throw new ApiError(400, `${where}: op_id is given ${opIds.length} times; give it once.`);
  const opId = opIds[0] === undefined ? -1 : checkOpId(integerText(opIds[0]), where, limits);
  const account = checkAccount(integerText(route.account), where, limits);
  return { kind: 'read', opId, account, amount: 0 };
}

/** A path or query integer as a number when it is written as one (so `1e3` or `0x10` stay text and are refused). */
function integerText(text: string): unknown {
  return /^-?\d{1,20}$/.test(text) ? Number(text) : text;
}

function checkOpId(value: unknown, where: string, limits: ApiLimits): number {
  const max = limits.maxOpId ?? DEFAULT_MAX_OP_ID;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new ApiError(400, `${where}: op_id must be an integer from 0 to ${max}, got ${JSON.stringify(value)}; give each op its own id.`);
  }
  return value;
}

function checkAccount(value: unknown, where: string, limits: ApiLimits): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ApiError(400, `${where}: account must be a non-negative integer account id, got ${JSON.stringify(value)}.`);
  }
  if (value >= limits.accounts) {
    const from = limits.accountsFrom ? ` (scenario ${limits.accountsFrom})` : '';
    throw new ApiError(404, `${where}: account ${value} does not exist; accounts are 0 to ${limits.accounts - 1}${from}.`);
  }
  return value;
}

function checkAmount(kind: WriteKind, value: unknown, where: string): number {
  // Range first: JSON numbers beyond a double's range parse as Infinity, which is "too large", not "not an integer".
  if (typeof value === 'number' && Math.abs(value) > MAX_AMOUNT) {
    throw new ApiError(400, `${where}: amount ${value} is beyond the largest amount, ${MAX_AMOUNT} minor units; split it into several ops.`);
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ApiError(400, `${where}: amount must be an integer number of minor units (cents), got ${JSON.stringify(value)}.`);
  }
  if (kind === 'adjust') {
    if (value === 0) throw new ApiError(400, `${where}: amount must not be 0 for an adjustment; give a signed, non-zero number of minor units.`);
  } else if (value < 1) {
    throw new ApiError(400, `${where}: amount must be at least 1 minor unit for a ${kind}, got ${value}; use POST /v1/adjust for a signed change.`);
  }
  return value;
}

/** The HTTP status and JSON body for an op's outcome. */
export function outcomeResponse(request: OpRequest, outcome: Outcome): { status: number; body: Record<string, unknown> } {
  const head: Record<string, unknown> = { status: outcome.status, ...(request.opId >= 0 ? { op_id: request.opId } : {}), kind: request.kind, account: request.account };
  if (outcome.status === 'rejected') {
    return { status: REJECT_STATUS[outcome.reason], body: { ...head, reason: outcome.reason, detail: outcome.detail ?? '', ...waitFields(outcome) } };
  }
  const body: Record<string, unknown> = { ...head, amount: request.amount };
  if (outcome.status === 'applied' && outcome.balance !== undefined) body['balance'] = outcome.balance;
  Object.assign(body, waitFields(outcome));
  if (outcome.attempts !== undefined) body['attempts'] = outcome.attempts;
  return { status: 200, body };
}

/** The waits an outcome measured, as API fields: `lock_wait_us`, `pool_wait_us`, `queued_us`, `waits_on_batch_head` (each only when set). */
function waitFields(outcome: Outcome): Record<string, number | boolean> {
  const fields: Record<string, number | boolean> = {};
  if (outcome.lockWaitUs !== undefined) fields['lock_wait_us'] = outcome.lockWaitUs;
  if (outcome.poolWaitUs !== undefined) fields['pool_wait_us'] = outcome.poolWaitUs;
  if (outcome.queuedUs !== undefined) fields['queued_us'] = outcome.queuedUs;
  if (outcome.waitsOnBatchHead === true) fields['waits_on_batch_head'] = true;
  return fields;
}

/** HTTP status → reject reason, for services that answer a rejection without a (valid) body. */
const REASON_BY_STATUS: Readonly<Record<number, RejectReason>> = { 402: 'insufficient_funds', 429: 'rate_limited', 503: 'error', 504: 'timeout' };

/**
 * The {@link Outcome} an API response stands for, from its status and body
 * text. 200 with `status` applied/accepted is a success; 402/429/503 are the
 * strategy's rejections (reason from the body when it names a known one);
 * anything else (400, 404, 409, 413, 5xx, a body that is not the API's) is
 * an `error` rejection whose detail quotes the status and the message.
 */
export function outcomeOf(status: number, text: string): Outcome {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // A foreign service may answer plain text: classified by status below.
  }
  const common = {
    ...(typeof body['lock_wait_us'] === 'number' ? { lockWaitUs: body['lock_wait_us'] } : {}),
    ...(typeof body['pool_wait_us'] === 'number' ? { poolWaitUs: body['pool_wait_us'] } : {}),
    ...(typeof body['queued_us'] === 'number' ? { queuedUs: body['queued_us'] } : {}),
    ...(body['waits_on_batch_head'] === true ? { waitsOnBatchHead: true } : {}),
    ...(typeof body['attempts'] === 'number' ? { attempts: body['attempts'] } : {}),
  };
  if (status >= 200 && status < 300) {
    if (body['status'] === 'accepted') return { status: 'accepted', ...common };
    if (body['status'] === 'applied' || body['status'] === undefined) {
      return typeof body['balance'] === 'number' ? { status: 'applied', balance: body['balance'], ...common } : { status: 'applied', ...common };
    }
  }
  const named = body['reason'];
  const reason: RejectReason | undefined =
    typeof named === 'string' && (REJECT_REASONS as readonly string[]).includes(named) && REASON_BY_STATUS[status] !== undefined ? (named as RejectReason) : REASON_BY_STATUS[status];
  const message = typeof body['detail'] === 'string' ? body['detail'] : typeof body['error'] === 'string' ? body['error'] : text.slice(0, 200);
  if (reason !== undefined) return { status: 'rejected', reason, detail: String(message).slice(0, 300), ...common };
  return { status: 'rejected', reason: 'error', detail: `HTTP ${status}: ${String(message)}`.slice(0, 300) };
}

/** The request the client adapter and `blast` send for an op: method, path (under the base path) and body. */
export function requestFor(op: Pick<Op, 'id' | 'kind' | 'account' | 'amount'>, basePath = ''): { method: 'GET' | 'POST'; path: string; body: string | undefined } {
  if (op.kind === 'read') return { method: 'GET', path: `${basePath}/v1/balance/${op.account}?op_id=${op.id}`, body: undefined };
  return { method: 'POST', path: `${basePath}/v1/${op.kind}`, body: `{"op_id":${op.id},"account":${op.account},"amount":${op.amount}}` };
}

/**
 * Op ids a server has already taken: a bitset that grows with the largest id
 * seen (one bit per id, so 100 M ids cost 12.5 MB at most).
 */
export class OpIdSet {
  #bits = new Uint8Array(1024);
  #size = 0;

  /** Marks `id` taken; false when it already was. */
  claim(id: number): boolean {
    const byte = id >>> 3;
    if (byte >= this.#bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.#bits.length * 2));
      grown.set(this.#bits);
      this.#bits = grown;
    }
    const mask = 1 << (id & 7);
    if ((this.#bits[byte]! & mask) !== 0) return false;
    this.#bits[byte] = this.#bits[byte]! | mask;
    this.#size += 1;
    return true;
  }

  /** How many ids were claimed. */
  get size(): number {
    return this.#size;
  }
}
