/**
 * The run's ledger shards: how many PostgreSQL servers a `sharded(...)`
 * strategy spreads its ledger over, from `--pg` (one shard per
 * comma-separated URL) or `--pg-shards N` (N embedded servers).
 */
import { UserError } from '../errors.js';

/** The URLs of `--pg` (comma-separated, already checked by the option's parser); [] when none was given. */
export function pgUrlList(pgUrl: string | undefined): string[] {
  return pgUrl === undefined || pgUrl === '' ? [] : pgUrl.split(',').map((u) => u.trim());
}

/**
 * How many ledger shards the run has (≥ 1): the number of `--pg` URLs, else
 * `--pg-shards`, else 1. Throws a one-line {@link UserError} when both are
 * given and disagree.
 */
export function ledgerShardCount(config: { readonly pgUrl?: string | undefined; readonly pgShards?: number | undefined }): number {
  const urls = pgUrlList(config.pgUrl).length;
  if (urls > 0 && config.pgShards !== undefined && config.pgShards !== urls) {
    throw new UserError(`--pg-shards ${config.pgShards} but --pg gives ${urls} URL${urls === 1 ? '' : 's'}: with --pg each URL is one shard; drop --pg-shards, or drop --pg to start ${config.pgShards} embedded servers.`);
  }
  return urls > 0 ? urls : (config.pgShards ?? 1);
}
