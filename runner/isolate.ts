/**
 * `hotbench run --isolate`: the embedded servers (PostgreSQL, a redis-server
 * the run started, Kafka's JVM) on one half of the CPUs, the driver (this
 * process: the event loop, libuv's pool, chdb's threads) on the other, as
 * they would be on separate hosts. The layout is recorded with the run and
 * printed in its reports, since a figure measured isolated and one measured
 * sharing the cores are different figures (bench:fidelity: 0.89–0.92 of
 * pgbench isolated, 0.58–0.77 shared, on 2 cores).
 *
 * External servers (`--pg`, `--redis`, `--kafka`) are not ours to pin: they
 * are listed as such, and only the driver moves.
 */
import { allowedCpus, describeLayout, formatCpuList, pinProcessTree, splitCpus, tasksetAvailable, type CpuLayout } from './cpu-layout.js';

/** A server process the run owns, or an external one (pid undefined). */
export interface ServerProcess {
  /** `embedded PostgreSQL`, `redis-server`, `Kafka`. */
  readonly name: string;
  /** Its process id; undefined for an external server. */
  readonly pid: number | undefined;
}

/** The layout a run used, as recorded in its provenance. */
export interface IsolationRecord {
  /** `isolated` or `shared`. */
  readonly mode: 'isolated' | 'shared';
  /** CPU list of the servers (`0`), '' when shared. */
  readonly server_cpus: string;
  /** CPU list of the driver (`1`), '' when shared. */
  readonly client_cpus: string;
  /** Servers pinned, and external ones left alone. */
  readonly pinned: readonly string[];
  readonly external: readonly string[];
  /** One line for people: `isolated: server on CPU 0 (embedded PostgreSQL), client on CPU 1 (of 2)`. */
  readonly text: string;
}

/** The record of a run that shares every CPU (no --isolate). */
export function sharedLayout(): IsolationRecord {
  return { mode: 'shared', server_cpus: '', client_cpus: '', pinned: [], external: [], text: describeLayout(null, allowedCpus().length) };
}

/**
 * Pins `servers` to one half of the CPUs and the driver (`clientPid`,
 * default this process) to the other. Throws a one-line Error when the
 * machine has fewer than 2 usable CPUs or taskset is missing.
 */
export function isolateServers(servers: readonly ServerProcess[], clientPid: number = process.pid): IsolationRecord {
  const all = allowedCpus();
  const layout: CpuLayout | null = splitCpus(all);
  if (layout === null) throw new Error(`--isolate needs at least 2 CPUs; this process may use ${all.length} (${formatCpuList(all)}): drop --isolate`);
  if (!tasksetAvailable()) throw new Error('--isolate needs taskset (util-linux; Debian: apt-get install util-linux): install it or drop --isolate');
  const pinned: string[] = [];
  const external: string[] = [];
  for (const s of servers) {
    if (s.pid === undefined || s.pid <= 0) external.push(s.name);
    else {
      pinProcessTree(s.pid, layout.server);
      pinned.push(s.name);
    }
  }
  pinProcessTree(clientPid, layout.client);
  const base = describeLayout(layout, all.length);
  const text = `${base}${pinned.length > 0 ? `; pinned: ${pinned.join(', ')}` : ''}${external.length > 0 ? `; external, not pinned: ${external.join(', ')}` : ''}`;
  return { mode: 'isolated', server_cpus: formatCpuList(layout.server), client_cpus: formatCpuList(layout.client), pinned, external, text };
}
