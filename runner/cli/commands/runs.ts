/**
 * `hotbench runs`: recent runs recorded in ClickHouse.
 */
import type { CommandModule } from 'yargs';
import { listRuns } from '../../../reports/run/queries.js';
import { openStore } from '../../../results/open-store.js';
import { UserError } from '../../errors.js';
import { jsonFlag, storeFlags, storeLocation } from '../flags.js';
import { print, printJson } from '../output.js';

interface RunsArgs {
  clickhouse?: string;
  dataDir?: string;
  json?: boolean;
  limit?: number;
}

/** The yargs command `hotbench runs`. */
export const runsCommand: CommandModule<object, RunsArgs> = {
  command: 'runs',
  describe: 'list recent runs recorded in ClickHouse, newest first',
  builder: (y) => jsonFlag(storeFlags(y)).option('limit', { type: 'number', default: 20, describe: 'how many runs to list' }),
  handler: async (argv) => {
    if (argv.limit !== undefined && !(Number.isInteger(argv.limit) && argv.limit >= 1 && argv.limit <= 100_000)) throw new UserError('--limit: give a whole number of runs from 1 to 100000.');
    const store = await openStore(storeLocation(argv));
    try {
      await store.migrate();
      const runs = await listRuns(store, { limit: Math.max(1, Math.floor(argv.limit ?? 20)) });
      if (argv.json) return printJson(runs);
      if (runs.length === 0) return print(`no runs recorded in ${store.description} yet: try \`hotbench run\`.`);
      for (const r of runs) print(`${r.run_id}  ${r.started_at}  ${r.status.padEnd(10)}  ${r.scenario.padEnd(18)}  ${r.planned_ops} ops  ${r.strategies.join(', ')}`);
    } finally {
      await store.close();
    }
  },
};
