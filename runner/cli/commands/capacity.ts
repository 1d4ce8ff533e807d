/**
 * `hotbench capacity`: per strategy, the highest offered rate on the hot
 * account sustained within an SLO, found by stepping the load up and
 * bisecting (see runner/api/capacity.ts), with the rate → latency curve and what
 * broke first. `--report <run-id>` re-renders a recorded capacity run.
 */
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { capacitySlo, DEFAULT_SLO, defaultLimits, loadCapacityReport, renderCapacityJson, renderCapacityTerminal, writeCapacityReports } from '../../../reports/capacity/index.js';
import { checkRunId } from '../../../reports/run/queries.js';
import { openStore } from '../../../results/open-store.js';
import { builtinRegistry } from '../../../strategies/registry.js';
import { baseRateOf, runCapacity, stepDurationUs, type CapacitySearch } from '../../api/capacity.js';
import { resolveRunConfig, type ResolvedRunConfig } from '../../config/run-config.js';
import { optionSpec, optionsOf, type RunOptions } from '../../config/options.js';
import { readOption } from '../../config/resolve-options.js';
import { UserError } from '../../errors.js';
import { installSignalHandlers, interrupted } from '../../stack/lifecycle.js';
import { planStrategies } from '../../replay/plan.js';
import { storeLocation } from '../flags.js';
import { print, say } from '../output.js';
import { progressModeOf, runFlags } from './run.js';

/** capacity's parsed flags: the option table's (its search settings among them) plus the command's own modes. */
type CapacityArgs = RunOptions & {
  report?: string;
  dryRun?: boolean;
  json?: boolean;
  progress?: string;
  [key: string]: unknown;
};

/** The `capacity` command (exit 0 complete, 1 failed, 130 interrupted, 2 bad input). */
export const capacityCommand: CommandModule<object, CapacityArgs> = {
  command: 'capacity',
  describe:
    'find, per strategy, the highest rate the hot account sustains within an SLO (steps the load up, then bisects), with the curve and what broke first',
  builder: (y) =>
    runFlags(y, 'capacity')
      .option('report', { type: 'string', describe: 're-render the capacity report of this recorded run id instead of running' }) as unknown as Argv<CapacityArgs>,
  handler: async (argv) => {
    if (argv.report !== undefined) return rerender(argv);
    for (const [flag, value] of [['--duration', argv.duration], ['--rate-scale', argv.rateScale], ['--repeat', argv.repeat]] as const) {
      if (value !== undefined) throw new UserError(`${flag} does not apply to capacity: it sets each step's rate and length itself; use --start, --max, --factor and --step-duration`);
    }
    const resolved = await resolveRunConfig(optionsOf(argv, 'capacity'), process.env, 'capacity');
    // --slo is run's flag (same language, resolved over the scenario's slo block); capacity adds its sustained conditions.
    const search = searchOf(resolved, Object.keys(resolved.slo).length > 0 ? resolved.slo : defaultLimits());
    const registry = builtinRegistry();
    const strategies = planStrategies(resolved.strategies, registry);
    if (argv.dryRun) return print(dryRun(resolved, search, strategies.map((s) => s.label)));
    installSignalHandlers((signal) => say(`\n${signal}: stopping: finishing the current step, recording what was measured (press Ctrl-C again to quit at once)`));
    const result = await runCapacity(resolved, search, { registry, log: say, progress: progressModeOf(argv.progress, argv.json === true), abort: interrupted, command: 'hotbench capacity' });
    if (result.report) print(argv.json ? renderCapacityJson(result.report) : renderCapacityTerminal(result.report));
    if (result.files) say(`reports: ${result.files.capacity.md}\n         ${result.files.capacity.json}\n         ${result.files.capacity.html}\n         ${result.files.run.md} (every step as a replay)`);
    say(`capacity run ${result.runId}: ${result.status}; results in ${result.store}`);
    if (result.status === 'incomplete') process.exitCode = 130;
    else if (result.status === 'failed') process.exitCode = 1;
  },
};

/** The search the resolved settings describe; the one rule across two options (max ≥ start) is checked here. */
function searchOf(config: ResolvedRunConfig, limits: CapacitySearch['limits']): CapacitySearch {
  const { startPerS, maxPerS, factor, stepDurationUs, minStepOps, maxStepOps, bisect } = config;
  if (maxPerS < startPerS) throw new UserError(`--max ${maxPerS}/s is below --start ${startPerS}/s; give a --max above the start`);
  if (minStepOps > maxStepOps) throw new UserError(`--min-step-ops ${minStepOps} is above --max-step-ops ${maxStepOps}; give a minimum at or below the maximum`);
  return { limits, startPerS, maxPerS, factor, stepDurationUs, minStepOps, maxStepOps, bisect };
}

/** The ladder the search would climb, without touching any server. */
function dryRun(config: ResolvedRunConfig, search: CapacitySearch, labels: string[]): string {
  const lines = [
    `capacity: scenario ${config.plan.name} (${config.loaded.file}); base rate ${baseRateOf(config, search.stepDurationUs).toFixed(1)} ops/s at rate-scale 1`,
    `strategies: ${labels.join(', ')}`,
    `SLO: ${capacitySlo(search.limits).text} (--slo, else the scenario's slo, else ${DEFAULT_SLO}; kept_up>=95%, rejects<=1% and lost<=0 are capacity's own)`,
    'ascending steps (each strategy climbs until its first failure, then bisects up to ' + `${search.bisect} times):`,
  ];
  for (let rate = search.startPerS; ; rate = Math.min(search.maxPerS, Math.round(rate * search.factor))) {
    const us = stepDurationUs(search, rate);
    lines.push(`  ${String(rate).padStart(8)}/s  ${(us / 1e6).toFixed(1)} s  ${Math.round((rate * us) / 1e6)} ops`);
    if (rate >= search.maxPerS) break;
  }
  lines.push('(dry run: no server was contacted)');
  return lines.join('\n');
}

async function rerender(argv: CapacityArgs): Promise<void> {
  const runId = String(argv.report);
  try {
    checkRunId(runId);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  const store = await openStore(storeLocation(argv as { clickhouse?: string; dataDir?: string }));
  try {
    await store.migrate();
    const report = await loadCapacityReport(store, runId);
    const files = await writeCapacityReports(report, join(readOption(optionSpec('out'), { flags: argv, env: process.env, command: 'capacity' }).value as string, runId));
    print(argv.json ? renderCapacityJson(report) : renderCapacityTerminal(report));
    say(`reports: ${files.md}\n         ${files.json}\n         ${files.html}`);
  } finally {
    await store.close();
  }
}
