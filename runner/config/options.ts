/**
 * The option table: every setting a user gives a recorded command, written
 * once, with how it is parsed and whether it is recorded. From it are derived
 * the yargs options (`optionsFor`), the help text (env names and defaults
 * appended, never repeated by hand), the environment handling (`envName`,
 * `envValue`), the defaults (`defaultOf`), the {@link RunOptions} type, the
 * mapping from parsed flags (`optionsOf`), the reading of every value with
 * its precedence and the fields of `ResolvedRunConfig` (`resolveOptions`,
 * ./resolve-options.ts), the value sources `--dry-run --json` prints, and the
 * recorded config (`recordedOptions`).
 *
 * Precedence, lowest to highest (./resolve-options.ts applies it):
 *   defaults < scenario file < --stack preset < environment < flags.
 * Connection settings never come from a scenario file: only options with
 * `layer: 'scenario'` read it (the seed).
 *
 * ## Adding an option
 * Add ONE entry to {@link OPTIONS}:
 * - `key` (camelCase; the flag is its kebab form unless `flag` names it, for
 *   a command that spells it like another command's option), `type`, `help`
 *   (without env or default: they are appended), `commands` that take it;
 * - `parse`: one of ./option-parsers.ts (durations use the one grammar of
 *   units/duration.ts), giving the value the run uses;
 * - `default` in the flag's own grammar (e.g. `'5ms'`, parsed like the flag),
 *   `byCommand` where a command has its own, or `shownDefault` / `absent`
 *   when nothing is given;
 * - `env` if an environment variable may set it, `layer` if the scenario file
 *   or the `--stack` preset may;
 * - `field` if `ResolvedRunConfig` should call it otherwise (e.g. `pgUrl`);
 * - `record` (its key in the recorded config, snake_case, and `write` for how;
 *   URLs go through `recordUrl`, which masks the password) if runs record it.
 * The flag then exists on those commands, `RunOptions` and
 * `ResolvedRunConfig` have the field, its source is reported, the help shows
 * env and default, and the run records it: nothing else to edit
 * (test/options-table-drives-everything.test.ts walks every entry).
 */
import { join } from 'node:path';
import type { Argv, Options } from 'yargs';
import { packageRoot } from '../../scenarios/library.js';
import * as p from './option-parsers.js';
import type { RawValue } from './option-parsers.js';

/** Commands that take options from this table. */
export type OptionCommand = 'run' | 'capacity' | 'blast' | 'report' | 'runs' | 'compare' | 'export' | 'history' | 'sweep' | 'finalize';

/** One option. */
export interface OptionSpec {
  /** camelCase key of `RunOptions` and of `sources`; the flag is `--<kebab-case>` unless {@link flag} says otherwise. */
  readonly key: string;
  /** The flag's name without `--`, when it is not the key's kebab form (blast's `--duration` is `blastDuration`). */
  readonly flag?: string;
  readonly type: 'string' | 'number' | 'boolean' | 'array';
  /** What the option does (env and default are appended to the help). */
  readonly help: string;
  /** Environment variable that sets it when no flag does. */
  readonly env?: string;
  /** How the environment variable is written, if not like the flag, e.g. `comma-separated`. */
  readonly envForm?: string;
  /** The default, in the flag's own grammar (parsed like the flag). */
  readonly default?: string | number;
  /** A command's own default, replacing {@link default} there; `shown` is what its help says. */
  readonly byCommand?: Partial<Record<OptionCommand, { readonly default: string | number; readonly shown?: string }>>;
  /** The default when it is not a value, e.g. `the scenario's`. */
  readonly shownDefault?: string;
  readonly choices?: readonly string[];
  /** Commands whose yargs options include it. */
  readonly commands: readonly OptionCommand[];
  /** Reads a raw value of any layer; `where` is the flag or variable, for the error line. `undefined` = not given. */
  readonly parse: (raw: RawValue, where: string) => unknown;
  /** The field's value when no layer gives one and there is no default (e.g. `[]`, `false`). */
  readonly absent?: unknown;
  /** A layer besides flag, environment and default: the scenario file's field of the same key, or the `--stack` preset's part. */
  readonly layer?: 'scenario' | 'stack';
  /** The `ResolvedRunConfig` field, when not the key. */
  readonly field?: string;
  /** Recorded with the run under `as`; `write` turns the value into what is recorded, `absent` is recorded when there is none (default null). */
  readonly record?: { readonly as: string; readonly write?: (value: unknown) => unknown; readonly absent?: unknown };
}

