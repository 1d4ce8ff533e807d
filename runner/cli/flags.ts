/**
 * Flags shared by several commands, declared once (STYLE.md §11): the
 * settings themselves live in the option table (runner/config/options.ts);
 * this module adds them to commands. Flags have no yargs defaults on purpose: an absent flag must stay `undefined` so the
 * environment and the scenario file can supply the value (see runner/config/run-config.ts).
 */
import type { Argv } from 'yargs';
import { optionSpec, optionsFor } from '../config/options.js';
import { readOption, type OptionLayers } from '../config/resolve-options.js';
import { STACKS } from '../stack/compose.js';

/** Where the results live: `--clickhouse`, `--data-dir` and `--stack`, from the option table (runner/config/options.ts). */
export function storeFlags<T>(y: Argv<T>) {
  return optionsFor(y, 'report');
}

/** `--json`: machine output on stdout, everything else on stderr. */
export function jsonFlag<T>(y: Argv<T>) {
  return y.option('json', { type: 'boolean', describe: 'print machine-readable JSON on stdout (progress and notes go to stderr)' });
}

/**
 * Reads `--clickhouse`/`--data-dir` as a run would (runner/config/resolve-options.ts):
 * the default < the stack preset < environment < flags.
 */
export function storeLocation(argv: { clickhouse?: string | undefined; dataDir?: string | undefined; stack?: string | undefined }, env: NodeJS.ProcessEnv = process.env): { url?: string; dataDir: string } {
  const layers: OptionLayers = { flags: argv, env, command: 'report' };
  const stack = readOption(optionSpec('stack'), layers).value as string | undefined;
  const url = readOption(optionSpec('clickhouse'), { ...layers, ...(stack !== undefined ? { stack: STACKS[stack]! } : {}) }).value as string | undefined;
  const dataDir = readOption(optionSpec('dataDir'), layers).value as string;
  return { ...(url ? { url } : {}), dataDir: `${dataDir}/clickhouse` };
}
