/**
 * `hotbench blast`: closed-loop maximum-throughput load (autocannon) against
 * any service implementing the billing API, recorded and reported like a run.
 */
import type { Argv, CommandModule } from 'yargs';
import { runBlast } from '../../api/blast.js';
import { resolveRunConfig } from '../../config/run-config.js';
import { optionsFor, optionsOf, type RunOptions } from '../../config/options.js';
import { UserError } from '../../errors.js';
import { installSignalHandlers, interrupted } from '../../stack/lifecycle.js';
import { jsonFlag } from '../flags.js';
import { showRecordedRun } from '../run-result.js';
import { say } from '../output.js';

/** blast's parsed flags: the option table's (its own `--target`, `--duration`, `--connections`, `--timeout`, `--first-op-id` among them). */
type BlastArgs = RunOptions & { json?: boolean; [key: string]: unknown };

/** The yargs command `hotbench blast`. */
export const blastCommand: CommandModule<object, BlastArgs> = {
  command: 'blast',
  describe: 'closed-loop maximum-throughput load (autocannon) against a service speaking the billing API, recorded into ClickHouse and reported',
  builder: (y) => jsonFlag(optionsFor(y, 'blast')) as unknown as Argv<BlastArgs>,
  handler: async (argv) => {
    const config = await resolveRunConfig(optionsOf(argv, 'blast'), process.env, 'blast');
    if (config.target === undefined) throw new UserError('blast: give the service to load with --target URL, e.g. --target http://127.0.0.1:8080 (start one with `hotbench serve --strategy row-lock`).');
    const { target, blastDurationUs: durationUs, blastConnections: connections, blastTimeoutS: timeoutS, firstOpId } = config;

    installSignalHandlers((signal) => say(`\n${signal}: stopping the blast, recording what was measured`));
    const result = await runBlast({ target, config, durationUs, connections, timeoutS, firstOpId, abort: interrupted, log: say });
    showRecordedRun(result, argv.json === true, `run ${result.runId}: ${result.status}; ${result.counts.answered} answers (${result.counts.applied} applied, ${result.counts.accepted} accepted, ${result.counts.rejected} rejected); results in ${result.store}`);
  },
};
