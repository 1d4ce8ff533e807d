/**
 * The option table: every setting a user gives a recorded command, written
 * once. From it are derived the yargs options (`optionsFor`), the help text
 * (env names and defaults appended, never repeated by hand), the environment
 * handling (`envName`, `envValue`), the defaults (`defaultOf`), the
 * {@link RunOptions} type, the mapping from parsed flags (`optionsOf`) and
 * the keys under which `--dry-run --json` and the recorded config report each
 * value's source (`ResolvedRunConfig.sources`, keyed by option key).
 *
 * Precedence, lowest to highest (runner/config/run-config.ts applies it):
 *   defaults < scenario file < --stack preset < environment < flags.
 *
 * ## Adding an option
 * Add ONE entry to {@link OPTIONS}: key (camelCase; the flag is its kebab
 * form), type, help (without env or default: they are appended), `env` if
 * an environment variable may set it, `default` in the flag's own grammar
 * (e.g. `'5ms'`, parsed by the same parser as the flag) or `shownDefault`
 * when the default is a description, and `commands` that take it. The flag
 * then exists on those commands, `RunOptions` has the field, the help shows
 * env and default. Read it in `resolveRunConfig` (with `pick`/`envValue`
 * there, so its source is recorded) and add it to `ResolvedRunConfig` and
 * `recordedConfig` if the run must use and record it.
 */
import type { Argv, Options } from 'yargs';

/** Commands that take options from this table. */
export type OptionCommand = 'run' | 'capacity' | 'blast' | 'report' | 'runs' | 'compare' | 'export' | 'history' | 'sweep' | 'finalize';

/** One option. */
export interface OptionSpec {
  /** camelCase key of `RunOptions` and of `sources`; the flag is `--<kebab-case>`. */
  readonly key: string;
  readonly type: 'string' | 'number' | 'boolean' | 'array';
  /** What the option does (env and default are appended to the help). */
  readonly help: string;
  /** Environment variable that sets it when no flag does. */
  readonly env?: string;
  /** How the environment variable is written, if not like the flag, e.g. `comma-separated`. */
  readonly envForm?: string;
  /** The default, in the flag's own grammar (parsed like the flag). */
  readonly default?: string | number;
  /** The default when it is not a value, e.g. `the scenario's`. */
  readonly shownDefault?: string;
  readonly choices?: readonly string[];
  /** Commands whose yargs options include it. */
  readonly commands: readonly OptionCommand[];
}

const RUNS: readonly OptionCommand[] = ['run', 'capacity'];
/** What every cell of a sweep shares with a run (the grid's own axes, rate scale and connections, are lists there). */
const CELLS: readonly OptionCommand[] = [...RUNS, 'sweep'];
const STORE: readonly OptionCommand[] = ['run', 'capacity', 'blast', 'report', 'runs', 'compare', 'export', 'history', 'sweep', 'finalize'];
/** `run` and `sweep` beyond one process: Kubernetes manifests. */
const EMIT: readonly OptionCommand[] = ['run', 'sweep'];

