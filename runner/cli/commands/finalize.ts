/**
 * `hotbench finalize <run-id>`: once every load shard of a run has ended,
 * audit the shared ledger once and write the run's report over all raw ops
 * (see runner/shard/finalize.ts). Exit 0 complete, 1 incomplete (a shard
 * failed or was refused: its part is missing), 3 shards still running or
 * dead (nothing written), 2 bad input.
 */
import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { checkRunId } from '../../../reports/run/queries.js';
import { renderTerminal } from '../../../reports/run/render-terminal.js';
import { renderJson } from '../../../reports/run/render-json.js';
import { openStore } from '../../../results/open-store.js';
import { UserError } from '../../errors.js';
import { Recorder } from '../../record/recorder.js';
import { renderRunReports } from '../../lifecycle/run-stack.js';
import { finalizeRun } from '../../shard/finalize.js';
import { installSignalHandlers, interrupted } from '../../stack/lifecycle.js';
import { parseDurationUs } from '../../config/units.js';
import { optionsFor, optionsOf } from '../../config/options.js';
import { jsonFlag, storeLocation } from '../flags.js';
import { print, printJson, say } from '../output.js';

interface FinalizeArgs {
  runId: string;
  pg?: string;
  clickhouse?: string;
  dataDir?: string;
  stack?: string;
  out?: string;
  wait?: string;
  keepDatabases?: boolean;
  json?: boolean;
  progress?: string;
}

/** The yargs command `hotbench finalize <run-id>`. */
export const finalizeCommand: CommandModule<object, FinalizeArgs> = {
  command: 'finalize <run-id>',
  describe: 'merge the load shards of a run (run --shard i/n): wait for every shard, audit the shared ledger once, report over all raw ops',
  builder: (y) =>
    jsonFlag(optionsFor(y, 'finalize'))
      .positional('run-id', { type: 'string', demandOption: true, describe: 'the --run-id the shards were started with' })
      .option('progress', { type: 'string', choices: ['auto', 'tty', 'plain', 'off'], describe: 'accepted for symmetry with run (finalize prints a line per wait)' }) as never,
  handler: async (argv) => {
    const runId = checkRunId(String(argv.runId));
    const options = optionsOf(argv as unknown as Record<string, unknown>, 'finalize');
    const pgUrl = options.pg ?? process.env['PG_URL'];
    if (pgUrl === undefined || pgUrl.trim() === '') throw new UserError('finalize needs the PostgreSQL the shards shared: give --pg URL (or PG_URL)');
    if (pgUrl.includes(',')) throw new UserError('finalize needs the one PostgreSQL the shards shared: give one --pg URL, not several');
    const location = storeLocation(argv);
    if (location.url === undefined) throw new UserError('finalize needs the ClickHouse server the shards recorded into: give --clickhouse URL (or CLICKHOUSE_URL)');
    const wait = options.wait ?? '10m';
    const waitMs = /^0+(s|ms)?$/.test(wait.trim()) ? 0 : parseDurationUs(wait, '--wait') / 1000;
    installSignalHandlers(() => say('finalize: interrupted; nothing written unless every shard had ended'));
    const store = await openStore(location);
    try {
      await store.migrate();
      const recorder = new Recorder(store, { spoolDir: join(argv.dataDir ?? process.env['HOTBENCH_HOME'] ?? '.hotbench', 'spool') });
      let result;
      try {
        result = await finalizeRun({ store, rows: recorder, pgUrl: pgUrl.trim(), runId, waitMs, keepDatabases: argv.keepDatabases === true, abort: interrupted, log: say });
      } finally {
        await recorder.close();
      }
      for (const s of result.stages) {
        say(`${s.strategy}${s.rep > 0 ? ` #${s.rep + 1}` : ''}: ${s.row.status}${s.row.detail ? ` (${s.row.detail})` : ''}; ${s.recordedOps} of ${s.row.planned_ops} ops recorded from ${result.shards} shards; merged stream ${s.mergedMatches ? 'equals' : 'DIFFERS from'} the unsharded one (${s.mergedSha256.slice(0, 16)}…)`);
        if (s.audit) say(`${s.strategy}: audit over the shared ledger: conservation ${s.audit.conservationOk ? 'holds' : 'BROKEN'}, ${s.audit.overdraftCount} overdrafts, ${s.audit.lost} lost, ${s.audit.duplicated} duplicated, ${s.audit.phantom} phantom`);
      }
      const { report, files } = await renderRunReports(store, runId, join(resolve(argv.out ?? process.env['HOTBENCH_OUT'] ?? 'hotbench-results'), runId), say);
      if (argv.json && report) printJson(renderJson(report));
      else if (report) print(renderTerminal(report));
      if (files) say(`reports: ${files.md}\n         ${files.json}\n         ${files.html}`);
      say(`run ${runId}: ${result.status} (${result.shards} load shards, finalized); results in ${store.description}`);
      if (result.status !== 'complete') process.exitCode = 1;
    } finally {
      await store.close();
    }
  },
};
