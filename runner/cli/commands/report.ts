/**
 * `hotbench report <run-id>`: re-render a recorded run's reports from ClickHouse.
 */
import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { loadRunReport, runExists } from '../../../reports/run/queries.js';
import { renderJson } from '../../../reports/run/render-json.js';
import { renderTerminal } from '../../../reports/run/render-terminal.js';
import { openStore } from '../../../results/open-store.js';
import { writeReports } from '../../../reports/run/write-report.js';
import { UserError } from '../../errors.js';
import { reportSections } from '../../lifecycle/run-stack.js';
import { jsonFlag, storeFlags, storeLocation } from '../flags.js';
import { print, printJson, say } from '../output.js';

interface ReportArgs {
  runId: string;
  clickhouse?: string;
  dataDir?: string;
  out?: string;
  json?: boolean;
}

/** The yargs command `hotbench report`. */
export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <run-id>',
  describe: "re-render a recorded run's reports (terminal, report.md, report.json, report.html) from ClickHouse",
  builder: (y) =>
    jsonFlag(storeFlags(y))
      .positional('run-id', { type: 'string', demandOption: true, describe: 'the run id printed by `hotbench run` (see `hotbench runs`)' })
      .option('out', { type: 'string', describe: 'report folder [env HOTBENCH_OUT; default hotbench-results]' }) as never,
  handler: async (argv) => {
    if (argv.runId === undefined || argv.runId === null) throw new UserError('report needs a run id: `hotbench report <run-id>` (see `hotbench runs`).');
    const runId = String(argv.runId);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(runId)) throw new UserError(`run id ${JSON.stringify(runId)} is not valid: it has letters, digits, - and _ only (see \`hotbench runs\`).`);
    const store = await openStore(storeLocation(argv));
    try {
      await store.migrate();
      if (!(await runExists(store, runId))) throw new UserError(`no run ${runId} in ${store.description}: see \`hotbench runs\` for the recorded ones.`);
      const report = await loadRunReport(store, runId);
      const files = await writeReports(report, join(resolve(argv.out ?? process.env['HOTBENCH_OUT'] ?? 'hotbench-results'), runId), await reportSections(store, report, say));
      if (argv.json) printJson(renderJson(report));
      else print(renderTerminal(report));
      say(`reports: ${files.md}\n         ${files.json}\n         ${files.html}`);
    } finally {
      await store.close();
    }
  },
};
