/**
 * `hotbench history --scenario S [--strategy X] [--branch B] [--metric M]`:
 * one figure across the recorded runs of a scenario by git revision, with
 * the change points E-Divisive means finds (`reports/history/`). Text by
 * default, Markdown with `--format markdown`, JSON with `--json`.
 */
import type { CommandModule } from 'yargs';
import { METRICS } from '../../../reports/common/metrics.js';
import { HistoryInputError, loadHistory } from '../../../reports/history/history.js';
import { renderHistoryMarkdown, renderHistoryText } from '../../../reports/history/render.js';
import { openStore } from '../../../results/open-store.js';
import { UserError } from '../../errors.js';
import { optionsFor } from '../../config/options.js';
import { jsonFlag, storeLocation } from '../flags.js';
import { print, printJson } from '../output.js';

interface HistoryArgs {
  scenario: string;
  strategy?: string;
  branch?: string;
  metric?: string;
  limit?: number;
  alpha?: number;
  format?: string;
  json?: boolean;
  clickhouse?: string;
  dataDir?: string;
  stack?: string;
}

/** The `history` command (exit 0, or 2 on bad input or nothing recorded). */
export const historyCommand: CommandModule<object, HistoryArgs> = {
  command: 'history',
  describe: 'a figure across the recorded runs of a scenario by git revision, with change points (E-Divisive means)',
  builder: (y) =>
    jsonFlag(optionsFor(y, 'history'))
      .option('scenario', { type: 'string', demandOption: true, describe: 'scenario name as recorded (see `hotbench runs`)' })
      .option('strategy', { type: 'string', describe: 'one strategy label or name [default every one]' })
      .option('branch', { type: 'string', describe: 'only runs recorded on this git branch' })
      .option('metric', { type: 'string', choices: METRICS.map((m) => m.name), describe: 'the figure [default p99_ack_ms]' })
      .option('limit', { type: 'number', describe: 'newest runs taken, 2-1000 [default 50]' })
      .option('alpha', { type: 'number', describe: "significance a change point must reach in the permutation test [default 0.05]" })
      .option('format', { type: 'string', choices: ['text', 'markdown'], describe: 'stdout format (without --json) [default text]' }) as never,
  handler: async (argv) => {
    if (argv.alpha !== undefined && !(argv.alpha > 0 && argv.alpha < 1)) throw new UserError(`--alpha ${argv.alpha}: give a significance between 0 and 1, e.g. 0.05`);
    if (argv.limit !== undefined && !(Number.isInteger(argv.limit) && argv.limit >= 2 && argv.limit <= 1000)) throw new UserError(`--limit ${argv.limit}: give a whole number of runs from 2 to 1000`);
    const store = await openStore(storeLocation(argv));
    try {
      await store.migrate();
      const history = await loadHistory(store, {
        scenario: argv.scenario,
        ...(argv.strategy !== undefined ? { strategy: argv.strategy } : {}),
        ...(argv.branch !== undefined ? { branch: argv.branch } : {}),
        ...(argv.metric !== undefined ? { metric: argv.metric } : {}),
        ...(argv.limit !== undefined ? { limit: argv.limit } : {}),
        ...(argv.alpha !== undefined ? { detection: { alpha: argv.alpha } } : {}),
      });
      if (argv.json) printJson(history);
      else print(argv.format === 'markdown' ? renderHistoryMarkdown(history) : renderHistoryText(history));
    } catch (err) {
      if (err instanceof HistoryInputError) throw new UserError(err.message);
      throw err;
    } finally {
      await store.close();
    }
  },
};
