/**
 * The servers a recorded run works against, opened and closed in one place
 * for `run` and `capacity`: the results store (migrated), PostgreSQL
 * (embedded or `--pg`) and the providers of the strategies' other needs.
 * Also where a run's report files are rendered from the store.
 */
import type { Need } from '../../strategies/contract.js';
import { join } from 'node:path';
import { loadRunReport } from '../../reports/run/queries.js';
import type { StoreLocation } from '../../results/open-store.js';
import { openStore } from '../../results/open-store.js';
import type { Store } from '../../results/store.js';
import { writeReports } from '../../reports/run/write-report.js';
import { historySection } from '../../reports/history/section.js';
import type { HtmlOptions } from '../../reports/run/render-html.js';
import type { RunReport } from '../../reports/common/report-types.js';
import type { ResolvedRunConfig } from '../config/run-config.js';
import { oneLine, UserError } from '../errors.js';
import { PortProviders } from '../stack/needs.js';
import { openProviders } from '../stack/providers.js';
import { openPostgres, type PostgresStack } from '../stack/postgres.js';
import { ledgerShardCount, pgUrlList } from '../config/pg-shards.js';

/** The open parts of a run's stack. */
export interface RunStack {
  readonly store: Store;
  readonly postgres: PostgresStack;
  /**
   * The ledger shards of `sharded(...)` strategies, one server each: index 0
   * is {@link postgres}; the others are the further `--pg` URLs or the
   * further embedded servers of `--pg-shards`. Length 1 without either.
   */
  readonly ledgerShards: readonly PostgresStack[];
  readonly providers: PortProviders;
}

/** Where the run's results go: `--clickhouse` if given, else chdb under `<data-dir>/clickhouse`. */
export function resultsStoreOf(config: ResolvedRunConfig): StoreLocation {
  return { ...(config.clickhouseUrl ? { url: config.clickhouseUrl } : {}), dataDir: join(config.dataDir, 'clickhouse') };
}

/**
 * Opens the store, PostgreSQL and the providers, logs where results and the
 * ledger live, runs `fn`, and stops every part it opened, also when opening
 * or `fn` fails. `needs`: what the planned strategies need, so a part
 * hotbench would have to start (an embedded Kafka) is started only if used;
 * default: everything.
 */
export async function withRunStack<T>(config: ResolvedRunConfig, log: (line: string) => void, fn: (stack: RunStack) => Promise<T>, needs?: readonly Need[]): Promise<T> {
  if (config.keepDatabases && !config.pgUrl) {
    // The embedded server's data directory goes with it when the run ends: nothing could be kept.
    throw new UserError('--keep-databases needs an external server: give --pg postgres://user@host:5432/db (or PG_URL); the embedded server and its data are removed when the run ends.');
  }
  const shardCount = ledgerShardCount(config);
  const urls = pgUrlList(config.pgUrl);
  const store = await openStore(resultsStoreOf(config));
  let postgres: PostgresStack | undefined;
  const extraShards: PostgresStack[] = [];
  let providers = new PortProviders();
  try {
    await store.migrate();
    postgres = await openPostgres(urls[0] ? { url: urls[0] } : {});
    // One at a time: several embedded servers starting at once on a loaded machine only slow each other down.
    for (let i = 1; i < shardCount; i++) extraShards.push(await openPostgres(urls[i] ? { url: urls[i] } : {}));
    providers = await openProviders({ config, postgres, log, ...(needs ? { needs } : {}) });
    const ledgerShards = [postgres, ...extraShards];
    log(`results: ${store.description}; ledger: ${postgres.description}`);
    if (shardCount > 1) log(`ledger shards for sharded(...): ${ledgerShards.map((s, i) => `${i}: ${s.description}`).join('; ')}`);
    return await fn({ store, postgres, ledgerShards, providers });
  } finally {
    for (const shard of extraShards) await shard.stop();
    await postgres?.stop();
    await providers.stop();
    await store.close();
  }
}

/** The HTML report's extra sections: the scenario's history; a history that cannot be read costs only its section. */
export async function reportSections(store: Store, report: RunReport, log: (line: string) => void): Promise<HtmlOptions> {
  try {
    const history = await historySection(store, report);
    return history ? { sections: [history] } : {};
  } catch (err) {
    log(`report: the history section was left out (${oneLine(err)})`);
    return {};
  }
}

/**
 * Loads run `runId`'s report from `store` and writes its files to `outDir`;
 * when that fails the results stay recorded, so it logs how to render them
 * later and returns no report.
 */
export async function renderRunReports(store: Store, runId: string, outDir: string, log: (line: string) => void) {
  try {
    const report = await loadRunReport(store, runId);
    const files = await writeReports(report, outDir, await reportSections(store, report, log));
    return { report, files };
  } catch (err) {
    log(`report: could not be rendered (${oneLine(err)}); the results are recorded: run \`hotbench report ${runId}\` later`);
    return { report: undefined, files: undefined };
  }
}
