/**
 * The Strategy contract: the op and outcome types, the ports a strategy is
 * handed, the required interface and the optional capabilities.
 *
 * This module is the only thing a strategy imports from hotbench (besides the
 * shared ledger helpers in `./ledger.ts`). It has no dependencies on the
 * runner or the reports; the op and account types it re-exports are the
 * scenario's own (scenarios/op.ts), so scenarios/ need not import strategies/.
 *
 * Units: every time is an integer number of microseconds (µs) on the run's
 * single monotonic clock ({@link Clock}); every amount is an integer number of
 * minor currency units (cents).
 */
import type { Pool } from 'pg';
import type { ZodType } from 'zod';
import type { AccountSpec, Micros, Op } from '../scenarios/op.js';

// The op vocabulary is the scenario's (scenarios/op.ts, a leaf importing nothing): a strategy still imports it from here.
export { counterparties, deltaOf, isDebit, isDoubleEntry, OP_KINDS, SYSTEM_ROLES, type AccountSpec, type Micros, type Op, type OpKind, type SystemRole } from '../scenarios/op.js';

/** Why an op was not accepted. `timeout` and `error` mean the op's fate is unknown to the caller. */
export const REJECT_REASONS = ['insufficient_funds', 'rate_limited', 'timeout', 'error'] as const;
/** Why an op was rejected: one of {@link REJECT_REASONS}. */
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Fields every outcome may carry. */
export interface OutcomeCommon {
  /**
   * µs this op spent waiting for a row lock, where the strategy takes one
   * (see `ledger.ts` `timedLock*` helpers for how it is measured). Omit when
   * the strategy takes no lock for this op.
   */
  readonly lockWaitUs?: number;
  /** Attempts made (optimistic retries, try-other sub-accounts). Default 1. */
  readonly attempts?: number;
}

/**
 * What `submit` returns.
 * - `applied`: the op's entry is in the ledger and the balance reflects it (committed) before return.
 * - `accepted`: promised; the strategy posts it later and then reports it through {@link EventSink.posted}.
 * - `rejected`: not done, with the reason.
 *
 * A `read` op is `applied` and carries the balance the strategy answered with.
 */
export type Outcome =
  | (OutcomeCommon & { readonly status: 'applied'; readonly balance?: number })
  | (OutcomeCommon & { readonly status: 'accepted' })
  | (OutcomeCommon & { readonly status: 'rejected'; readonly reason: RejectReason; readonly detail?: string });

/** The run's monotonic clock. */
export interface Clock {
  /** Now, in µs since the run's clock origin. Monotonic, integer. */
  now(): Micros;
}

/** Signals a strategy can raise (DESIGN.md "stop-delivery delay"). */
export type SignalKind = 'budget_exhausted' | 'budget_restored';

/**
 * Where a strategy reports what happens off the request path. The runner owns
 * recording; a strategy never writes results itself (STYLE.md §4). Every
 * method is synchronous and cheap: it only queues the event.
 */
export interface EventSink {
  /**
   * These accepted ops are now posted: their entries are committed in the
   * ledger and the balance reflects them. `at` is read from {@link Clock.now}
   * after the commit returned. Report each op once. Ops that were `applied`
   * synchronously must not be reported here (the runner records them at ack).
   */
  posted(ops: readonly Op[], at: Micros): void;
  /** The strategy told upstream something about an account (e.g. "budget exhausted, stop delivery"). */
  signal(kind: SignalKind, account: number, at: Micros): void;
  /** A point of a time series the strategy owns (consumer lag, queue depth, replication lag in µs...). */
  sample(name: string, value: number, at: Micros): void;
  /** A notable event, such as "fell back to the in-process queue". One short line. */
  note(kind: string, detail: string, at: Micros): void;
}

/** Access to this strategy's own PostgreSQL database (fresh for every strategy run). */
export interface PostgresPort {
  /**
   * Opens a pool on this strategy's database. The runner closes every pool it
   * handed out after `stop()`. Default `max` is the run's `--connections`
   * (16 by default, the pgbench client count of DESIGN.md §7).
   */
  pool(options?: { readonly max?: number; readonly applicationName?: string }): Pool;
  /** `server_version` of the PostgreSQL serving this database, e.g. "15.18". */
  readonly serverVersion: string;
  /** Default pool size for this run (`--connections`). */
  readonly connections: number;
  /**
   * The run's ledger shards, when it has several PostgreSQL servers (`--pg`
   * with several URLs, or `--pg-shards N`): one port per server, each on a
   * fresh database of this replay's own. Given only to a strategy that
   * spreads its ledger ({@link StrategyDefinition.ledgerShards}); absent
   * otherwise, and then the strategy's one shard is this port itself.
   */
  readonly shards?: readonly PostgresPort[];
}

