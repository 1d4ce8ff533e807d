/**
 * Run options vs the resolved run configuration (STYLE.md §7).
 *
 * Precedence, lowest to highest, documented once here and in the README:
 *   defaults < scenario file < environment < command-line flags.
 * Every option (flag, env, default, help, commands) is declared once in the
 * option table, ./options.ts; this module resolves the values.
 * A stack preset (`--stack compose`, runner/stack/compose.ts) sits between
 * the scenario and the environment: it fills the connection settings that no
 * flag or variable gives.
 * The scenario file can set the seed and the schedule (hence the duration);
 * connection settings never come from a scenario file.
 */
import { resolve } from 'node:path';
import { compilePlan, loadScenario, type LoadedScenario, type Plan } from '../../scenarios/index.js';
import { UserError } from '../errors.js';
import { parseVia, type Via } from '../http/via-mode.js';
import { stackPreset } from '../stack/compose.js';
import { parseFaults, type FaultSpec } from '../faults/spec.js';
import { SloError, mergeSlo, parseSloText, type Slo } from '../../reports/common/slo.js';
import { redactUrl } from './redact.js';
import { checkServiceUrl } from './url-check.js';
import { parseDurationUs, parsePositive, parseSeed } from './units.js';
import { defaultOf, envName, envValue, flagOf, OPTIONS, type RunOptions } from './options.js';

/** What a user may set: derived from the option table (./options.ts), the one place an option is declared. */
export type { RunOptions } from './options.js';

/** Environment variables, by option (derived from the option table; the README's table lists the same). */
export const ENVIRONMENT: Readonly<Partial<Record<keyof RunOptions, string>>> = Object.fromEntries(OPTIONS.filter((o) => 'env' in o).map((o) => [o.key, (o as { env: string }).env]));

/** Where a resolved value came from. */
export type Source = 'default' | 'scenario' | 'stack' | 'environment' | 'flag';

/** Defaults, the lowest layer (from the option table; `lateThresholdUs` is its `--late-threshold` default parsed). */
export const DEFAULTS = {
  scenario: defaultOf('scenario'),
  rateScale: defaultOf('rateScale'),
  out: defaultOf('out'),
  dataDir: defaultOf('dataDir'),
  concurrency: defaultOf('concurrency'),
  connections: defaultOf('connections'),
  lateThresholdUs: parseDurationUs(defaultOf('lateThreshold'), '--late-threshold'),
  repeat: defaultOf('repeat'),
} as const;

/** The configuration a run uses, every value decided. */
export interface ResolvedRunConfig {
  readonly loaded: LoadedScenario;
  readonly plan: Plan;
  /** The `--strategies` text, or undefined for "every available strategy". */
  readonly strategies: string | undefined;
  readonly seed: number;
  /** Schedule length of one replay, µs. */
  readonly durationUs: number;
  readonly rateScale: number;
  /** External PostgreSQL URL; undefined ⇒ embedded. Contains the password: never print. */
  readonly pgUrl: string | undefined;
  /** External replica URL for read-write-split; undefined ⇒ started next to the embedded server, or unavailable. */
  readonly pgReplicaUrl: string | undefined;
  /** ClickHouse server URL; undefined ⇒ embedded chdb under `dataDir`. */
  readonly clickhouseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  /** Kafka brokers `host:port`; empty ⇒ no Kafka. */
  readonly kafkaBrokers: readonly string[];
  /** Reports go to `<out>/<run-id>/`. */
  readonly out: string;
  /** hotbench's own data (the chdb store, the spool). */
  readonly dataDir: string;
  /** Max ops in flight (the driver's cap). */
  readonly concurrency: number;
  /** Default PostgreSQL pool size per strategy. */
  readonly connections: number;
  readonly lateThresholdUs: number;
  readonly repeat: number;
  readonly keepDatabases: boolean;
  /** How the driver reaches each strategy (`--via`). */
  readonly via: Via;
  /** The stack preset in use (`--stack`), if any. */
  readonly stack: string | undefined;
  /** Faults injected into every replay, sorted by schedule time (see `faults/spec.ts`). */
  readonly faults: readonly FaultSpec[];
  /** The verdict's limits: the scenario's `slo` block with `--slo` on top (recorded with the run). */
  readonly slo: Slo;
  /** Where each value came from, for `--dry-run` and the recorded config. */
  readonly sources: Readonly<Record<string, Source>>;
}