/** Every option, in help order. */
export const OPTIONS = [
  { key: 'clickhouse', type: 'string', env: 'CLICKHOUSE_URL', shownDefault: 'embedded chdb under --data-dir', commands: STORE, help: 'ClickHouse server URL (http://user:pass@host:8123) for results' },
  { key: 'dataDir', type: 'string', env: 'HOTBENCH_HOME', default: '.hotbench', commands: STORE, help: "hotbench's own data: the embedded ClickHouse store and the recorder spool" },
  { key: 'stack', type: 'string', env: 'HOTBENCH_STACK', shownDefault: 'none', commands: STORE, help: 'use the docker-compose.yml services (compose) for every part not given otherwise' },
  { key: 'scenario', type: 'string', env: 'HOTBENCH_SCENARIO', default: 'advertiser-burst', commands: [...CELLS, 'blast'], help: 'built-in scenario name or path to a scenario YAML file' },
  { key: 'strategies', type: 'string', env: 'HOTBENCH_STRATEGIES', shownDefault: 'every available one', commands: CELLS, help: 'comma-separated strategies with parameters, e.g. row-lock,atomic or aggregate:window=10ms,max=500' },
  { key: 'duration', type: 'string', env: 'HOTBENCH_DURATION', shownDefault: "the scenario's", commands: CELLS, help: "length of each strategy's replay, e.g. 10s, 2m: phases are scaled to fit" },
  { key: 'rateScale', type: 'number', env: 'HOTBENCH_RATE_SCALE', default: 1, commands: RUNS, help: 'multiply every arrival rate by this factor' },
  { key: 'seed', type: 'number', env: 'HOTBENCH_SEED', shownDefault: "the scenario's, else 1", commands: [...CELLS, 'blast'], help: 'seed of the op stream: same scenario + seed = same ops, byte for byte' },
  { key: 'pg', type: 'string', env: 'PG_URL', shownDefault: 'embedded PostgreSQL', commands: [...CELLS, 'finalize'], help: 'external PostgreSQL URL; each strategy gets a fresh database on it' },
  { key: 'pgReplica', type: 'string', env: 'PG_REPLICA_URL', shownDefault: 'started next to the embedded server', commands: RUNS, help: 'streaming replica of --pg for read-write-split' },
  { key: 'redis', type: 'string', env: 'REDIS_URL', shownDefault: 'redis://127.0.0.1:6379 if reachable', commands: CELLS, help: 'Redis URL for strategies that need it' },
  { key: 'kafka', type: 'string', env: 'KAFKA_BROKERS', shownDefault: 'none', commands: CELLS, help: 'Kafka brokers host:port[,host:port]' },
  { key: 'out', type: 'string', env: 'HOTBENCH_OUT', default: 'hotbench-results', commands: [...CELLS, 'blast', 'finalize'], help: 'report folder; each run writes <out>/<run-id>/report.{md,json,html}' },
  { key: 'concurrency', type: 'number', env: 'HOTBENCH_CONCURRENCY', default: 512, commands: CELLS, help: 'most ops in flight at once (the open-loop cap); later ops are sent late, never dropped' },
  { key: 'connections', type: 'number', env: 'HOTBENCH_CONNECTIONS', default: 16, commands: RUNS, help: 'PostgreSQL pool size per strategy' },
  { key: 'lateThreshold', type: 'string', env: 'HOTBENCH_LATE_THRESHOLD', default: '5ms', commands: CELLS, help: 'an op sent this long after its intended time counts as late' },
  { key: 'repeat', type: 'number', env: 'HOTBENCH_REPEAT', default: 1, commands: RUNS, help: 'replay each strategy N times in the run (for noise-aware comparison)' },
  {
    key: 'via',
    type: 'string',
    env: 'HOTBENCH_VIA',
    default: 'direct',
    choices: ['direct', 'http', 'http-inprocess'],
    commands: CELLS,
    help: 'how ops reach each strategy: direct calls, or HTTP to the strategy served by a `hotbench serve` child (http) or in this process (http-inprocess)',
  },
  { key: 'keepDatabases', type: 'boolean', env: 'HOTBENCH_KEEP_DATABASES', envForm: '1/true/yes', commands: [...CELLS, 'finalize'], help: "keep each strategy's database on an external server after the run (for inspection)" },
  {
    key: 'slo',
    type: 'string',
    env: 'HOTBENCH_SLO',
    commands: CELLS,
    help: "limits the verdict judges strategies by, over the scenario's slo block: 'p99_ack<50ms,p999_ack<200ms,posting_delay<1s,overdraft=0,stop_delivery<200ms,reject_share<5%' (inclusive; name=off drops one)",
  },
  {
    key: 'junit',
    type: 'string',
    commands: ['run', 'compare'],
    help: 'also write the result as JUnit XML to this file: a test case per check (run) or metric (compare); failures carry the measured value and the limit, undecided checks are skipped with the reason',
  },
  { key: 'fault', type: 'array', env: 'HOTBENCH_FAULTS', envForm: 'comma-separated', commands: RUNS, help: 'inject a fault into every replay at a schedule time, repeatable: redis:restart@8s, consumer:kill@5s' },
  // Load shards of one run: several processes, one PostgreSQL, one ClickHouse server (runner/shard/). Not the ledger's database sharding.
  { key: 'shard', type: 'string', env: 'HOTBENCH_SHARD', shownDefault: 'the whole stream', commands: ['run'], help: 'replay load shard i of n (accounts a with a mod n = i), e.g. 0/4; every shard of a run needs the same --run-id, --pg and --clickhouse, then `hotbench finalize <run-id>`' },
  { key: 'runId', type: 'string', env: 'HOTBENCH_RUN_ID', shownDefault: 'a new one', commands: ['run'], help: 'the run id to record under; the one id every load shard of a run shares' },
  { key: 'startAt', type: 'string', env: 'HOTBENCH_START_AT', shownDefault: 'the start barrier through PostgreSQL', commands: ['run'], help: 'with --shard: start the schedule at this time (ISO 8601 with zone, e.g. 2026-12-07T18:30:00Z)' },
  { key: 'barrierTimeout', type: 'string', env: 'HOTBENCH_BARRIER_TIMEOUT', default: '2m', commands: ['run'], help: 'with --shard: how long a shard waits at the start barrier for the others' },
  { key: 'loadShards', type: 'number', default: 1, commands: ['run'], help: 'with --emit k8s: how many load shards (pods) the run is split into' },
  { key: 'emit', type: 'array', commands: EMIT, help: 'write Kubernetes manifests into DIR instead of running: --emit k8s DIR (an Indexed Job, the scenario ConfigMap; URLs come from a Secret)' },
  { key: 'image', type: 'string', commands: EMIT, help: 'with --emit: the container image with hotbench installed' },
  { key: 'parallelism', type: 'number', shownDefault: 'all pods at once', commands: EMIT, help: 'with --emit: most pods at a time' },
  { key: 'namespace', type: 'string', shownDefault: "kubectl's current one", commands: EMIT, help: 'with --emit: Kubernetes namespace' },
  { key: 'secret', type: 'string', default: 'hotbench-services', commands: EMIT, help: 'with --emit: the Secret holding PG_URL, CLICKHOUSE_URL (and REDIS_URL)' },
  // A sweep's grid and how its cells run (runner/sweep/).
  { key: 'param', type: 'array', commands: ['sweep'], help: 'one parameter axis of the grid, repeatable: aggregate:window=1ms,5ms,20ms' },
  { key: 'workers', type: 'number', default: 1, commands: ['sweep'], help: 'cells run in this many local processes at a time' },
  { key: 'cell', type: 'number', env: 'HOTBENCH_CELL', commands: ['sweep'], help: 'run only cell i of the grid (what each worker process and each pod runs)' },
  { key: 'sweepId', type: 'string', env: 'HOTBENCH_SWEEP_ID', shownDefault: 'a new one', commands: ['sweep'], help: 'the sweep the cells belong to' },
  { key: 'wait', type: 'string', default: '10m', commands: ['finalize'], help: 'wait this long for load shards still running; 0s looks once' },
] as const satisfies readonly OptionSpec[];

