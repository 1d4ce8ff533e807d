/**
 * Run options vs the resolved run configuration (STYLE.md §7).
 *
 * Precedence, lowest to highest, documented once here and in docs/running.md:
 *   defaults < scenario file < --stack preset < environment < command-line flags.
 * Every option (flag, env, default, parser, help, commands, recorded name) is
 * declared once in the option table, ./options.ts, and read the same way by
 * ./resolve-options.ts; this module adds what no single option decides: the
 * scenario loaded and compiled into a plan (seed, duration and rate scale),
 * the verdict's limits (the scenario's slo block under `--slo`), and the
 * recorded config's facts that are not options (scenario name and file,
 * strategy labels, sources).
 * Connection settings never come from a scenario file.
 */
import { compilePlan, loadScenario, type LoadedScenario, type Plan } from '../../scenarios/index.js';
import { mergeSlo, type Slo, type SloKey } from '../../reports/common/slo.js';
import { STACKS } from '../stack/compose.js';
import { ledgerShardCount } from './pg-shards.js';
import { OPTIONS, optionSpec, type OptionCommand, type ResolvedOptions, type RunOptions } from './options.js';
import { readOption, recordedOptions, resolveOptions, type OptionLayers, type Source } from './resolve-options.js';

/** What a user may set: derived from the option table (./options.ts), the one place an option is declared. */
export type { RunOptions } from './options.js';
export type { Source } from './resolve-options.js';

/** Environment variables, by option (derived from the option table; docs/cli.md, generated from the table, lists the same). */
export const ENVIRONMENT: Readonly<Partial<Record<keyof RunOptions, string>>> = Object.fromEntries(OPTIONS.filter((o) => 'env' in o).map((o) => [o.key, (o as { env: string }).env]));

/**
 * The configuration a run uses, every value decided: each option of the
 * table under its field (e.g. `pgUrl`, `lateThresholdUs`; URLs contain the
 * password: never print them unmasked), plus what the scenario decides.
 */
export type ResolvedRunConfig = Omit<ResolvedOptions, 'seed' | 'durationUs' | 'slo'> & {
  readonly loaded: LoadedScenario;
  readonly plan: Plan;
  /** The plan's seed: the flag's, the environment's or the scenario's, else 1. */
  readonly seed: number;
  /** Schedule length of one replay, µs (the plan's). */
  readonly durationUs: number;
  /** The verdict's limits: the scenario's `slo` block with `--slo` on top (recorded with the run). */
  readonly slo: Slo;
  /** Where each of the command's options came from (by option key), for `--dry-run --json` and the recorded config. */
  readonly sources: Readonly<Record<string, Source>>;
};

/** Resolves flags + environment + stack preset + scenario + defaults of `command` into a {@link ResolvedRunConfig}. */
export async function resolveRunConfig(flags: RunOptions, env: NodeJS.ProcessEnv = process.env, command: OptionCommand = 'run'): Promise<ResolvedRunConfig> {
  const base: OptionLayers = { flags, env, command };
  const stack = readOption(optionSpec('stack'), base).value as string | undefined;
  const loaded = await loadScenario(readOption(optionSpec('scenario'), base).value as string);
  const { values, sources } = resolveOptions({ ...base, scenario: loaded.scenario as unknown as Record<string, unknown>, ...(stack !== undefined ? { stack: STACKS[stack]! } : {}) });
  const options = values as unknown as ResolvedOptions;

  if (options.durationUs === undefined) sources['duration'] = 'scenario';
  const plan = compilePlan(loaded, {
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.durationUs !== undefined ? { durationUs: options.durationUs } : {}),
    rateScale: options.rateScale,
  });
  return { ...options, loaded, plan, seed: plan.seed, durationUs: plan.durationUs, slo: resolveSlo(plan.slo, options.slo, sources), sources };
}

/** The scenario's SLO (catalog names and units) with the `--slo` / HOTBENCH_SLO limits on top; the source is the scenario's when only it sets limits. */
function resolveSlo(scenario: Plan['slo'], given: { readonly slo: Slo; readonly off: readonly SloKey[] } | undefined, sources: Record<string, Source>): Slo {
  if (given === undefined && Object.keys(scenario).length > 0) sources['slo'] = 'scenario';
  return mergeSlo(scenario, given ?? { slo: {}, off: [] });
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

/**
 * The configuration as recorded with the run: the facts that are not options
 * (scenario, its file, the strategies' labels when the command has any),
 * every recorded option of `command` from the option table (passwords
 * masked), and the sources.
 */
export function recordedConfig(config: ResolvedRunConfig, strategyLabels: readonly string[] | undefined, command: OptionCommand = 'run'): Record<string, unknown> {
  return {
    scenario: config.plan.name,
    scenario_file: config.loaded.file,
    ...(strategyLabels !== undefined ? { strategies: strategyLabels } : {}),
    ...recordedOptions(config as unknown as Record<string, unknown>, command),
    // How many PostgreSQL servers sharded(...) strategies spread their ledger over (the --pg URLs, else --pg-shards).
    ledger_shards: ledgerShardCount(config),
    sources: config.sources,
  };
}
