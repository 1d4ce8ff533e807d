/**
 * Flag parsing shared by the harness benchmarks (bench:driver, bench:repeat,
 * bench:memory): `--name value` pairs checked against a list of known
 * flags, so a typo is one clear line instead of a silently ignored value.
 */

/** Thrown for a bad command line; the bench prints its message and the usage, no stack trace. */
export class FlagError extends Error {
  override readonly name = 'FlagError';
}

/** Parses `--name value` pairs; every name must be in `known`. Values are returned as typed. */
export function parseFlags(argv: readonly string[], known: readonly string[], usage: string): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const name = flag.startsWith('--') ? flag.slice(2) : '';
    if (!known.includes(name)) throw new FlagError(`unknown flag ${JSON.stringify(flag)}; ${usage}`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new FlagError(`${flag} needs a value; ${usage}`);
    flags.set(name, value);
  }
  return flags;
}
