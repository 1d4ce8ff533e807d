/**
 * The `hotbench` command line: one module per command (./commands), shared
 * flags in ./flags.ts. Bad input and unreachable servers end with one clean
 * line and a non-zero exit; only a bug in hotbench prints a stack, and only
 * with HOTBENCH_DEBUG=1.
 */
import yargs, { type CommandModule } from 'yargs';
import { isUserFacing, oneLine } from '../errors.js';
import { redactText } from '../config/redact.js';
import { runTeardowns } from '../stack/lifecycle.js';
import { COMMANDS } from './commands/index.js';
import { commandName } from './reference.js';

/** Parses `argv` and runs the command. Resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  let usageError: string | undefined;
  let suggestion: string | undefined;
  const cli = yargs(argv)
    .scriptName('hotbench')
    .usage('$0 <command> [options]\n\nMeasure hot-account balance-update strategies on real PostgreSQL, Redis and Kafka.')
    .command(COMMANDS as CommandModule[])
    .demandCommand(1, `name a command: ${commandList()}`)
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((message, err) => {
      if (err) throw err;
      // A suggestion comes before the "Unknown argument" it explains: keep it for that line.
      if (/^Did you mean /.test(message)) return void (suggestion = message);
      // Throw, not just remember: yargs goes on to run the command after an invalid choice
      // (`run --progress loud` ran the whole benchmark, then exited 2).
      usageError = suggestion === undefined ? message : `${message} (${suggestion.replace(/^D/, 'd')})`;
      throw new UsageError(message);
    });
  try {
    await cli.parseAsync();
  } catch (err) {
    await runTeardowns();
    if (!(err instanceof UsageError)) return reportError(err);
  }
  if (usageError !== undefined) {
    // yargs spreads some messages (invalid choices) over several lines: one problem, one line.
    process.stderr.write(`hotbench: ${clip(redactText(usageError.replace(/\s*\n\s*/g, ' ')))} (see hotbench --help)\n`);
    return 2;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

/** `run, scenarios, ... or history`: the command names for the line that asks for one. */
function commandList(): string {
  const names = COMMANDS.map(commandName);
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** A command-line usage problem found by yargs (printed by {@link main} with a pointer to --help). */
class UsageError extends Error {}

/** Longest line printed for an error, characters: a 5,000-character value echoed back is not a clear line. */
const MAX_LINE = 400;

/** Cuts the middle out of an overlong line, saying how much was cut. */
function clip(line: string): string {
  if (line.length <= MAX_LINE) return line;
  return `${line.slice(0, 280)} …(${line.length - 340} characters cut)… ${line.slice(-60)}`;
}

function reportError(err: unknown): number {
  if (isUserFacing(err)) {
    process.stderr.write(`hotbench: ${redactText(err.message).split('\n').map(clip).join('\n')}\n`);
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const debug = process.env['HOTBENCH_DEBUG'] === '1';
  process.stderr.write(`hotbench: internal error: ${redactText(oneLine(err))}${debug ? '' : ' (set HOTBENCH_DEBUG=1 for the stack)'}\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${redactText(err.stack)}\n`);
  return 1;
}
