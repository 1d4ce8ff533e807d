/**
 * Giving the server and the client their own CPUs on one machine, as they
 * would have on separate hosts: PostgreSQL (and its backends) on one half of
 * the CPUs this process may use, the client (this process, the driver, and
 * pgbench, which inherits it) on the other half. Linux only, through
 * `taskset` (util-linux); a fork inherits its parent's CPU set, so backends
 * the postmaster starts later land on the server's half too.
 *
 * Why: on a 2-core machine the Node client's CPU is taken from PostgreSQL's,
 * and hotbench measured 0.58–0.77 of pgbench sharing both cores against
 * 0.89–0.92 with the server on its own core (DESIGN.md §8).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Which CPUs the server and the client were given. */
export interface CpuLayout {
  /** CPU ids for the server's processes. */
  readonly server: readonly number[];
  /** CPU ids for the client (this process and its children). */
  readonly client: readonly number[];
}

/** Parses a Linux CPU list (`0-3,6,8-9`) into ids. Throws a one-line RangeError on anything else. */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new RangeError(`not a CPU list: ${JSON.stringify(text)} (expected e.g. 0-3,6)`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let c = from; c <= to; c++) out.push(c);
  }
  return out;
}

/** `[0, 1, 2, 5]` as `0-2,5`. */
export function formatCpuList(cpus: readonly number[]): string {
  const s = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(i === j ? String(s[i]) : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The CPUs process `pid` (default this one) may run on, from /proc. */
export function allowedCpus(pid: number | 'self' = 'self'): number[] {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(status);
  if (!line) throw new Error(`/proc/${pid}/status has no Cpus_allowed_list`);
  return parseCpuList(line[1]!);
}

/**
 * Splits `cpus` (default: those this process may use) into a server half
 * (the first ⌈n/2⌉) and a client half (the rest). Null with fewer than 2:
 * nothing to split.
 */
export function splitCpus(cpus: readonly number[] = allowedCpus()): CpuLayout | null {
  if (cpus.length < 2) return null;
  const half = Math.ceil(cpus.length / 2);
  return { server: cpus.slice(0, half), client: cpus.slice(half) };
}

/** Whether `taskset` can be run here. */
export function tasksetAvailable(): boolean {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The ids of `pid`'s descendants (children, grandchildren, ...), read from /proc. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent; the command (field 2) may hold spaces, so read after its ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(ppid, [...(parentOf.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we read: not a descendant any more
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parentOf.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/**
 * Pins process `pid`, every thread of it and every descendant now running to
 * `cpus` (later children inherit it). Returns how many processes were pinned.
 * Throws a one-line Error when taskset refuses (e.g. another user's process).
 */
export function pinProcessTree(pid: number, cpus: readonly number[]): number {
  const list = formatCpuList(cpus);
  let pinned = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', list, String(p)], { stdio: 'ignore' });
      pinned++;
    } catch (err) {
      if (p === pid) throw new Error(`taskset could not pin process ${pid} to CPUs ${list} (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): is it another user's process?`, { cause: err });
      // a descendant that ended meanwhile
    }
  }
  return pinned;
}

/** Pins this process (all its threads: libuv's pool, chdb's) and its children to `cpus`. */
export function pinSelf(cpus: readonly number[]): void {
  pinProcessTree(process.pid, cpus);
}

/** `server on CPU 0, client on CPU 1 (of 2)`. */
export function describeLayout(layout: CpuLayout | null, total: number = allowedCpus().length): string {
  if (layout === null) return `shared: server and client on the same ${total} CPU(s)`;
  const cpu = (xs: readonly number[]): string => `CPU${xs.length > 1 ? 's' : ''} ${formatCpuList(xs)}`;
  return `isolated: server on ${cpu(layout.server)}, client on ${cpu(layout.client)} (of ${total})`;
}
