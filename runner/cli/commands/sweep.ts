/**
 * `hotbench sweep`: a design-space grid (strategies × --param values ×
 * rate scales × pool sizes) run as independent cells: N local processes
 * (`--workers N`), one cell (`--cell i`, what each process and each pod
 * runs), or Kubernetes manifests (`--emit k8s DIR`); then the sweep report,
 * a table of every cell and the Pareto front (`--report <sweep-id>` again
 * later). Exit 0 when every cell completed, 1 otherwise, 2 bad input.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { loadSweepReport, renderSweepMarkdown } from '../../../reports/sweep/sweep-report.js';
import { openStore } from '../../../results/open-store.js';
import { builtinRegistry } from '../../../strategies/registry.js';
import { resolveRunConfig } from '../../config/run-config.js';
import { optionsFor, optionsOf, type RunOptions } from '../../config/options.js';
import { UserError } from '../../errors.js';
import { installSignalHandlers, interrupted } from '../../stack/lifecycle.js';
import { expandGrid, parseNumberAxis, parseParamAxis } from '../../sweep/grid.js';
import { newSweepId, runSweepCell } from '../../sweep/sweep.js';
import { runWorkers } from '../../sweep/workers.js';
import { cliEntryPath } from '../entry-path.js';
import { emitDir, emitSweep, flagArgs, podArgs } from '../emit-k8s.js';
import { jsonFlag, storeLocation } from '../flags.js';
import { print, printJson, say } from '../output.js';
import { progressModeOf } from './run.js';

/** `sweep`'s own flags besides the option table's: the two grid axes that are lists here but single values for `run`. */
interface SweepArgs {
  rateScale?: string;
  connections?: string;
  report?: string;
  json?: boolean;
  progress?: string;
}

function sweepFlags<T>(y: Argv<T>) {
  return jsonFlag(optionsFor(y, 'sweep'))
    .option('rate-scale', { type: 'string', describe: 'rate multipliers of the grid, e.g. 1,2,4 [default 1]' })
    .option('connections', { type: 'string', describe: 'PostgreSQL pool sizes of the grid, e.g. 4,16 [default 16]' })
    .option('report', { type: 'string', describe: "render a recorded sweep's report (table and Pareto front) and exit" })
    .option('progress', { type: 'string', choices: ['auto', 'tty', 'plain', 'off'], describe: 'live progress on stderr' });
}

/** What every cell shares: the table's options minus the sweep's own (the grid sets strategies, rate scale and connections). */
const SWEEP_ONLY = new Set(['param', 'workers', 'cell', 'sweepId', 'emit', 'image', 'parallelism', 'namespace', 'secret', 'strategies']);
function baseOptions(options: RunOptions): RunOptions {
  return Object.fromEntries(Object.entries(options).filter(([k]) => !SWEEP_ONLY.has(k))) as RunOptions;
}

