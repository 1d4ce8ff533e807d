/**
 * The private channel between `run --via http` and the `hotbench serve
 * --ipc` child it starts: Node's IPC with structured-clone serialization.
 * The public billing API carries the ops; this channel carries only what the
 * API has no place for: the set-up (connection settings travel here, never
 * on a command line where `ps` would show their passwords), the strategy's
 * events (postings, signals, samples, notes), and drain / observe / inject /
 * stop requests.
 *
 * Times: the child stamps events with {@link absoluteMicros}, the machine's
 * monotonic clock (CLOCK_MONOTONIC, shared by every process), and the parent
 * converts them to its schedule clock, so postings measured in the child are
 * on the run's one clock.
 */
import type { AccountSpec, SignalKind, SystemRole } from '../../strategies/contract.js';

/** µs on the machine-wide monotonic clock (what `process.hrtime` reads in every process). */
export function absoluteMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The scenario's accounts as columns (compact to send, even for a million accounts). */
export interface PackedAccounts {
  readonly balance: Float64Array;
  readonly floor: Float64Array;
  readonly threshold: Float64Array;
  readonly hot: Uint8Array;
  /** Names of the named (hot) accounts: [id, name]. */
  readonly names: readonly (readonly [number, string])[];
  /** Platform accounts of the double-entry model: [id, role]. */
  readonly roles: readonly (readonly [number, SystemRole])[];
}

/** Packs accounts for the channel. */
export function packAccounts(accounts: readonly AccountSpec[]): PackedAccounts {
  const n = accounts.length;
  const packed = { balance: new Float64Array(n), floor: new Float64Array(n), threshold: new Float64Array(n), hot: new Uint8Array(n), names: [] as [number, string][], roles: [] as [number, SystemRole][] };
  for (const a of accounts) {
    packed.balance[a.id] = a.balance;
    packed.floor[a.id] = a.floor;
    packed.threshold[a.id] = a.threshold;
    packed.hot[a.id] = a.hot ? 1 : 0;
    if (a.name !== '') packed.names.push([a.id, a.name]);
    if (a.role !== undefined) packed.roles.push([a.id, a.role]);
  }
  return packed;
}

/** Unpacks what {@link packAccounts} produced. */
export function unpackAccounts(p: PackedAccounts): AccountSpec[] {
  const names = new Map(p.names);
  const roles = new Map(p.roles);
  return Array.from({ length: p.balance.length }, (_, id) => {
    const role = roles.get(id);
    return {
      id,
      balance: p.balance[id]!,
      floor: p.floor[id]!,
      threshold: p.threshold[id]!,
      hot: p.hot[id] === 1,
      name: names.get(id) ?? '',
      ...(role === undefined ? {} : { role }),
    };
  });
}

/** Parent → child: what to serve and where its parts are. URLs contain passwords: never log them. */
export interface InitMessage {
  readonly t: 'init';
  /** Strategy spec, e.g. `aggregate:window=10ms`. */
  readonly label: string;
  /** The PostgreSQL server's maintenance URL (for providers that need the server). */
  readonly adminUrl: string;
  /** The replay's fresh database, created and later dropped by the parent. */
  readonly databaseUrl: string;
  readonly databaseName: string;
  /** Key/topic prefix for this replay's Redis / Kafka ports, `[a-z0-9_]+`. */
  readonly namespace: string;
  /** Default PostgreSQL pool size. */
  readonly connections: number;
  readonly redisUrl: string | undefined;
  readonly kafkaBrokers: readonly string[];
  readonly pgReplicaUrl: string | undefined;
  readonly accounts: PackedAccounts;
}

/** Parent → child requests; each is answered by a {@link ReplyMessage} with the same id. */
export type RequestMessage =
  | { readonly t: 'drain'; readonly id: number }
  | { readonly t: 'observe'; readonly id: number }
  | { readonly t: 'inject'; readonly id: number; readonly kind: string }
  | { readonly t: 'stop'; readonly id: number };

/** Child → parent messages. */
export type ChildMessage =
  | { readonly t: 'ready'; readonly url: string; readonly backend: string; readonly faults: readonly string[]; readonly observable: boolean }
  | { readonly t: 'failed'; readonly error: string }
  | { readonly t: 'reply'; readonly id: number; readonly ok: boolean; readonly error?: string; readonly value?: unknown }
  | { readonly t: 'posted'; readonly ids: readonly number[]; readonly at: number }
  | { readonly t: 'signal'; readonly kind: SignalKind; readonly account: number; readonly at: number }
  | { readonly t: 'sample'; readonly name: string; readonly value: number; readonly at: number }
  | { readonly t: 'note'; readonly kind: string; readonly detail: string; readonly at: number }
  | { readonly t: 'log'; readonly line: string };