/** What a strategy may need from the stack; the runner skips a strategy whose needs cannot be met. */
export type Need = 'postgres' | 'redis' | 'kafka' | 'replica';

/**
 * Everything a strategy receives. Optional ports are present exactly when the
 * strategy declared the matching {@link Need} and the runner could meet it.
 */
export interface StrategyContext {
  readonly postgres: PostgresPort;
  /** Ports for parts beyond PostgreSQL, keyed by need; typed by the strategies that use them. */
  readonly ports: Readonly<Partial<Record<Exclude<Need, 'postgres'>, unknown>>>;
  readonly clock: Clock;
  readonly events: EventSink;
  /** The scenario's accounts, indexed by id. */
  readonly accounts: readonly AccountSpec[];
  /** Aborted when the run is interrupted or the strategy is being stopped. */
  readonly abort: AbortSignal;
  /** One line of human-readable progress (not a result). */
  log(line: string): void;
}

/**
 * The required interface (STYLE.md §3). Lifecycle: `setup` once, then any
 * number of concurrent `submit`s, then `drain`, then `stop`. `stop` is also
 * called after a failed `setup` or an interrupted run, and must be idempotent.
 */
export interface Strategy {
  /**
   * The backend this instance really runs on, shown next to the label in every
   * result (e.g. `postgres`, `redis+postgres`, `redis-streams`, `kafka`).
   */
  readonly backend: string;
  /** Create the schema (see `ledger.ts`), seed the accounts, start background jobs. */
  setup(ctx: StrategyContext): Promise<void>;
  /**
   * Perform one op. Must not throw: failures are `rejected` with reason
   * `error` and a one-line detail. Called concurrently, up to the run's
   * concurrency cap.
   */
  submit(op: Op): Promise<Outcome>;
  /** Finish deferred work: after it resolves, every accepted op is posted or known lost. */
  drain(): Promise<void>;
  /** Release everything (timers, connections). Idempotent. */
  stop(): Promise<void>;
}

/** Optional capability: time series the runner polls once per sampling interval. */
export interface Observable {
  /** Current values, e.g. `[{ name: 'consumer_lag', value: 1200 }]`. Must be cheap. */
  observe(): Promise<readonly { readonly name: string; readonly value: number }[]>;
}

/** Optional capability: the strategy can suffer an injected fault. */
export interface FaultTarget {
  /** The fault kinds this strategy understands, e.g. `['consumer:kill']`. */
  readonly faults: readonly string[];
  /** Inject `kind` now. Resolves when the fault has taken effect. */
  inject(kind: string): Promise<void>;
}

/**
 * Optional capability: the strategy spreads some accounts over several rows
 * (sub-accounts), so a wrapper may spread them further: `sharded(split)`
 * gives each shard a part of a split account instead of one home shard.
 */
export interface SpreadsAccounts {
  /** Whether this strategy spreads `account` over several rows with these parameters. */
  spreads(account: AccountSpec): boolean;
}

/** Type guard for {@link SpreadsAccounts}. */
export function spreadsAccounts(s: Strategy): s is Strategy & SpreadsAccounts {
  return typeof (s as Partial<SpreadsAccounts>).spreads === 'function';
}

/** Type guard for {@link Observable}. */
export function isObservable(s: Strategy): s is Strategy & Observable {
  return typeof (s as Partial<Observable>).observe === 'function';
}

/** Type guard for {@link FaultTarget}. */
export function isFaultTarget(s: Strategy): s is Strategy & FaultTarget {
  return Array.isArray((s as Partial<FaultTarget>).faults) && typeof (s as Partial<FaultTarget>).inject === 'function';
}

/** What a composite strategy (e.g. `rate-limit(row-lock)`) receives to build its inner strategy. */
export interface InnerStrategy {
  /** The inner strategy instance, not yet set up (the outer one calls setup/submit/drain/stop). */
  readonly strategy: Strategy;
  /** The inner strategy's canonical label, e.g. `aggregate:window=10ms`. */
  readonly label: string;
  /**
   * Another new instance of the same inner spec, not yet set up: for a
   * wrapper that runs one inner instance per part (`sharded`, one per
   * ledger shard). {@link strategy} is the first of them.
   */
  create?(): Strategy;
}

/**
 * What a composite is asked to wrap, for {@link StrategyDefinition.accepts}:
 * the inner spec resolved, before any instance exists.
 */
