/**
 * Kubernetes manifests for a sharded run or a sweep, built with
 * typed models (`kubernetes-models`) and checked with their own validation
 * before anything is written:
 *
 * - a ConfigMap holding the scenario file, mounted at {@link SCENARIO_PATH};
 * - an Indexed Job: pod k gets completion index k (`JOB_COMPLETION_INDEX`,
 *   from the downward API) and runs shard k of the run, or cell k of the
 *   sweep; `parallelism` pods at a time;
 * - for a sharded run, a finalize Job that waits for every shard, audits once
 *   and renders the one report.
 *
 * Connection settings come from a Secret the manifests *reference* by name
 * (keys `PG_URL`, `CLICKHOUSE_URL`, optional `REDIS_URL`) and never contain:
 * args holding a URL are refused, so a password cannot end up in a file
 * that is committed or shared.
 */
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { UserError } from '../errors.js';

/** Where each pod finds the scenario file. */
export const SCENARIO_PATH = '/etc/hotbench/scenario.yaml';
/** Default name of the Secret holding the service URLs. */
export const DEFAULT_SECRET = 'hotbench-services';
/** The Secret's keys, one environment variable each (the names `hotbench` already reads). */
export const SECRET_KEYS = { required: ['PG_URL', 'CLICKHOUSE_URL'], optional: ['REDIS_URL'] } as const;

/** What both kinds of manifests share. */
export interface K8sTarget {
  /** Container image with hotbench installed (`hotbench` on PATH). */
  readonly image: string;
  /** Namespace; omitted from the manifests when undefined (kubectl's current one). */
  readonly namespace?: string;
  /** Secret with the service URLs. Default {@link DEFAULT_SECRET}. */
  readonly secretName?: string;
  /** Most pods at a time. Default: all of them (completions). */
  readonly parallelism?: number;
  /** The scenario file's text, put into the ConfigMap. */
  readonly scenarioYaml: string;
}

/** A sharded run: `shards` pods, one run id. */
export interface ShardRunTarget extends K8sTarget {
  readonly runId: string;
  readonly shards: number;
  /** `hotbench run` flags besides --scenario, --shard and --run-id (e.g. `--strategies atomic --duration 30s`). */
  readonly runArgs: readonly string[];
}

/** A sweep: one pod per cell. */
export interface SweepTarget extends K8sTarget {
  readonly sweepId: string;
  readonly cells: number;
  /** `hotbench sweep` flags besides --scenario, --cell and --sweep-id (the grid: --strategies, --param, ...). */
  readonly sweepArgs: readonly string[];
}

/** One validated object, ready to be written as YAML. */
export interface Manifest {
  /** File name, e.g. `job.yaml`. */
  readonly file: string;
  /** The object as plain JSON (what `kubectl apply` reads). */
  readonly object: Record<string, unknown>;
}

const INDEX_ENV: IEnvVar = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } };

/** Manifests of a sharded run: the scenario ConfigMap, the Indexed Job of shards, the finalize Job. */
export function shardRunManifests(t: ShardRunTarget): Manifest[] {
  const name = jobName('hotbench-run', t.runId);
  checkArgs(t.runArgs);
  const labels = { 'app.kubernetes.io/name': 'hotbench', 'hotbench/run-id': t.runId };
  const config = configMap(`${name}-scenario`, t, labels);
  const shards = indexedJob(name, t, t.shards, labels, ['run', '--scenario', SCENARIO_PATH, '--run-id', t.runId, '--shard', `$(JOB_COMPLETION_INDEX)/${t.shards}`, '--progress', 'plain', ...t.runArgs], config);
  // The finalize pod starts with the shards and waits for them in ClickHouse; a shard that dies is reported by name.
  const finalize = job(`${name}-finalize`, t, labels, { completions: 1, parallelism: 1, backoffLimit: 0 }, ['finalize', t.runId, '--progress', 'plain'], config, false);
  return [
    { file: 'configmap.yaml', object: validated(config) },
    { file: 'job.yaml', object: validated(shards) },
    { file: 'finalize-job.yaml', object: validated(finalize) },
  ];
}