const RUNS: readonly OptionCommand[] = ['run', 'capacity'];
/** What every cell of a sweep shares with a run (the grid's own axes, rate scale and connections, are lists there). */
const CELLS: readonly OptionCommand[] = [...RUNS, 'sweep'];
const STORE: readonly OptionCommand[] = ['run', 'capacity', 'blast', 'report', 'runs', 'compare', 'export', 'history', 'sweep', 'finalize'];
/** `run` and `sweep` beyond one process: Kubernetes manifests. */
const EMIT: readonly OptionCommand[] = ['run', 'sweep'];
const URL = { write: p.recordUrl };

/** Capacity's default scenario: all traffic on one hot account; it lives beside the search (runner/api/) because the search sets its rate. */
export const CAPACITY_SCENARIO = 'runner/api/capacity-hot-account.yaml';

/** Every option, in help order. */
export const OPTIONS = [
  { key: 'clickhouse', field: 'clickhouseUrl', type: 'string', env: 'CLICKHOUSE_URL', shownDefault: 'embedded chdb under --data-dir', commands: STORE, parse: p.serviceUrl('clickhouse'), layer: 'stack', record: { as: 'clickhouse', ...URL, absent: 'chdb' }, help: 'ClickHouse server URL (http://user:pass@host:8123) for results' },
  { key: 'dataDir', type: 'string', env: 'HOTBENCH_HOME', default: '.hotbench', commands: STORE, parse: p.folder('.hotbench'), help: "hotbench's own data: the embedded ClickHouse store and the recorder spool" },
  { key: 'stack', type: 'string', env: 'HOTBENCH_STACK', shownDefault: 'none', commands: STORE, parse: p.stackName, record: { as: 'stack' }, help: 'use the docker-compose.yml services (compose) for every part not given otherwise' },
  {
    key: 'scenario',
    field: 'scenarioRef',
    type: 'string',
    env: 'HOTBENCH_SCENARIO',
    default: 'advertiser-burst',
    byCommand: { capacity: { default: join(packageRoot(), CAPACITY_SCENARIO), shown: CAPACITY_SCENARIO } },
    commands: [...CELLS, 'blast'],
    parse: p.text,
    help: 'built-in scenario name or path to a scenario YAML file',
  },
  { key: 'strategies', type: 'string', env: 'HOTBENCH_STRATEGIES', shownDefault: 'every available one', byCommand: { capacity: { default: 'row-lock,aggregate' } }, commands: CELLS, parse: p.optionalText, help: 'comma-separated strategies with parameters, e.g. row-lock,atomic or aggregate:window=10ms,max=500' },
  { key: 'duration', field: 'durationUs', type: 'string', env: 'HOTBENCH_DURATION', shownDefault: "the scenario's", commands: CELLS, parse: p.durationUs, record: { as: 'duration_us' }, help: "length of each strategy's replay, e.g. 10s, 2m: phases are scaled to fit" },
  { key: 'rateScale', type: 'number', env: 'HOTBENCH_RATE_SCALE', default: 1, commands: RUNS, parse: p.positiveNumber(10_000), record: { as: 'rate_scale' }, help: 'multiply every arrival rate by this factor' },
  { key: 'seed', type: 'number', env: 'HOTBENCH_SEED', shownDefault: "the scenario's, else 1", commands: [...CELLS, 'blast'], parse: p.seed, layer: 'scenario', record: { as: 'seed' }, help: 'seed of the op stream: same scenario + seed = same ops, byte for byte' },
  { key: 'pg', field: 'pgUrl', type: 'string', env: 'PG_URL', shownDefault: 'embedded PostgreSQL', commands: [...CELLS, 'finalize'], parse: p.pgUrls, layer: 'stack', record: { as: 'pg', write: p.recordUrls, absent: 'embedded' }, help: 'external PostgreSQL URL; each strategy gets a fresh database on it. Several comma-separated URLs are the ledger shards of sharded(...) strategies (the first also serves every other strategy)' },
  { key: 'pgShards', type: 'number', env: 'HOTBENCH_PG_SHARDS', shownDefault: 'one per --pg URL, else 1', commands: RUNS, parse: p.positiveInteger(16), record: { as: 'pg_shards' }, help: 'start this many embedded PostgreSQL servers, the ledger shards of sharded(...) strategies (without --pg); with --pg it must equal the number of URLs' },
  { key: 'pgReplica', field: 'pgReplicaUrl', type: 'string', env: 'PG_REPLICA_URL', shownDefault: 'started next to the embedded server', commands: RUNS, parse: p.serviceUrl('pgReplica'), layer: 'stack', record: { as: 'pg_replica', ...URL }, help: 'streaming replica of --pg for read-write-split' },
  { key: 'redis', field: 'redisUrl', type: 'string', env: 'REDIS_URL', shownDefault: 'redis://127.0.0.1:6379 if reachable', commands: CELLS, parse: p.serviceUrl('redis'), layer: 'stack', record: { as: 'redis', ...URL }, help: 'Redis URL for strategies that need it' },
  { key: 'kafka', field: 'kafkaBrokers', type: 'string', env: 'KAFKA_BROKERS', shownDefault: 'embedded broker, started when a strategy needs Kafka', commands: CELLS, parse: p.brokers, absent: [] as readonly string[], layer: 'stack', record: { as: 'kafka' }, help: 'Kafka brokers host:port[,host:port]' },
  { key: 'out', type: 'string', env: 'HOTBENCH_OUT', default: 'hotbench-results', commands: [...CELLS, 'blast', 'finalize'], parse: p.folder('hotbench-results'), help: 'report folder; each run writes <out>/<run-id>/report.{md,json,html}' },
  { key: 'concurrency', type: 'number', env: 'HOTBENCH_CONCURRENCY', default: 512, byCommand: { capacity: { default: 2048 } }, commands: CELLS, parse: p.positiveInteger(100_000), record: { as: 'concurrency' }, help: 'most ops in flight at once (the open-loop cap); later ops are sent late, never dropped' },
  { key: 'connections', type: 'number', env: 'HOTBENCH_CONNECTIONS', default: 16, commands: RUNS, parse: p.positiveInteger(1_000), record: { as: 'connections' }, help: 'PostgreSQL pool size per strategy' },
  { key: 'lateThreshold', field: 'lateThresholdUs', type: 'string', env: 'HOTBENCH_LATE_THRESHOLD', default: '5ms', commands: CELLS, parse: p.durationUs, record: { as: 'late_threshold_us' }, help: 'an op sent this long after its intended time counts as late' },
  { key: 'repeat', type: 'number', env: 'HOTBENCH_REPEAT', default: 1, commands: RUNS, parse: p.positiveInteger(1_000), record: { as: 'repeat' }, help: 'replay each strategy N times in the run (for noise-aware comparison)' },
  {
    key: 'via',
    type: 'string',
    env: 'HOTBENCH_VIA',
    default: 'direct',
    choices: ['direct', 'http', 'http-inprocess'],
    commands: CELLS,
    parse: p.via,
    record: { as: 'via' },
    help: 'how ops reach each strategy: direct calls, or HTTP to the strategy served by a `hotbench serve` child (http) or in this process (http-inprocess)',
  },
  { key: 'isolate', type: 'boolean', env: 'HOTBENCH_ISOLATE', envForm: '1/true/yes', commands: RUNS, parse: p.onOff, absent: false, record: { as: 'isolate' }, help: "give the run's own servers (embedded PostgreSQL, a redis-server or Kafka broker it started) one half of the CPUs and the driver the other (taskset, 2+ CPUs), as on separate hosts; the report records the CPU layout" },
  { key: 'noiseFloor', type: 'string', env: 'HOTBENCH_NOISE_FLOOR', default: 'auto', choices: ['auto', 'on', 'off'], commands: RUNS, parse: p.choice(['auto', 'on', 'off'] as const), record: { as: 'noise_floor' }, help: "measure the machine's own spread first (pgbench, atomic's statement on the hot account, 3 × 5 s) and record it with the run: auto = when --repeat is 2 or more" },
  { key: 'keepDatabases', type: 'boolean', env: 'HOTBENCH_KEEP_DATABASES', envForm: '1/true/yes', commands: [...CELLS, 'finalize'], parse: p.onOff, absent: false, help: "keep each strategy's database on an external server after the run (for inspection)" },
  {
    key: 'slo',
    type: 'string',
    env: 'HOTBENCH_SLO',
    commands: CELLS,
    parse: p.sloText,
    record: { as: 'slo' },
    help: "limits on catalog metrics the verdict judges strategies by, over the scenario's slo block: 'p99_ack_ms<50ms,p999_ack_ms<200ms,posting_delay_p99_ms<1s,overdraft_amount=0,max_stop_delivery_ms<200ms,reject_pct<5%' (inclusive; name=off drops one; the older p99_ack, overdraft... still read)",
  },
  {
    key: 'junit',
    type: 'string',
    commands: ['run', 'compare'],
    parse: p.optionalText,
    help: 'also write the result as JUnit XML to this file: a test case per check (run) or metric (compare); failures carry the measured value and the limit, undecided checks are skipped with the reason',
  },
  { key: 'fault', field: 'faults', type: 'array', env: 'HOTBENCH_FAULTS', envForm: 'comma-separated', commands: RUNS, parse: p.faults, absent: [], record: { as: 'faults', write: p.recordFaults }, help: 'inject a fault into every replay at a schedule time, repeatable: redis:restart@8s, consumer:kill@5s' },
  // Load shards of one run: several processes, one PostgreSQL, one ClickHouse server (runner/shard/). Not the ledger's database sharding.
  { key: 'shard', type: 'string', env: 'HOTBENCH_SHARD', shownDefault: 'the whole stream', commands: ['run'], parse: p.optionalText, help: 'replay load shard i of n (accounts a with a mod n = i), e.g. 0/4; every shard of a run needs the same --run-id, --pg and --clickhouse, then `hotbench finalize <run-id>`' },
  { key: 'runId', type: 'string', env: 'HOTBENCH_RUN_ID', shownDefault: 'a new one', commands: ['run'], parse: p.optionalText, help: 'the run id to record under; the one id every load shard of a run shares' },
  { key: 'startAt', type: 'string', env: 'HOTBENCH_START_AT', shownDefault: 'the start barrier through PostgreSQL', commands: ['run'], parse: p.optionalText, help: 'with --shard: start the schedule at this time (ISO 8601 with zone, e.g. 2026-12-07T18:30:00Z)' },
  { key: 'barrierTimeout', field: 'barrierTimeoutUs', type: 'string', env: 'HOTBENCH_BARRIER_TIMEOUT', default: '2m', commands: ['run'], parse: p.durationUs, help: 'with --shard: how long a shard waits at the start barrier for the others' },
  { key: 'loadShards', type: 'number', default: 1, commands: ['run'], parse: p.positiveInteger(1_000), help: 'with --emit k8s: how many load shards (pods) the run is split into' },
  { key: 'emit', type: 'array', commands: EMIT, parse: p.textList, absent: [] as readonly string[], help: 'write Kubernetes manifests into DIR instead of running: --emit k8s DIR (an Indexed Job, the scenario ConfigMap; URLs come from a Secret)' },
  { key: 'image', type: 'string', commands: EMIT, parse: p.optionalText, help: 'with --emit: the container image with hotbench installed' },
  { key: 'parallelism', type: 'number', shownDefault: 'all pods at once', commands: EMIT, parse: p.positiveInteger(10_000), help: 'with --emit: most pods at a time' },
  { key: 'namespace', type: 'string', shownDefault: "kubectl's current one", commands: EMIT, parse: p.optionalText, help: 'with --emit: Kubernetes namespace' },
  { key: 'secret', type: 'string', default: 'hotbench-services', commands: EMIT, parse: p.text, help: 'with --emit: the Secret holding PG_URL, CLICKHOUSE_URL (and REDIS_URL)' },
  // A sweep's grid and how its cells run (runner/sweep/).
  { key: 'param', type: 'array', commands: ['sweep'], parse: p.textList, absent: [] as readonly string[], help: 'one parameter axis of the grid, repeatable: aggregate:window=1ms,5ms,20ms' },
  { key: 'workers', type: 'number', default: 1, commands: ['sweep'], parse: p.positiveInteger(64), help: 'cells run in this many local processes at a time' },
  { key: 'cell', type: 'number', env: 'HOTBENCH_CELL', commands: ['sweep'], parse: p.integer(0, 1_000_000), help: 'run only cell i of the grid (what each worker process and each pod runs)' },
  { key: 'sweepId', type: 'string', env: 'HOTBENCH_SWEEP_ID', shownDefault: 'a new one', commands: ['sweep'], parse: p.optionalText, help: 'the sweep the cells belong to' },
  { key: 'wait', field: 'waitUs', type: 'string', default: '10m', commands: ['finalize'], parse: p.durationUs, help: 'wait this long for load shards still running; 0s looks once' },
  // capacity's search (runner/api/capacity.ts); recorded under config_json.capacity with the limits it judged by
  { key: 'start', field: 'startPerS', type: 'string', default: '100/s', commands: ['capacity'], parse: p.rate, help: 'first offered rate, ops/s (e.g. 100/s)' },
  { key: 'max', field: 'maxPerS', type: 'string', default: '100000/s', commands: ['capacity'], parse: p.rate, help: 'highest rate tried' },
  { key: 'stepDuration', field: 'stepDurationUs', type: 'string', default: '3s', commands: ['capacity'], parse: p.durationUs, help: 'length of each step (stretched at low rates, see --min-step-ops; shortened at high rates, see --max-step-ops)' },
  { key: 'factor', type: 'number', default: 2, commands: ['capacity'], parse: p.factor, help: 'rate multiplier between steps until the first failure (above 1.05)' },
  { key: 'bisect', type: 'number', default: 3, commands: ['capacity'], parse: p.integer(0, 20), help: 'bisection steps between the last pass and the first failure' },
  { key: 'minStepOps', type: 'number', default: 1_000, commands: ['capacity'], parse: p.positiveInteger(10_000_000), help: 'fewest ops one step plans; slower steps are longer (at most 60 s): a p99 over a few hundred ops is the slowest one or two' },
  { key: 'maxStepOps', type: 'number', default: 30_000, commands: ['capacity'], parse: p.positiveInteger(10_000_000), help: 'most ops one step plans; faster steps are shorter (never under 1 s)' },
  // blast's own (runner/api/blast.ts): `--duration` and `--connections` mean the blast's there; recorded in the blast's params
  { key: 'target', type: 'string', commands: ['blast'], parse: p.optionalText, help: 'base URL of the service, e.g. http://127.0.0.1:8080 (what `hotbench serve` prints)' },
  { key: 'blastDuration', flag: 'duration', field: 'blastDurationUs', type: 'string', default: '10s', commands: ['blast'], parse: p.durationUs, help: 'how long to blast, e.g. 10s, 2m' },
  { key: 'blastConnections', flag: 'connections', type: 'number', default: 10, commands: ['blast'], parse: p.integer(1, 10_000), help: 'concurrent connections, one request in flight on each' },
  { key: 'blastTimeout', flag: 'timeout', field: 'blastTimeoutS', type: 'number', default: 10, commands: ['blast'], parse: p.integer(1, 3_600), help: 'seconds without an answer before a request counts as timed out' },
  { key: 'firstOpId', type: 'number', default: 0, commands: ['blast'], parse: p.integer(0, Number.MAX_SAFE_INTEGER), help: 'op_id of the first request; blasting the same server again needs fresh ids' },
] as const satisfies readonly OptionSpec[];

