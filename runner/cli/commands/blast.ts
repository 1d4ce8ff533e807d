/**
 * `hotbench blast`: closed-loop maximum-throughput load (autocannon) against
 * any service implementing the billing API, recorded and reported like a run.
 */
import type { Argv, CommandModule } from 'yargs';
import { renderJson } from '../../../reports/run/render-json.js';
import { renderTerminal } from '../../../reports/run/render-terminal.js';
import { runBlast } from '../../api/blast.js';
import { resolveRunConfig } from '../../config/run-config.js';
import { optionsFor, optionsOf } from '../../config/options.js';
import { UserError } from '../../errors.js';
import { installSignalHandlers, interrupted } from '../../stack/lifecycle.js';
import { parseDurationUs } from '../../config/units.js';
import { jsonFlag } from '../flags.js';
import { print, printJson, say } from '../output.js';

/** blast's own flags (`--duration` and `--connections` mean the blast's, not run's); the option table's scenario, seed, store and out come in too. */
interface BlastArgs {
  target?: string;
  duration?: string;
  connections?: number;
  timeout?: number;
  firstOpId?: number;
  json?: boolean;
  [key: string]: unknown;
}

/** Default length of a blast. */
export const DEFAULT_BLAST_DURATION = '10s';

/** The yargs command `hotbench blast`. */
export const blastCommand: CommandModule<object, BlastArgs> = {
  command: 'blast',
  describe: 'closed-loop maximum-throughput load (autocannon) against a service speaking the billing API, recorded into ClickHouse and reported',
  builder: (y) =>
    jsonFlag(optionsFor(y, 'blast'))
      .option('target', { type: 'string', describe: 'base URL of the service, e.g. http://127.0.0.1:8080 (what `hotbench serve` prints)' })
      .option('duration', { type: 'string', describe: `how long to blast, e.g. 10s, 2m [default ${DEFAULT_BLAST_DURATION}]` })
      .option('connections', { type: 'number', describe: 'concurrent connections, one request in flight on each [default 10]' })
      .option('timeout', { type: 'number', describe: 'seconds without an answer before a request counts as timed out [default 10]' })
      .option('first-op-id', { type: 'number', describe: 'op_id of the first request; blasting the same server again needs fresh ids [default 0]' }) as unknown as Argv<BlastArgs>,
  handler: async (argv) => {
    if (argv.target === undefined || argv.target.trim() === '') throw new UserError('blast: give the service to load with --target URL, e.g. --target http://127.0.0.1:8080 (start one with `hotbench serve --strategy row-lock`).');
    const durationUs = parseDurationUs(argv.duration ?? DEFAULT_BLAST_DURATION, '--duration');
    const connections = integer(argv.connections, '--connections', 10, 1, 10_000);
    const timeoutS = integer(argv.timeout, '--timeout', 10, 1, 3_600);
    const firstOpId = integer(argv.firstOpId, '--first-op-id', 0, 0, Number.MAX_SAFE_INTEGER);
    const config = await resolveRunConfig(optionsOf(argv, 'blast'));

    installSignalHandlers((signal) => say(`\n${signal}: stopping the blast, recording what was measured`));
    const result = await runBlast({ target: argv.target, config, durationUs, connections, timeoutS, firstOpId, abort: interrupted, log: say });
    if (argv.json) {
      if (result.report) printJson(renderJson(result.report));
      else printJson({ run_id: result.runId, status: result.status, error: 'report could not be read back from ClickHouse' });
    } else if (result.report) {
      print(renderTerminal(result.report));
    }
    if (result.files) say(`reports: ${result.files.md}\n         ${result.files.json}\n         ${result.files.html}`);
    say(`run ${result.runId}: ${result.status}; ${result.counts.answered} answers (${result.counts.applied} applied, ${result.counts.accepted} accepted, ${result.counts.rejected} rejected); results in ${result.store}`);
    if (result.status === 'incomplete') process.exitCode = 130;
    else if (result.status === 'failed') process.exitCode = 1;
  },
};

function integer(value: number | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new UserError(`${flag}: ${value} is not an integer from ${min} to ${max}.`);
  return value;
}