/** Manifests of a sweep: the scenario ConfigMap and the Indexed Job of cells. */
export function sweepManifests(t: SweepTarget): Manifest[] {
  const name = jobName('hotbench-sweep', t.sweepId);
  checkArgs(t.sweepArgs);
  const labels = { 'app.kubernetes.io/name': 'hotbench', 'hotbench/sweep-id': t.sweepId };
  const config = configMap(`${name}-scenario`, t, labels);
  const cells = indexedJob(name, t, t.cells, labels, ['sweep', '--scenario', SCENARIO_PATH, '--sweep-id', t.sweepId, '--cell', '$(JOB_COMPLETION_INDEX)', '--progress', 'plain', ...t.sweepArgs], config);
  return [
    { file: 'configmap.yaml', object: validated(config) },
    { file: 'job.yaml', object: validated(cells) },
  ];
}

function configMap(name: string, t: K8sTarget, labels: Record<string, string>): ConfigMap {
  return new ConfigMap({ metadata: { name, ...(t.namespace ? { namespace: t.namespace } : {}), labels }, data: { 'scenario.yaml': t.scenarioYaml } });
}

function indexedJob(name: string, t: K8sTarget, completions: number, labels: Record<string, string>, args: string[], config: ConfigMap): Job {
  if (t.parallelism !== undefined && (!Number.isSafeInteger(t.parallelism) || t.parallelism < 1)) throw new UserError(`--parallelism ${t.parallelism}: expected a whole number ≥ 1`);
  const parallelism = t.parallelism ?? completions;
  // A shard that is restarted arrives after the others started and refuses (late); a failed pod is not retried.
  return job(name, t, labels, { completions, parallelism: Math.min(parallelism, completions), backoffLimit: 0, completionMode: 'Indexed' }, args, config, true);
}

function job(
  name: string,
  t: K8sTarget,
  labels: Record<string, string>,
  shape: { completions: number; parallelism: number; backoffLimit: number; completionMode?: 'Indexed' },
  args: string[],
  config: ConfigMap,
  indexed: boolean,
): Job {
  const secret = t.secretName ?? DEFAULT_SECRET;
  const env: IEnvVar[] = [
    ...SECRET_KEYS.required.map((key): IEnvVar => ({ name: key, valueFrom: { secretKeyRef: { name: secret, key } } })),
    ...SECRET_KEYS.optional.map((key): IEnvVar => ({ name: key, valueFrom: { secretKeyRef: { name: secret, key, optional: true } } })),
    ...(indexed ? [INDEX_ENV] : []),
  ];
  return new Job({
    metadata: { name, ...(t.namespace ? { namespace: t.namespace } : {}), labels },
    spec: {
      ...shape,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'hotbench',
              image: t.image,
              command: ['hotbench'],
              args,
              env,
              // The driver wants a core of its own (DESIGN.md §8: the client's CPU is what limits fidelity).
              resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } },
              volumeMounts: [{ name: 'scenario', mountPath: '/etc/hotbench', readOnly: true }],
            },
          ],
          volumes: [{ name: 'scenario', configMap: { name: config.metadata?.name ?? '' } }],
        },
      },
    },
  });
}

/** Validates with the model's own JSON schema and returns plain JSON; a schema error is a bug here, shown in one line. */
function validated(model: ConfigMap | Job): Record<string, unknown> {
  try {
    model.validate();
  } catch (err) {
    throw new Error(`${model.kind} ${model.metadata?.name}: invalid manifest: ${(err as Error).message}`, { cause: err });
  }
  return JSON.parse(JSON.stringify(model.toJSON())) as Record<string, unknown>;
}

/** A Job name: DNS-1123, short enough for the pods' names (Job name + index + random suffix ≤ 63). */
function jobName(prefix: string, id: string): string {
  const name = `${prefix}-${id}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').slice(0, 52).replace(/-$/, '');
  return name;
}

/** Connection settings come from the Secret: refuse args that carry a URL (and perhaps a password). */
function checkArgs(args: readonly string[]): void {
  for (const a of args) {
    if (/:\/\//.test(a) || /^--(pg|pg-replica|clickhouse|redis|kafka)(=|$)/.test(a)) {
      throw new UserError(`--emit k8s: ${a.startsWith('--') ? a.split('=')[0] : 'a URL'} cannot go into a manifest: the pods read PG_URL, CLICKHOUSE_URL and REDIS_URL from the Secret; create it with kubectl create secret generic (see the printed instructions)`);
    }
  }
}