/** Picks the highest-precedence value among flag, environment, scenario and default. */
function pick<T>(key: string, sources: Record<string, Source>, layers: { flag?: T | undefined; env?: T | undefined; scenario?: T | undefined; fallback?: T }): T | undefined {
  if (layers.flag !== undefined) return (sources[key] = 'flag'), layers.flag;
  if (layers.env !== undefined) return (sources[key] = 'environment'), layers.env;
  if (layers.scenario !== undefined) return (sources[key] = 'scenario'), layers.scenario;
  if (layers.fallback !== undefined) sources[key] = 'default';
  return layers.fallback;
}

/** How the user gave `key`, for messages: the environment variable if it came from there, else the flag. */
function where(key: keyof RunOptions, sources: Record<string, Source>): string {
  return sources[key] === 'environment' ? (envName(key) ?? flagOf(key)) : flagOf(key);
}

/** Resolves flags + environment + scenario + defaults into a {@link ResolvedRunConfig}. */
export async function resolveRunConfig(flags: RunOptions, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedRunConfig> {
  const sources: Record<string, Source> = {};
  const get = (key: Exclude<keyof RunOptions, 'fault' | 'emit' | 'param'>): string | number | boolean | undefined => pick<string | number | boolean>(key, sources, { flag: flags[key], env: envValue(env, key) });

  const scenarioRef = pick('scenario', sources, { flag: flags.scenario, env: envValue(env, 'scenario'), fallback: DEFAULTS.scenario })!;
  const loaded = await loadScenario(scenarioRef);

  const seedRaw = pick<number | string>('seed', sources, { flag: flags.seed, env: envValue(env, 'seed'), scenario: loaded.scenario.seed });
  const seed = seedRaw === undefined ? undefined : parseSeed(seedRaw, where('seed', sources));
  const durationRaw = get('duration');
  const durationUs = durationRaw === undefined ? undefined : parseDurationUs(String(durationRaw), where('duration', sources));
  const rateScale = parsePositive(pick('rateScale', sources, { flag: flags.rateScale, env: envValue(env, 'rateScale'), fallback: DEFAULTS.rateScale }), where('rateScale', sources), { max: 10_000 });
  if (durationUs === undefined) sources['duration'] = 'scenario';

  const plan = compilePlan(loaded, { ...(seed !== undefined ? { seed } : {}), ...(durationUs !== undefined ? { durationUs } : {}), rateScale });

  const int = (key: keyof RunOptions, fallback: number, max: number): number =>
    parsePositive(pick(key, sources, { flag: flags[key] as number | string | undefined, env: envValue(env, key), fallback }), where(key, sources), { integer: true, max });

  const lateRaw = get('lateThreshold');
  const stack = stackPreset(get('stack'), where('stack', sources));
  const part = (key: 'pg' | 'pgReplica' | 'clickhouse' | 'redis' | 'kafka'): string | undefined => {
    const given = nonEmpty(get(key));
    if (given !== undefined && key !== 'kafka') checkServiceUrl(key, given, where(key, sources)); // shape only: --dry-run contacts no server
    if (given !== undefined || stack === undefined) return given;
    sources[key] = 'stack';
    return stack.preset[key];
  };
  const kafka = part('kafka');
  const keepEnv = envValue(env, 'keepDatabases');
  return {
    loaded,
    plan,
    strategies: nonEmpty(get('strategies')),
    seed: plan.seed,
    durationUs: plan.durationUs,
    rateScale,
    pgUrl: part('pg'),
    pgReplicaUrl: part('pgReplica'),
    clickhouseUrl: part('clickhouse'),
    redisUrl: part('redis'),
    kafkaBrokers: kafka === undefined ? [] : parseBrokers(String(kafka), where('kafka', sources)),
    out: resolve(folder('out', pick('out', sources, { flag: flags.out, env: envValue(env, 'out'), fallback: DEFAULTS.out }), sources)),
    dataDir: resolve(folder('dataDir', pick('dataDir', sources, { flag: flags.dataDir, env: envValue(env, 'dataDir'), fallback: DEFAULTS.dataDir }), sources)),
    concurrency: int('concurrency', DEFAULTS.concurrency, 100_000),
    connections: int('connections', DEFAULTS.connections, 1_000),
    lateThresholdUs: lateRaw === undefined ? ((sources['lateThreshold'] = 'default'), DEFAULTS.lateThresholdUs) : parseDurationUs(String(lateRaw), where('lateThreshold', sources)),
    repeat: int('repeat', DEFAULTS.repeat, 1_000),
    keepDatabases: flags.keepDatabases ?? (keepEnv === undefined ? false : /^(1|true|yes)$/i.test(keepEnv)),
    via: parseVia(get('via'), where('via', sources)),
    stack: stack?.name,
    faults: parseFaults(pick<string | readonly string[]>('fault', sources, { flag: flags.fault, env: envValue(env, 'fault') }), where('fault', sources)),
    slo: resolveSlo(plan.slo, pick('slo', sources, { flag: nonEmpty(flags.slo), env: envValue(env, 'slo') }), sources),
    sources,
  };
}

/** The scenario's SLO (µs, minor units) with the `--slo` / HOTBENCH_SLO limits on top; records the source as `slo`. */
function resolveSlo(scenario: Plan['slo'], text: string | undefined, sources: Record<string, Source>): Slo {
  const base: Record<string, number | undefined> = {
    p99_ack_us: scenario.p99AckUs,
    p999_ack_us: scenario.p999AckUs,
    max_posting_delay_us: scenario.maxPostingDelayUs,
    max_overdraft: scenario.maxOverdraft,
    max_stop_delivery_us: scenario.maxStopDeliveryUs,
    max_reject_share: scenario.maxRejectShare,
  };
  for (const key of Object.keys(base)) if (base[key] === undefined) delete base[key];
  if (text === undefined) {
    if (Object.keys(base).length > 0) sources['slo'] = 'scenario';
    return mergeSlo(base as Slo, { slo: {}, off: [] });
  }
  try {
    return mergeSlo(base as Slo, parseSloText(text, where('slo', sources)));
  } catch (err) {
    if (err instanceof SloError) throw new UserError(err.message);
    throw err;
  }
}

/** A folder flag's value; an empty one is refused (resolve('') would silently mean the working directory). */
function folder(key: 'out' | 'dataDir', value: unknown, sources: Record<string, Source>): string {
  const text = String(value ?? '');
  if (text.trim() === '') throw new UserError(`${where(key, sources)}: empty; give a folder, or omit it for the default (${DEFAULTS[key]}).`);
  return text;
}

function nonEmpty(v: unknown): string | undefined {
  return v === undefined || String(v).trim() === '' ? undefined : String(v).trim();
}

function parseBrokers(text: string, from: string): string[] {
  const brokers = text.split(',').map((b) => b.trim()).filter((b) => b !== '');
  for (const b of brokers) {
    if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(b)) throw new UserError(`${from}: ${JSON.stringify(b)} is not host:port; give e.g. localhost:9092 (comma-separated for several).`);
  }
  return brokers;
}

