/**
 * `hotbench strategies`: the registered strategies, what each needs, its parameters.
 */
import type { CommandModule } from 'yargs';
import { builtinRegistry, type StrategyRegistry } from '../../../strategies/registry.js';
import { describeParams, parseStrategyList, resolveSpec, SpecError } from '../../../strategies/spec.js';
import { jsonFlag } from '../flags.js';
import { print, printJson } from '../output.js';

/** The yargs command `hotbench strategies`. */
export const strategiesCommand: CommandModule<object, { json?: boolean }> = {
  command: 'strategies',
  describe: 'list the strategies, what each needs (postgres, redis, kafka, replica) and its parameters',
  builder: (y) => jsonFlag(y),
  handler: (argv) => {
    const registry = builtinRegistry();
    const list = registry
      .list()
      .map((d) => ({ name: d.name, summary: d.summary, source: d.source, needs: [...d.needs], composite: d.composite === true, params: describeParams(d), ...(d.composite ? { wraps: wrapsOf(registry, d.name) } : {}) }));
    if (argv.json) return printJson(list);
    const width = Math.max(...list.map((s) => s.name.length));
    for (const s of list) {
      print(`${s.name.padEnd(width)}  ${s.summary}`);
      print(`${''.padEnd(width)}  needs: ${s.composite ? `what its inner strategy needs; wraps one: ${s.name}(row-lock)` : s.needs.join(', ')}; source: ${s.source}`);
      if (s.wraps) {
        print(`${''.padEnd(width)}  wraps: ${s.wraps.allowed.join(', ')}`);
        for (const r of s.wraps.refused) print(`${''.padEnd(width)}  not ${s.name}(${r.inner}): ${r.why}`);
      }
      if (s.params.length > 0) print(`${''.padEnd(width)}  params: ${s.params.map((p) => `${p.key}=${p.default ?? '(required)'}`).join(', ')}`);
    }
    print('\nChoose with `hotbench run --strategies name,name:key=value`.');
  },
};

/** Which strategies the composite `name` may wrap (each with its default parameters), and why it refuses the others. */
export function wrapsOf(registry: StrategyRegistry, name: string): { allowed: string[]; refused: { inner: string; why: string }[] } {
  const allowed: string[] = [];
  const refused: { inner: string; why: string }[] = [];
  for (const inner of registry.list()) {
    // A composite inside shows with row-lock in it: rate-limit(row-lock) stands for rate-limit(anything).
    const spec = inner.composite ? `${inner.name}(row-lock)` : inner.name;
    try {
      const node = parseStrategyList(`${name}(${spec})`)[0];
      if (node !== undefined) resolveSpec(node, registry, `${name}(${spec})`);
      allowed.push(spec);
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      refused.push({ inner: spec, why: err.message.replace(/^strategy spec '[^']*': /, '').replace(/^\S+ cannot wrap \S+: /, '') });
    }
  }
  return { allowed, refused };
}
