/**
 * `hotbench run`: replay a scenario against strategies, record, report.
 */
import type { Argv, CommandModule } from 'yargs';
import { formatPlanSummary, summarizePlan } from '../../../scenarios/index.js';
import { renderJson } from '../../../reports/run/render-json.js';
import { renderTerminal } from '../../../reports/run/render-terminal.js';
import { builtinRegistry } from '../../../strategies/registry.js';
import { fitToRunBudget, resolveRunConfig, type RunOptions } from '../../config.js';
import { autoProgressMode, type ProgressMode } from '../../driver/progress.js';
import { runBenchmark } from '../../run.js';
import { installSignalHandlers, interrupted } from '../../stack/lifecycle.js';
import { planStrategies } from '../../strategy-plan.js';
import { jsonFlag, storeFlags } from '../flags.js';
import { print, printJson, say } from '../output.js';

interface RunArgs {
  scenario?: string;
  strategies?: string;
  duration?: string;
  rateScale?: number;
  seed?: number;
  pg?: string;
  pgReplica?: string;
  clickhouse?: string;
  redis?: string;
  kafka?: string;
  out?: string;
  dataDir?: string;
  concurrency?: number;
  connections?: number;
  lateThreshold?: string;
  repeat?: number;
  keepDatabases?: boolean;
  via?: string;
  stack?: string;
  fault?: string[];
  slo?: string;
  dryRun?: boolean;
  json?: boolean;
  progress?: string;
}

/** Flags of `run`, shared with commands that run the same way (capacity, bench). */
export function runFlags<T>(y: Argv<T>) {
  return jsonFlag(storeFlags(y))
    .option('scenario', { type: 'string', describe: 'built-in scenario name or path to a scenario YAML file [env HOTBENCH_SCENARIO; default advertiser-burst]' })
    .option('strategies', {
      type: 'string',
      describe: 'comma-separated strategies with parameters, e.g. row-lock,atomic or aggregate:window=10ms,max=500 [env HOTBENCH_STRATEGIES; default: every available one]',
    })
    .option('duration', { type: 'string', describe: "length of each strategy's replay, e.g. 10s, 2m: phases are scaled to fit [env HOTBENCH_DURATION; default: the scenario's]" })
    .option('rate-scale', { type: 'number', describe: 'multiply every arrival rate by this factor [env HOTBENCH_RATE_SCALE; default 1]' })
    .option('seed', { type: 'number', describe: "seed of the op stream: same scenario + seed = same ops, byte for byte [env HOTBENCH_SEED; default: the scenario's, else 1]" })
    .option('pg', { type: 'string', describe: 'external PostgreSQL URL; each strategy gets a fresh database on it [env PG_URL; default: embedded PostgreSQL]' })
    .option('pg-replica', { type: 'string', describe: 'streaming replica of --pg for read-write-split [env PG_REPLICA_URL; default: started next to the embedded server]' })
    .option('redis', { type: 'string', describe: 'Redis URL for strategies that need it [env REDIS_URL; default redis://127.0.0.1:6379 if reachable]' })
    .option('kafka', { type: 'string', describe: 'Kafka brokers host:port[,host:port] [env KAFKA_BROKERS; default none]' })
    .option('out', { type: 'string', describe: 'report folder; each run writes <out>/<run-id>/report.{md,json,html} [env HOTBENCH_OUT; default hotbench-results]' })
    .option('concurrency', { type: 'number', describe: 'most ops in flight at once (the open-loop cap); later ops are sent late, never dropped [env HOTBENCH_CONCURRENCY; default 512]' })
    .option('connections', { type: 'number', describe: 'PostgreSQL pool size per strategy [env HOTBENCH_CONNECTIONS; default 16]' })
    .option('late-threshold', { type: 'string', describe: 'an op sent this long after its intended time counts as late [env HOTBENCH_LATE_THRESHOLD; default 5ms]' })
    .option('repeat', { type: 'number', describe: 'replay each strategy N times in the run (for noise-aware comparison) [env HOTBENCH_REPEAT; default 1]' })
    .option('via', {
      type: 'string',
      choices: ['direct', 'http', 'http-inprocess'],
      describe: 'how ops reach each strategy: direct calls, or HTTP to the strategy served by a `hotbench serve` child (http) or in this process (http-inprocess) [env HOTBENCH_VIA; default direct]',
    })
    .option('keep-databases', { type: 'boolean', describe: "keep each strategy's database on an external server after the run (for inspection)" })
    .option('slo', {
      type: 'string',
      describe: "limits the verdict judges strategies by, over the scenario's slo block: 'p99_ack<50ms,p999_ack<200ms,posting_delay<1s,overdraft=0,stop_delivery<200ms,reject_share<5%' (inclusive; name=off drops one) [env HOTBENCH_SLO]",
    })
    .option('fault', { type: 'string', array: true, describe: 'inject a fault into every replay at a schedule time, repeatable: redis:restart@8s, consumer:kill@5s [env HOTBENCH_FAULTS, comma-separated]' })
    .option('dry-run', { type: 'boolean', describe: 'print the plan (phases, op counts by kind, expected rates, stream hash) without touching any server' })
    .option('progress', { type: 'string', choices: ['auto', 'tty', 'plain', 'off'], describe: 'live progress on stderr [default auto: rewritten line on a terminal, a line every 5 s otherwise]' });
}

/** Maps parsed flags to {@link RunOptions} (only what was given). */
export function runOptionsOf(argv: RunArgs): RunOptions {
  const o: Record<string, unknown> = {
    scenario: argv.scenario,
    strategies: argv.strategies,
    duration: argv.duration,
    rateScale: argv.rateScale,
    seed: argv.seed,
    pg: argv.pg,
    pgReplica: argv.pgReplica,
    clickhouse: argv.clickhouse,
    redis: argv.redis,
    kafka: argv.kafka,
    out: argv.out,
    dataDir: argv.dataDir,
    concurrency: argv.concurrency,
    connections: argv.connections,
    lateThreshold: argv.lateThreshold,
    repeat: argv.repeat,
    keepDatabases: argv.keepDatabases,
    via: argv.via,
    stack: argv.stack,
    fault: argv.fault,
    slo: argv.slo,
  };
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as RunOptions;
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
    if (argv.dryRun) {
      const summary = summarizePlan(config.plan);
      if (argv.json) printJson({ plan: config.plan.name, seed: config.seed, duration_us: config.durationUs, rate_scale: config.rateScale, strategies: strategies.map((s) => ({ label: s.label, needs: s.needs })), summary, sources: config.sources });
      else print(`${formatPlanSummary(summary)}\nstrategies: ${strategies.map((s) => s.label).join(', ')}\n(dry run: no server was contacted)`);
      return;
    }
    installSignalHandlers((signal) => say(`\n${signal}: stopping: finishing in-flight ops, recording what was measured (press Ctrl-C again to quit at once)`));
    const result = await runBenchmark(config, {
      registry,
      strategies,
      log: say,
      progress: progressModeOf(argv.progress, argv.json === true),
      abort: interrupted,
    });
    if (argv.json) {
      if (result.report) printJson(renderJson(result.report));
      else printJson({ run_id: result.runId, status: result.status, error: 'report could not be read back from ClickHouse' });
    } else if (result.report) {
      print(renderTerminal(result.report));
    }
    if (result.files) say(`reports: ${result.files.md}\n         ${result.files.json}\n         ${result.files.html}`);
    say(`run ${result.runId}: ${result.status}; results in ${result.store}`);
    if (result.status === 'incomplete') process.exitCode = 130;
    else if (result.status === 'failed') process.exitCode = 1;
  },
};
