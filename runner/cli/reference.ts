/**
 * The command line as data: every command, its positionals and flags, read
 * from the yargs definitions themselves (each command's `builder`, which
 * takes most flags from the option table, runner/config/options.ts). The
 * generated reference (docs/cli.md, ./write-cli-docs.ts) and the test that
 * every command and flag the documentation mentions exists both read this,
 * so neither keeps a list of its own.
 *
 * A builder is run against a recorder that stands in for yargs' `Argv`:
 * `option`, `options` and `positional` are written down, every other call
 * (`check`, `example`, ...) returns the recorder so the chain goes on.
 */
import type { Argv, CommandModule, Options, PositionalOptions } from 'yargs';
import { flagOf, helpOf, OPTION_SPECS, type OptionCommand, type OptionKey, type OptionSpec } from '../config/options.js';
import { COMMANDS } from './commands/index.js';

/** One flag or positional of a command. */
export interface CliFlag {
  /** Name as typed, without dashes: `rate-scale`, `run-id`. */
  readonly name: string;
  /** yargs type: `string`, `number`, `boolean`; `string` for a repeatable (`array`) flag. */
  readonly type: string;
  /** True when the flag may be given more than once. */
  readonly repeatable: boolean;
  /** What it does, without the `[env ...; default ...]` tail (split out below). */
  readonly describe: string;
  /** Environment variable that sets it, with its form (`HOTBENCH_FAULTS, comma-separated`), if any. */
  readonly env?: string;
  /** The default as the help states it, if any. */
  readonly default?: string;
  readonly choices?: readonly string[];
  /** Must be given. */
  readonly required: boolean;
}

/** One command. */
export interface CliCommand {
  /** `run`, `report`, ... */
  readonly name: string;
  /** The yargs command string: `report <run-id>`. */
  readonly usage: string;
  readonly describe: string;
  readonly positionals: readonly CliFlag[];
  /** Flags in the order the builder declares them; hidden ones (internal plumbing) left out. */
  readonly flags: readonly CliFlag[];
}

/** Flags every command takes (yargs' own). */
export const GLOBAL_FLAGS: readonly CliFlag[] = [
  { name: 'help', type: 'boolean', repeatable: false, describe: "`-h`: the command's flags", required: false },
  { name: 'version', type: 'boolean', repeatable: false, describe: "hotbench's version", required: false },
];

/** The name a command module answers to: the first word of its command string. */
export function commandName(mod: CommandModule): string {
  return String(mod.command).trim().split(/\s+/)[0]!;
}

/** Every command with its flags, in `hotbench --help` order. */
export function cliCommands(): CliCommand[] {
  return COMMANDS.map((mod) => {
    const recorded = record(mod, commandName(mod));
    return {
      name: commandName(mod),
      usage: String(mod.command),
      describe: typeof mod.describe === 'string' ? mod.describe : '',
      positionals: recorded.positionals,
      flags: recorded.flags,
    };
  });
}

/** The flag names (no dashes) `command` accepts, `help`/`version` and yargs' `no-<boolean>` forms included. */
export function flagNames(command: CliCommand): Set<string> {
  const names = new Set<string>(GLOBAL_FLAGS.map((f) => f.name));
  for (const f of command.flags) {
    names.add(f.name);
    if (f.type === 'boolean') names.add(`no-${f.name}`);
  }
  return names;
}

/** The option-table entry `command` declared flag `name` from: same flag, same help text (several entries may share a flag name, e.g. `--duration`). */
function tableEntry(command: string, name: string, describe: string): OptionSpec | undefined {
  return OPTION_SPECS.find((o) => flagOf(o.key as OptionKey).slice(2) === name && (o.commands as readonly string[]).includes(command) && helpOf(o, command as OptionCommand) === describe);
}

/** Runs `mod`'s builder against a recorder and returns what it declared. */
function record(mod: CommandModule, command: string): { positionals: CliFlag[]; flags: CliFlag[] } {
  const positionals: CliFlag[] = [];
  const flags: CliFlag[] = [];
  const add = (list: CliFlag[], name: string, opts: Options | PositionalOptions = {}) => {
    if ((opts as Options).hidden) return;
    const at = list.findIndex((f) => f.name === name);
    const flag = describeFlag(command, name, opts);
    if (at >= 0) list[at] = flag; // declared again: yargs keeps the last definition too
    else list.push(flag);
  };
  const recorder: Argv = new Proxy({} as Argv, {
    get(_target, prop) {
      if (prop === 'then') return undefined; // never mistaken for a promise
      if (prop === 'option')
        return (name: string, opts?: Options) => {
          add(flags, name, opts);
          return recorder;
        };
      if (prop === 'options')
        return (nameOrMap: string | Record<string, Options>, opts?: Options) => {
          if (typeof nameOrMap === 'string') add(flags, nameOrMap, opts);
          else for (const [name, o] of Object.entries(nameOrMap)) add(flags, name, o);
          return recorder;
        };
      if (prop === 'positional')
        return (name: string, opts?: PositionalOptions) => {
          add(positionals, name, opts);
          return recorder;
        };
      return () => recorder;
    },
  });
  const builder = mod.builder;
  if (typeof builder === 'function') builder(recorder);
  else if (builder) for (const [name, o] of Object.entries(builder)) add(flags, name, o);
  return { positionals, flags };
}

/** A flag's record: the option table's fields when it comes from there, else its help text split. */
function describeFlag(command: string, name: string, opts: Options | PositionalOptions): CliFlag {
  const describe = String(opts.describe ?? opts.description ?? '');
  const spec = tableEntry(command, name, describe);
  const base = {
    name,
    type: String(opts.type ?? 'string'),
    repeatable: (opts as Options).array === true,
    required: opts.demandOption !== undefined && opts.demandOption !== false,
    ...(opts.choices ? { choices: ([] as unknown[]).concat(opts.choices).map(String) } : {}),
  };
  if (spec) {
    const own = spec.byCommand?.[command as OptionCommand];
    const def = own !== undefined ? String(own.shown ?? own.default) : spec.default !== undefined ? String(spec.default) : spec.shownDefault;
    return { ...base, describe: spec.help, ...(spec.env ? { env: spec.env + (spec.envForm ? `, ${spec.envForm}` : '') } : {}), ...(def !== undefined ? { default: def } : {}) };
  }
  const tail = splitTail(describe);
  const yargsDefault = opts.default !== undefined ? String(opts.default) : undefined;
  const def = tail.default ?? yargsDefault;
  return { ...base, describe: tail.describe, ...(tail.env ? { env: tail.env } : {}), ...(def !== undefined ? { default: def } : {}) };
}

/**
 * `what it does [env X; default Y]` → its parts. The tail is the convention
 * {@link helpOf} writes and the commands' own flags follow by hand; a
 * bracket that is not such a tail stays in the text.
 */
function splitTail(text: string): { describe: string; env?: string; default?: string } {
  const m = /^(.*?)\s*\[([^[\]]+)\]$/s.exec(text);
  if (!m) return { describe: text };
  let env: string | undefined;
  let def: string | undefined;
  for (const part of m[2]!.split(/;\s*/)) {
    const e = /^env\s+(.+)$/.exec(part);
    const d = /^default:?\s+(.+)$/.exec(part);
    if (e) env = e[1]!;
    else if (d) def = d[1]!;
    else return { describe: text };
  }
  return { describe: m[1]!, ...(env ? { env } : {}), ...(def ? { default: def } : {}) };
}