/** The yargs command `hotbench sweep`. */
export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep',
  describe: 'run a grid of strategies × parameters × rate scales × pool sizes as independent cells (local workers or Kubernetes), with a table and the Pareto front',
  builder: (y) => sweepFlags(y) as unknown as Argv<SweepArgs>,
  handler: async (argv) => {
    const options = optionsOf(argv as unknown as Record<string, unknown>, 'sweep');
    const out = resolve(options.out ?? process.env['HOTBENCH_OUT'] ?? 'hotbench-results');
    if (argv.report !== undefined) return renderSweep(argv, options, argv.report, out);
    const strategies = options.strategies ?? process.env['HOTBENCH_STRATEGIES'];
    if (strategies === undefined) throw new UserError('sweep needs --strategies (the grid\'s strategies, e.g. row-lock,aggregate)');
    const registry = builtinRegistry();
    const cells = expandGrid(
      {
        strategies,
        params: [options.param ?? []].flat().map(parseParamAxis),
        rateScales: parseNumberAxis(argv.rateScale ?? '1', '--rate-scale'),
        connections: parseNumberAxis(argv.connections ?? '16', '--connections', { integer: true, max: 10_000 }),
      },
      registry,
    );
    const sweepId = options.sweepId ?? newSweepId();
    if (!/^[A-Za-z0-9_-]{1,56}$/.test(sweepId)) throw new UserError(`--sweep-id ${JSON.stringify(sweepId)}: use 1 to 56 letters, digits, - and _`);
    const grid = { strategies, param: options.param, rateScale: argv.rateScale, connections: argv.connections };
    const base = baseOptions(options);
    const emit = emitDir(options);
    if (emit !== undefined) {
      const config = await resolveRunConfig({ ...base, strategies: cells[0]!.strategy });
      for (const line of await emitSweep(emit, options, { sweepId, cells: cells.length, scenarioFile: config.loaded.file, sweepArgs: podArgs({ ...grid, ...base }) })) say(line);
      return;
    }
    installSignalHandlers((signal) => say(`\n${signal}: stopping the sweep: running cells record what they measured`));
    if (options.cell !== undefined) {
      const cell = Number(options.cell);
      const result = await runSweepCell({ registry, sweepId, cells, cell, base, log: say, progress: progressModeOf(argv.progress, false), abort: interrupted });
      say(`cell ${cell} of sweep ${sweepId}: run ${result.runId} ${result.status}`);
      if (result.status !== 'complete') process.exitCode = result.status === 'incomplete' ? 130 : 1;
      return;
    }
    const workers = Number(options.workers ?? 1);
    if (workers > 1 && storeLocation(options).url === undefined) throw new UserError('--workers above 1 needs a ClickHouse server every worker records into: give --clickhouse URL (the embedded chdb belongs to one process)');
    // Connection settings reach the workers through their environment, not their command line (where `ps` shows them).
    const env: Record<string, string> = {};
    for (const [key, name] of [['pg', 'PG_URL'], ['clickhouse', 'CLICKHOUSE_URL'], ['redis', 'REDIS_URL'], ['kafka', 'KAFKA_BROKERS']] as const) if (options[key] !== undefined) env[name] = options[key]!;
    const args = flagArgs({ ...grid, ...base, sweepId, progress: 'off' }, new Set(['pg', 'clickhouse', 'redis', 'kafka']));
    say(`sweep ${sweepId}: ${cells.length} cells, ${workers} at a time`);
    const started = performance.now();
    const results = await runWorkers(
      cells.map((c) => ({ label: `cell ${c.index}`, command: process.execPath, args: [cliEntryPath(), 'sweep', ...args, '--cell', String(c.index)] })),
      { workers, env, abort: interrupted, log: say },
    );
    const wallS = (performance.now() - started) / 1000;
    const failed = results.filter((r) => r.code !== 0);
    say(`sweep ${sweepId}: ${cells.length - failed.length} of ${cells.length} cells completed in ${wallS.toFixed(1)} s wall with ${workers} worker${workers > 1 ? 's' : ''}${failed.length > 0 ? `; failed: ${failed.map((f) => `${f.label} (${f.lastLine})`).join('; ')}` : ''}`);
    await renderSweep(argv, options, sweepId, out);
    if (failed.length > 0) process.exitCode = 1;
  },
};

async function renderSweep(argv: SweepArgs, options: RunOptions, sweepId: string, out: string): Promise<void> {
  const store = await openStore(storeLocation(options));
  try {
    await store.migrate();
    const report = await loadSweepReport(store, sweepId);
    if (report.points.length === 0) throw new UserError(`no sweep ${sweepId} in ${store.description}: check the id and --clickhouse`);
    const md = renderSweepMarkdown(report);
    await mkdir(join(out, sweepId), { recursive: true });
    await writeFile(join(out, sweepId, 'sweep.md'), md);
    await writeFile(join(out, sweepId, 'sweep.json'), `${JSON.stringify(report, null, 2)}\n`);
    if (argv.json) printJson(report);
    else print(md);
    say(`sweep report: ${join(out, sweepId, 'sweep.md')}\n              ${join(out, sweepId, 'sweep.json')}`);
  } finally {
    await store.close();
  }
}
