/**
 * `--emit k8s DIR` for `run` and `sweep`: the flags a pod needs, taken from
 * what the user gave (connection settings excluded: the pods read them from
 * the Secret), then the validated manifests written to DIR.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import { shardRunManifests, sweepManifests, type K8sTarget } from '../k8s/manifests.js';
import { applyInstructions, writeManifests } from '../k8s/write.js';

/** The `--emit` family of options (runner/config/options.ts), as given. */
export interface EmitArgs {
  readonly emit?: string | readonly string[];
  readonly image?: string;
  readonly parallelism?: number | string;
  readonly namespace?: string;
  readonly secret?: string;
}

/** Where to emit, or undefined without `--emit`; refuses anything but `k8s DIR` in one line. */
export function emitDir(argv: EmitArgs): string | undefined {
  if (argv.emit === undefined) return undefined;
  const parts = Array.isArray(argv.emit) ? argv.emit : [argv.emit];
  if (parts.length !== 2 || parts[0] !== 'k8s') throw new UserError(`--emit ${parts.join(' ')}: expected --emit k8s DIR (Kubernetes manifests into DIR)`);
  return resolve(parts[1]!);
}

/** Options that are connection settings or local paths: never passed to a pod. */
const LOCAL_ONLY = new Set(['pg', 'pgReplica', 'clickhouse', 'redis', 'kafka', 'stack', 'dataDir', 'out', 'scenario', 'emit', 'image', 'parallelism', 'namespace', 'secret', 'loadShards', 'shard', 'runId', 'cell', 'sweepId', 'workers', 'keepDatabases']);

/** `--flag value` pairs for the given options (camelCase keys → kebab-case flags), local-only ones left out. */
export function podArgs(options: Readonly<Record<string, unknown>>): string[] {
  return flagArgs(options, LOCAL_ONLY);
}

/** `--flag value` pairs for the given options, except the keys in `leaveOut`; arrays repeat the flag. */
export function flagArgs(options: Readonly<Record<string, unknown>>, leaveOut: ReadonlySet<string> = new Set()): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || leaveOut.has(key)) continue;
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === 'boolean') {
        if (v) args.push(flag);
      } else args.push(flag, String(v));
    }
  }
  return args;
}

async function target(argv: EmitArgs, scenarioFile: string): Promise<K8sTarget> {
  if (argv.image === undefined || argv.image.trim() === '') throw new UserError('--emit k8s needs --image: a container image with hotbench installed (e.g. one built from this repository with `npm ci && npm run build`)');
  return {
    image: argv.image.trim(),
    scenarioYaml: await readFile(scenarioFile, 'utf8'),
    ...(argv.parallelism !== undefined ? { parallelism: Number(argv.parallelism) } : {}),
    ...(argv.namespace ? { namespace: argv.namespace } : {}),
    ...(argv.secret ? { secretName: argv.secret } : {}),
  };
}

/** Writes a sharded run's manifests; returns the lines to show. */
export async function emitShardRun(dir: string, argv: EmitArgs, o: { runId: string; shards: number; scenarioFile: string; runArgs: string[] }): Promise<string[]> {
  const files = await writeManifests(dir, shardRunManifests({ ...(await target(argv, o.scenarioFile)), runId: o.runId, shards: o.shards, runArgs: o.runArgs }));
  return [`wrote ${files.join(', ')}`, `run ${o.runId}: ${o.shards} load shards (Indexed Job) and a finalize Job; no cluster was contacted`, ...applyInstructions(dir, { ...argv, secretName: argv.secret, follow: `kubectl wait --for=condition=complete --timeout=1h job -l hotbench/run-id=${o.runId}; then: hotbench report ${o.runId} --clickhouse URL` })];
}

/** Writes a sweep's manifests; returns the lines to show. */
export async function emitSweep(dir: string, argv: EmitArgs, o: { sweepId: string; cells: number; scenarioFile: string; sweepArgs: string[] }): Promise<string[]> {
  const files = await writeManifests(dir, sweepManifests({ ...(await target(argv, o.scenarioFile)), sweepId: o.sweepId, cells: o.cells, sweepArgs: o.sweepArgs }));
  return [`wrote ${files.join(', ')}`, `sweep ${o.sweepId}: ${o.cells} cells (Indexed Job); no cluster was contacted`, ...applyInstructions(dir, { ...argv, secretName: argv.secret, follow: `then: hotbench sweep --report ${o.sweepId} --clickhouse URL` })];
}