/** An option's key. */
export type OptionKey = (typeof OPTIONS)[number]['key'];

type ValueOf<T extends OptionSpec['type']> = T extends 'number' ? number | string : T extends 'boolean' ? boolean : T extends 'array' ? string | readonly string[] : string;

/** What a user may set, from flags or the environment: every field optional; strings as typed (derived from {@link OPTIONS}). */
export type RunOptions = { readonly [O in (typeof OPTIONS)[number] as O['key']]?: ValueOf<O['type']> };

type Entry = (typeof OPTIONS)[number];
type FieldOf<O> = O extends { readonly field: infer F extends string } ? F : O extends { readonly key: infer K extends string } ? K : never;
type Parsed<O> = O extends { readonly parse: (...args: never[]) => infer R } ? R : never;
type Resolved<O> = O extends { readonly default: unknown } ? Exclude<Parsed<O>, undefined> : O extends { readonly absent: infer A } ? Exclude<Parsed<O>, undefined> | A : Parsed<O> | undefined;

/** Every option's parsed value under its field (derived from {@link OPTIONS}: an option added there appears here). */
export type ResolvedOptions = { readonly [O in Entry as FieldOf<O>]: Resolved<O> };

/** Every option, typed as the general {@link OptionSpec}. Everything here reads it when called (no copies), so an entry is all an option needs. */
export const OPTION_SPECS: readonly OptionSpec[] = OPTIONS;

