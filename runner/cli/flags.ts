/**
 * Flags shared by several commands, declared once (STYLE.md §11): the
 * settings themselves live in the option table (runner/config/options.ts);
 * this module adds them to commands. Flags have no yargs defaults on purpose: an absent flag must stay `undefined` so the
 * environment and the scenario file can supply the value (see runner/config/run-config.ts).
 */
import type { Argv } from 'yargs';
import { defaultOf, envName, envValue, flagOf, optionsFor } from '../config/options.js';
import { stackPreset } from '../stack/compose.js';

/** Where the results live: `--clickhouse`, `--data-dir` and `--stack`, from the option table (runner/config/options.ts). */
export function storeFlags<T>(y: Argv<T>) {
  return optionsFor(y, 'report');
}

/** `--json`: machine output on stdout, everything else on stderr. */
export function jsonFlag<T>(y: Argv<T>) {
  return y.option('json', { type: 'boolean', describe: 'print machine-readable JSON on stdout (progress and notes go to stderr)' });
}

/**
 * Reads `--clickhouse`/`--data-dir` with the precedence of runner/config/run-config.ts:
 * the stack preset < environment < flags.
 */
export function storeLocation(argv: { clickhouse?: string | undefined; dataDir?: string | undefined; stack?: string | undefined }, env: NodeJS.ProcessEnv = process.env): { url?: string; dataDir: string } {
  const stack = stackPreset(argv.stack ?? envValue(env, 'stack'), argv.stack !== undefined ? flagOf('stack') : envName('stack')!);
  const url = argv.clickhouse ?? envValue(env, 'clickhouse') ?? stack?.preset.clickhouse;
  const dataDir = argv.dataDir ?? envValue(env, 'dataDir') ?? defaultOf('dataDir');
  return { ...(url ? { url } : {}), dataDir: `${dataDir}/clickhouse` };
}