/**
 * Replay time a run with no `--duration` aims for, µs: with setup, drain and
 * audit on top, a default `hotbench run` of every strategy ends in about
 * three minutes on a 2-core machine.
 */
export const DEFAULT_RUN_BUDGET_US = 120_000_000;
/** Shortest replay the fit chooses, µs: shorter ones say little. */
export const MIN_FITTED_DURATION_US = 8_000_000;

/**
 * When the duration came from the scenario (no flag, no environment), shortens
 * each replay so that `replays` of them fit {@link DEFAULT_RUN_BUDGET_US}. The
 * plan is recompiled, so the scenario's story (bursts, budgets running out)
 * scales with it. Returns `config` unchanged otherwise.
 */
export function fitToRunBudget(config: ResolvedRunConfig, replays: number): ResolvedRunConfig {
  if (config.sources['duration'] !== 'scenario' || replays <= 0) return config;
  const fitted = Math.max(MIN_FITTED_DURATION_US, Math.floor(DEFAULT_RUN_BUDGET_US / replays / 1_000_000) * 1_000_000);
  if (fitted >= config.durationUs) return config;
  const plan = compilePlan(config.loaded, { seed: config.seed, durationUs: fitted, rateScale: config.rateScale });
  return { ...config, plan, durationUs: plan.durationUs, sources: { ...config.sources, duration: 'default' } };
}

/** The configuration as recorded with the run: everything resolved, passwords masked. */
export function recordedConfig(config: ResolvedRunConfig, strategyLabels: readonly string[]): Record<string, unknown> {
  return {
    scenario: config.plan.name,
    scenario_file: config.loaded.file,
    strategies: strategyLabels,
    seed: config.seed,
    duration_us: config.durationUs,
    rate_scale: config.rateScale,
    pg: config.pgUrl === undefined ? 'embedded' : redactUrl(config.pgUrl),
    pg_replica: config.pgReplicaUrl === undefined ? null : redactUrl(config.pgReplicaUrl),
    clickhouse: config.clickhouseUrl === undefined ? 'chdb' : redactUrl(config.clickhouseUrl),
    redis: config.redisUrl === undefined ? null : redactUrl(config.redisUrl),
    kafka: config.kafkaBrokers,
    concurrency: config.concurrency,
    connections: config.connections,
    late_threshold_us: config.lateThresholdUs,
    repeat: config.repeat,
    via: config.via,
    stack: config.stack ?? null,
    faults: config.faults.map((f) => f.text),
    slo: config.slo,
    sources: config.sources,
  };
}
