/**
 * `hotbench scenarios`: the built-in scenarios, one line each.
 */
import type { CommandModule } from 'yargs';
import { listScenarios } from '../../../scenarios/index.js';
import { jsonFlag } from '../flags.js';
import { print, printJson } from '../output.js';

/** The yargs command `hotbench scenarios`. */
export const scenariosCommand: CommandModule<object, { json?: boolean }> = {
  command: 'scenarios',
  describe: 'list the built-in scenarios with a one-line summary each',
  builder: (y) => jsonFlag(y),
  handler: async (argv) => {
    const list = await listScenarios();
    if (argv.json) return printJson(list);
    const width = Math.max(...list.map((s) => s.name.length));
    print(list.map((s) => `${s.name.padEnd(width)}  ${s.summary}`).join('\n'));
    print('\nRun one with `hotbench run --scenario <name>`, or give a path to your own YAML file.');
  },
};