/** An option's key. */
export type OptionKey = (typeof OPTIONS)[number]['key'];

type ValueOf<T extends OptionSpec['type']> = T extends 'number' ? number | string : T extends 'boolean' ? boolean : T extends 'array' ? string | readonly string[] : string;

/** What a user may set, from flags or the environment: every field optional; strings as typed (derived from {@link OPTIONS}). */
export type RunOptions = { readonly [O in (typeof OPTIONS)[number] as O['key']]?: ValueOf<O['type']> };

const BY_KEY: ReadonlyMap<string, OptionSpec> = new Map(OPTIONS.map((o) => [o.key, o]));

/** The option `key`. */
export function optionSpec(key: OptionKey): OptionSpec {
  return BY_KEY.get(key)!;
}

/** `--rate-scale` for `rateScale`. */
export function flagOf(key: OptionKey): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
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

/** The help line: what it does, then `[env X; default Y]`. */
export function helpOf(spec: OptionSpec): string {
  const tail: string[] = [];
  if (spec.env) tail.push(`env ${spec.env}${spec.envForm ? `, ${spec.envForm}` : ''}`);
  if (spec.default !== undefined) tail.push(`default ${spec.default}`);
  else if (spec.shownDefault !== undefined) tail.push(`default: ${spec.shownDefault}`);
  return tail.length > 0 ? `${spec.help} [${tail.join('; ')}]` : spec.help;
}

/**
 * Adds the table's options of `command` to `y`. No yargs defaults, on
 * purpose: an absent flag stays `undefined` so the environment and the
 * scenario can supply the value. `except` leaves out options the command
 * declares itself with another meaning.
 */
export function optionsFor<T>(y: Argv<T>, command: OptionCommand, except: readonly OptionKey[] = []): Argv<T> {
  let out = y;
  for (const spec of OPTIONS as readonly OptionSpec[]) {
    if (!spec.commands.includes(command) || (except as readonly string[]).includes(spec.key)) continue;
    const opt: Options = { type: spec.type === 'array' ? 'string' : spec.type, describe: helpOf(spec) };
    if (spec.type === 'array') opt.array = true;
    if ('choices' in spec && spec.choices) opt.choices = [...spec.choices];
    out = out.option(flagOf(spec.key as OptionKey).slice(2), opt) as Argv<T>;
  }
  return out;
}

/** The table's options of `command` present in parsed `argv` (yargs camel-cases flags), only those given. */
export function optionsOf(argv: Readonly<Record<string, unknown>>, command: OptionCommand): RunOptions {
  const out: Record<string, unknown> = {};
  for (const { key, commands } of OPTIONS as readonly OptionSpec[]) if ((commands as readonly string[]).includes(command) && argv[key] !== undefined) out[key] = argv[key];
  return out as RunOptions;
}
