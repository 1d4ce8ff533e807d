/**
 * `hotbench run`: replay a scenario against strategies, record, report.
 */
import type { Argv, CommandModule } from 'yargs';
import { formatPlanSummary, summarizePlan } from '../../../scenarios/index.js';
import { builtinRegistry } from '../../../strategies/registry.js';
import { fitToRunBudget, resolveRunConfig } from '../../config/run-config.js';
import { optionsFor, optionsOf, type OptionCommand, type RunOptions } from '../../config/options.js';
import { autoProgressMode, type ProgressMode } from '../../driver/progress.js';
import { runBenchmark } from '../../api/run.js';
import { installSignalHandlers, interrupted } from '../../stack/lifecycle.js';
import { planStrategies } from '../../replay/plan.js';
import { renderRunJUnit } from '../../../reports/ci/junit-run.js';
import { renderVerdictMarkdown } from '../../../reports/ci/verdict-markdown.js';
import { toStepSummary, writeJUnitFile } from '../ci-outputs.js';
import { jsonFlag } from '../flags.js';
import { showRecordedRun } from '../run-result.js';
import { print, printJson, say } from '../output.js';
import { emitDir } from '../emit-k8s.js';
import { emitRun, runOneShard } from '../run-shard-mode.js';
import { UserError } from '../../errors.js';

/** `run`'s parsed flags: the option table's (runner/config/options.ts) plus the command's own. */
type RunArgs = RunOptions & { dryRun?: boolean; json?: boolean; progress?: string };

/** Flags of `run`, shared with commands that run the same way (capacity, which passes its own name): the option table's, then the command's own. */
export function runFlags<T>(y: Argv<T>, command: OptionCommand = 'run') {
  return jsonFlag(optionsFor(y, command))
    .option('dry-run', { type: 'boolean', describe: 'print the plan (phases, op counts by kind, expected rates, stream hash) without touching any server' })
    .option('progress', { type: 'string', choices: ['auto', 'tty', 'plain', 'off'], describe: 'live progress on stderr [default auto: rewritten line on a terminal, a line every 5 s otherwise]' });
}

/** Maps parsed flags to {@link RunOptions} (only what was given). */
export function runOptionsOf(argv: Readonly<Record<string, unknown>>): RunOptions {
  return optionsOf(argv, 'run');
}

/** The progress mode from `--progress` (or auto). */
export function progressModeOf(flag: string | undefined, json: boolean): ProgressMode {
  if (flag === 'tty' || flag === 'plain' || flag === 'off') return flag;
  return json && !process.stderr.isTTY ? 'off' : autoProgressMode();
}

/** The yargs command `hotbench run`. */
export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'replay a scenario against strategies on real PostgreSQL (and Redis, Kafka), record into ClickHouse, report',
  builder: (y) => runFlags(y) as unknown as Argv<RunArgs>,
  handler: async (argv) => {
    const resolved = await resolveRunConfig(runOptionsOf(argv));
    const registry = builtinRegistry();
    const strategies = planStrategies(resolved.strategies, registry);
    const config = fitToRunBudget(resolved, strategies.length * resolved.repeat);
    const options = runOptionsOf(argv);
    const emit = emitDir(options);
    if (argv.dryRun) {
      const summary = summarizePlan(config.plan);
      if (argv.json) printJson({ plan: config.plan.name, seed: config.seed, duration_us: config.durationUs, rate_scale: config.rateScale, strategies: strategies.map((s) => ({ label: s.label, needs: s.needs })), summary, sources: config.sources });
      else print(`${formatPlanSummary(summary)}\nstrategies: ${strategies.map((s) => s.label).join(', ')}\n(dry run: no server was contacted)`);
      return;
    }
    if (emit !== undefined) return emitRun(emit, options, config, strategies, registry);
    installSignalHandlers((signal) => say(`\n${signal}: stopping: finishing in-flight ops, recording what was measured (press Ctrl-C again to quit at once)`));
    if (options.shard !== undefined) return runOneShard(options, config, strategies, registry, progressModeOf(argv.progress, argv.json === true));
    if (options.startAt !== undefined) throw new UserError('--start-at belongs to a sharded run: add --shard i/n');
    const result = await runBenchmark(config, {
      registry,
      strategies,
      log: say,
      progress: progressModeOf(argv.progress, argv.json === true),
      abort: interrupted,
      ...(options.runId !== undefined ? { runId: options.runId } : {}),
    });
    if (result.report) {
      if (argv.junit) await writeJUnitFile(argv.junit, renderRunJUnit(result.report));
      await toStepSummary(renderVerdictMarkdown(result.report));
    }
    showRecordedRun(result, argv.json === true, `run ${result.runId}: ${result.status}; results in ${result.store}`);
  },
};