export interface WrapCandidate {
  /** The inner strategy's registry name, e.g. `row-lock`. */
  readonly name: string;
  /** Its canonical label, e.g. `aggregate:window=10ms`. */
  readonly label: string;
  /** What it needs with these parameters, its own inner strategies' needs included. */
  readonly needs: readonly Need[];
  /** The registry names of every layer, outermost first, e.g. `['rate-limit', 'row-lock']`. */
  readonly layers: readonly string[];
}

/**
 * How a strategy's documented behaviour differs from "strict and synchronous"
 * (every op `applied` or `rejected` before `submit` returns, never below the
 * floor, only `insufficient_funds` refusals, one entry per applied op). The
 * shared conformance suite reads these instead of knowing strategies by name,
 * so a new strategy is checked by registering it. Every field defaults to the
 * strict behaviour.
 */
export interface StrategyTraits {
  /** Ops may be `accepted` and posted later (by `drain()` at the latest). Default false. */
  readonly deferred?: boolean;
  /**
   * Its documented risk is overdraft: on a list whose hot budget runs out it
   * posts debits past the floor, and the auditor must report exactly those. Default false.
   */
  readonly mayOverdraw?: boolean;
  /** It refuses some ops as `rate_limited` before they reach the ledger. Default false. */
  readonly limits?: boolean;
  /** It may give up an op as `error` under contention (e.g. retries exhausted). Default false. */
  readonly mayGiveUp?: boolean;
  /** It books internal transfers (entries without an op id) besides one entry per applied op. Default false. */
  readonly transfers?: boolean;
  /**
   * It may accept every debit of an exhausted account, because it decides
   * against the balance as last posted rather than the live one. Default false.
   */
  readonly acceptsPastBudget?: boolean;
  /** The `backend` an instance reports with {@link conformanceSpec}'s parameters. Default `postgres`. */
  readonly backend?: string;
  /**
   * The spec the conformance suite runs (400 mixed ops, a 3,000-cent hot budget
   * that runs out) when the name alone does not fit: a composite needs an inner
   * strategy, a rate limit must let the budget run out first... Default: the name.
   */
  readonly conformanceSpec?: string;
}

/**
 * A registered strategy: its name, what it needs, its parameters and a
 * factory. Parameters are a zod object schema whose defaults are the
 * documented defaults; the runner validates `name:key=value` specs against it.
 * Values arrive as strings from the command line: use `z.coerce` or the
 * helpers in `./params.ts` (durations like `10ms`).
 */
export interface StrategyDefinition<P = unknown> {
  /** Registry name, lowercase kebab-case. */
  readonly name: string;
  /** One line: the idea and what it risks. */
  readonly summary: string;
  /** Source article(s), e.g. `seed 002 方案2`. */
  readonly source: string;
  /** Everything any parameter set may need (what `hotbench strategies` lists). */
  readonly needs: readonly Need[];
  /**
   * What this parameter set needs, when it depends on the parameters (e.g.
   * `buffer:queue=kafka` needs Kafka, `buffer:queue=memory` nothing beyond
   * PostgreSQL). Default: {@link needs}.
   */
  needsFor?(params: P): readonly Need[];
  /**
   * The specs a run without `--strategies` replays for this strategy, e.g.
   * `['buffer', 'buffer:queue=kafka']` so both durable queues are compared.
   * Default: `[name]`.
   */
  readonly defaultSpecs?: readonly string[];
  readonly params: ZodType<P>;
  /** Whether it wraps another strategy (`name(inner)`); the runner then passes `inner`. */
  readonly composite?: boolean;
  /**
   * A composite's rule for what it may wrap: undefined when it accepts
   * `inner`, else one line saying why not (shown as the spec's error, and
   * in `hotbench strategies`). Default: it wraps any strategy.
   */
  accepts?(inner: WrapCandidate): string | undefined;
  /**
   * It spreads its ledger over the run's PostgreSQL servers: the runner then
   * creates this replay's database on every one and hands them over as
   * {@link PostgresPort.shards}. Default false.
   */
  readonly ledgerShards?: boolean;
  /** Where its behaviour differs from strict and synchronous; default: it does not. */
  readonly traits?: StrategyTraits;
  /**
   * Whether the load shards of one run (`hotbench run --shard i/n`, several
   * processes, one shared ledger) may each run an instance: true when all its
   * state is in the ledger or kept per account in the process (a shard owns
   * all of an account's ops), with no background work over other shards'
   * accounts and no queue or cache shared between processes. A composite is
   * shardable when it and its inner strategy are. Default false: a sharded
   * run refuses it, saying why.
   */
  readonly loadShards?: boolean;
  create(params: P, inner?: InnerStrategy): Strategy;
}
