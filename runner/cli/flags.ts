/**
 * Flags shared by several commands, declared once (STYLE.md §11). Flags have
 * no yargs defaults on purpose: an absent flag must stay `undefined` so the
 * environment and the scenario file can supply the value (see runner/config/run-config.ts).
 */
import type { Argv } from 'yargs';
import { stackPreset } from '../stack/compose.js';

/** Where the results live: `--clickhouse` and `--data-dir`. */
export function storeFlags<T>(y: Argv<T>) {
  return y
    .option('clickhouse', {
      type: 'string',
      describe: 'ClickHouse server URL (http://user:pass@host:8123) for results [env CLICKHOUSE_URL; default: embedded chdb under --data-dir]',
    })
    .option('data-dir', {
      type: 'string',
      describe: "hotbench's own data: the embedded ClickHouse store and the recorder spool [env HOTBENCH_HOME; default .hotbench]",
    })
    .option('stack', { type: 'string', describe: 'use the docker-compose.yml services (compose) for every part not given otherwise [env HOTBENCH_STACK; default none]' });
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
  const stack = stackPreset(argv.stack ?? nonEmpty(env['HOTBENCH_STACK']), argv.stack !== undefined ? '--stack' : 'HOTBENCH_STACK');
  const url = argv.clickhouse ?? nonEmpty(env['CLICKHOUSE_URL']) ?? stack?.preset.clickhouse;
  const dataDir = argv.dataDir ?? nonEmpty(env['HOTBENCH_HOME']) ?? '.hotbench';
  return { ...(url ? { url } : {}), dataDir: `${dataDir}/clickhouse` };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}