/** The option `key`. */
export function optionSpec(key: OptionKey): OptionSpec {
  return OPTION_SPECS.find((o) => o.key === key)!;
}

/** The `ResolvedRunConfig` field of `spec`. */
export function fieldOf(spec: OptionSpec): string {
  return spec.field ?? spec.key;
}

/** `--rate-scale` for `rateScale`; `--duration` for `blastDuration` (its `flag`). */
export function flagOf(key: OptionKey): string {
  const flag = OPTION_SPECS.find((o) => o.key === key)?.flag;
  return `--${flag ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The key yargs gives a flag in parsed argv (camelCase of the flag). */
function argvKey(spec: OptionSpec): string {
  return spec.flag === undefined ? spec.key : spec.flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The environment variable of `key`, if any. */
export function envName(key: OptionKey): string | undefined {
  return optionSpec(key).env;
}

/** The environment's value for `key`, trimmed; undefined when unset or blank. */
export function envValue(env: NodeJS.ProcessEnv, key: OptionKey): string | undefined {
  const name = envName(key);
  const v = name === undefined ? undefined : env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** The default of `key`, in the flag's grammar. */
export function defaultOf<K extends OptionKey>(key: K): Extract<(typeof OPTIONS)[number], { key: K }> extends { default: infer D } ? D : undefined {
  return (optionSpec(key) as { default?: unknown }).default as never;
}

/** The default of `spec` for `command` (its own, else the table's), in the flag's grammar. */
export function commandDefault(spec: OptionSpec, command: OptionCommand): string | number | undefined {
  return spec.byCommand?.[command]?.default ?? spec.default;
}

/** The help line: what it does, then `[env X; default Y]` (the command's own default where it has one). */
export function helpOf(spec: OptionSpec, command?: OptionCommand): string {
  const tail: string[] = [];
  const own = command === undefined ? undefined : spec.byCommand?.[command];
  if (spec.env) tail.push(`env ${spec.env}${spec.envForm ? `, ${spec.envForm}` : ''}`);
  if (own !== undefined) tail.push(`default ${own.shown ?? own.default}`);
  else if (spec.default !== undefined) tail.push(`default ${spec.default}`);
  else if (spec.shownDefault !== undefined) tail.push(`default: ${spec.shownDefault}`);
  return tail.length > 0 ? `${spec.help} [${tail.join('; ')}]` : spec.help;
}

/**
 * Adds the table's options of `command` to `y`. No yargs defaults, on
 * purpose: an absent flag stays `undefined` so the environment and the
 * scenario can supply the value.
 */
export function optionsFor<T>(y: Argv<T>, command: OptionCommand): Argv<T> {
  let out = y;
  for (const spec of OPTION_SPECS) {
    if (!spec.commands.includes(command)) continue;
    const opt: Options = { type: spec.type === 'array' ? 'string' : spec.type, describe: helpOf(spec, command) };
    if (spec.type === 'array') opt.array = true;
    if (spec.choices) opt.choices = [...spec.choices];
    out = out.option(flagOf(spec.key as OptionKey).slice(2), opt) as Argv<T>;
  }
  return out;
}

/** The table's options of `command` present in parsed `argv` (yargs camel-cases flags), only those given, by option key. */
export function optionsOf(argv: Readonly<Record<string, unknown>>, command: OptionCommand): RunOptions {
  const out: Record<string, unknown> = {};
  for (const spec of OPTION_SPECS) if (spec.commands.includes(command) && argv[argvKey(spec)] !== undefined) out[spec.key] = argv[argvKey(spec)];
  return out as RunOptions;
}
