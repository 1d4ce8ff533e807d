/**
 * `hotbench strategies`: the registered strategies, what each needs, its parameters.
 */
import type { CommandModule } from 'yargs';
import { builtinRegistry } from '../../../strategies/registry.js';
import { describeParams } from '../../../strategies/spec.js';
import { jsonFlag } from '../flags.js';
import { print, printJson } from '../output.js';

/** The yargs command `hotbench strategies`. */
export const strategiesCommand: CommandModule<object, { json?: boolean }> = {
  command: 'strategies',
  describe: 'list the strategies, what each needs (postgres, redis, kafka, replica) and its parameters',
  builder: (y) => jsonFlag(y),
  handler: (argv) => {
    const list = builtinRegistry()
      .list()
      .map((d) => ({ name: d.name, summary: d.summary, source: d.source, needs: [...d.needs], composite: d.composite === true, params: describeParams(d) }));
    if (argv.json) return printJson(list);
    const width = Math.max(...list.map((s) => s.name.length));
    for (const s of list) {
      print(`${s.name.padEnd(width)}  ${s.summary}`);
      print(`${''.padEnd(width)}  needs: ${s.composite ? `what its inner strategy needs; wraps one: ${s.name}(row-lock)` : s.needs.join(', ')}; source: ${s.source}`);
      if (s.params.length > 0) print(`${''.padEnd(width)}  params: ${s.params.map((p) => `${p.key}=${p.default ?? '(required)'}`).join(', ')}`);
    }
    print('\nChoose with `hotbench run --strategies name,name:key=value`.');
  },
};
