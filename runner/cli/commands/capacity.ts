/**
 * `hotbench capacity`: per strategy, the highest offered rate on the hot
 * account sustained within an SLO, found by stepping the load up and
 * bisecting (see runner/api/capacity.ts), with the rate → latency curve and what
 * broke first. `--report <run-id>` re-renders a recorded capacity run.
 */
import { join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { capacitySlo, DEFAULT_SLO, defaultLimits, loadCapacityReport, renderCapacityJson, renderCapacityTerminal, writeCapacityReports } from '../../../reports/capacity/index.js';
import { checkRunId } from '../../../reports/run/queries.js';
import { openStore } from '../../../results/open-store.js';
import { builtinRegistry } from '../../../strategies/registry.js';
import { baseRateOf, CAPACITY_DEFAULTS, capacityScenarioPath, runCapacity, stepDurationUs, type CapacitySearch } from '../../api/capacity.js';
import { resolveRunConfig } from '../../config/run-config.js';
import { defaultOf, envValue, type RunOptions } from '../../config/options.js';
import { UserError } from '../../errors.js';
import { installSignalHandlers, interrupted } from '../../stack/lifecycle.js';
import { planStrategies } from '../../replay/plan.js';
import { parseDurationUs, parsePositive } from '../../config/units.js';
import { storeLocation } from '../flags.js';
import { print, say } from '../output.js';
import { progressModeOf, runFlags, runOptionsOf } from './run.js';

type CapacityArgs = RunOptions & CapacityOwnArgs;

interface CapacityOwnArgs {
  start?: string;
  max?: string;
  stepDuration?: string;
  factor?: number;
  bisect?: number;
  maxStepOps?: number;
  report?: string;
  // run's own flags; the option table's come with RunOptions
  dryRun?: boolean;
  json?: boolean;
  progress?: string;
  [key: string]: unknown;
}

/** `800`, `800/s`, `1.5k/s` → ops/s. */
export function parseRate(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(k?)\s*(?:\/s)?\s*$/i.exec(text);
  const rate = m ? Number(m[1]) * (m[2] ? 1000 : 1) : Number.NaN;
  if (!(rate >= 1 && rate <= 10_000_000)) throw new UserError(`${flag}: ${JSON.stringify(text)} is not a rate; write ops per second from 1 to 10,000,000, e.g. 100/s or 2k/s`);
  return Math.round(rate);
}

/** The `capacity` command (exit 0 complete, 1 failed, 130 interrupted, 2 bad input). */
export const capacityCommand: CommandModule<object, CapacityArgs> = {
  command: 'capacity',
  describe:
    'find, per strategy, the highest rate the hot account sustains within an SLO (steps the load up, then bisects), with the curve and what broke first. Defaults: --scenario runner/api/capacity-hot-account.yaml, --strategies row-lock,aggregate, --concurrency 2048',
  builder: (y) =>
    runFlags(y, 'capacity')
      .option('start', { type: 'string', describe: `first offered rate, ops/s (e.g. 100/s) [default ${CAPACITY_DEFAULTS.startPerS}/s]` })
      .option('max', { type: 'string', describe: `highest rate tried [default ${CAPACITY_DEFAULTS.maxPerS}/s]` })
      .option('step-duration', { type: 'string', describe: `length of each step (shortened at high rates, see --max-step-ops) [default ${CAPACITY_DEFAULTS.stepDurationUs / 1e6}s]` })
      .option('factor', { type: 'number', describe: `rate multiplier between steps until the first failure [default ${CAPACITY_DEFAULTS.factor}]` })
      .option('bisect', { type: 'number', describe: `bisection steps between the last pass and the first failure [default ${CAPACITY_DEFAULTS.bisect}]` })
      .option('max-step-ops', { type: 'number', describe: `most ops one step plans; faster steps are shorter (never under 1 s) [default ${CAPACITY_DEFAULTS.maxStepOps}]` })
      .option('report', { type: 'string', describe: 're-render the capacity report of this recorded run id instead of running' }) as unknown as Argv<CapacityArgs>,
  handler: async (argv) => {
    if (argv.report !== undefined) return rerender(argv);
    for (const [flag, value] of [['--duration', argv.duration], ['--rate-scale', argv.rateScale], ['--repeat', argv.repeat]] as const) {
      if (value !== undefined) throw new UserError(`${flag} does not apply to capacity: it sets each step's rate and length itself; use --start, --max, --factor and --step-duration`);
    }
    const options = runOptionsOf(argv);
    const env = (key: 'scenario' | 'strategies' | 'concurrency') => envValue(process.env, key);
    const resolved = await resolveRunConfig({
      ...options,
      scenario: options.scenario ?? env('scenario') ?? capacityScenarioPath(),
      strategies: options.strategies ?? env('strategies') ?? CAPACITY_DEFAULTS.strategies,
      concurrency: options.concurrency ?? env('concurrency') ?? CAPACITY_DEFAULTS.concurrency,
    });
    // --slo is run's flag (same language, resolved over the scenario's slo block); capacity adds its sustained conditions.
    const search = searchOf(argv, Object.keys(resolved.slo).length > 0 ? resolved.slo : defaultLimits());
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

function searchOf(argv: CapacityArgs, limits: CapacitySearch['limits']): CapacitySearch {
  const startPerS = argv.start !== undefined ? parseRate(argv.start, '--start') : CAPACITY_DEFAULTS.startPerS;
  const maxPerS = argv.max !== undefined ? parseRate(argv.max, '--max') : CAPACITY_DEFAULTS.maxPerS;
  if (maxPerS < startPerS) throw new UserError(`--max ${maxPerS}/s is below --start ${startPerS}/s; give a --max above the start`);
  const factor = argv.factor !== undefined ? parsePositive(argv.factor, '--factor', { max: 100 }) : CAPACITY_DEFAULTS.factor;
  if (factor <= 1.05) throw new UserError(`--factor ${factor}: must be above 1.05 (e.g. 2 doubles the rate each step)`);
  const bisect = argv.bisect !== undefined ? (argv.bisect === 0 ? 0 : parsePositive(argv.bisect, '--bisect', { integer: true, max: 20 })) : CAPACITY_DEFAULTS.bisect;
  return {
    limits,
    startPerS,
    maxPerS,
    factor,
    stepDurationUs: argv.stepDuration !== undefined ? parseDurationUs(argv.stepDuration, '--step-duration') : CAPACITY_DEFAULTS.stepDurationUs,
    maxStepOps: argv.maxStepOps !== undefined ? parsePositive(argv.maxStepOps, '--max-step-ops', { integer: true, max: 10_000_000 }) : CAPACITY_DEFAULTS.maxStepOps,
    bisect,
  };
}

/** The ladder the search would climb, without touching any server. */
function dryRun(config: Awaited<ReturnType<typeof resolveRunConfig>>, search: CapacitySearch, labels: string[]): string {
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
    const files = await writeCapacityReports(report, join(resolve(argv.out ?? envValue(process.env, 'out') ?? defaultOf('out')), runId));
    print(argv.json ? renderCapacityJson(report) : renderCapacityTerminal(report));
    say(`reports: ${files.md}\n         ${files.json}\n         ${files.html}`);
  } finally {
    await store.close();
  }
}
