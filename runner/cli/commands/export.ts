/**
 * `hotbench export <run-id> --format bmf|csv`: a recorded run in a format
 * another tool reads, on stdout: Bencher Metric Format (one JSON document
 * per run, `bencher run --adapter json`) or the per-op rows as CSV,
 * streamed from ClickHouse (`reports/export/`).
 */
import type { CommandModule } from 'yargs';
import { EXPORT_FORMATS, exportRun, type ExportFormat } from '../../../reports/export/export-run.js';
import { checkRunId } from '../../../reports/run/queries.js';
import { openStore } from '../../../results/open-store.js';
import { UserError } from '../../errors.js';
import { optionsFor } from '../../config/options.js';
import { storeLocation } from '../flags.js';
import { say } from '../output.js';

interface ExportArgs {
  runId: string;
  format: string;
  clickhouse?: string;
  dataDir?: string;
  stack?: string;
}

/** The `export` command (exit 0, or 2 on an unknown run). */
export const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export <run-id>',
  describe: 'write a recorded run on stdout for another tool: Bencher Metric Format (bmf) or its per-op rows (csv, streamed)',
  builder: (y) =>
    optionsFor(y, 'export')
      .positional('run-id', { type: 'string', demandOption: true, describe: 'the run id printed by `hotbench run` (see `hotbench runs`)' })
      .option('format', { type: 'string', choices: EXPORT_FORMATS, demandOption: true, describe: 'bmf: per strategy goodput, ack p99, posting delay p99, overdrafts (bencher run --adapter json); csv: every op row, streamed' }) as never,
  handler: async (argv) => {
    const runId = String(argv.runId);
    try {
      checkRunId(runId);
    } catch (err) {
      throw new UserError((err as Error).message);
    }
    const store = await openStore(storeLocation(argv));
    // A reader that stops early (`| head`) closes the pipe: stop reading the store, as Unix tools do, without an error.
    let closed = false;
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EPIPE') closed = true;
    };
    process.stdout.on('error', onError);
    try {
      await store.migrate();
      const bytes = await exportRun(store, runId, argv.format as ExportFormat, process.stdout);
      say(`export: run ${runId} as ${argv.format}, ${bytes} bytes`);
    } catch (err) {
      if (!(closed || (err as NodeJS.ErrnoException).code === 'EPIPE')) throw err;
      say(`export: stdout was closed before the end (EPIPE); stopped`);
    } finally {
      process.stdout.off('error', onError);
      await store.close();
    }
  },
};
