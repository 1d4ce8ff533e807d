/**
 * `npm run bench:report-rss`: how much memory rendering a long run's report
 * takes on the embedded store, apart from everything else.
 *
 * Writes a synthetic run of `--ops` ops (default 12,000,000: ten minutes at
 * 20,000 ops/s) into a fresh chdb folder, then loads its report in a fresh
 * child process (so nothing of the writing is still resident) and prints that
 * process's RSS before, at the peak (sampled every 10 ms) and after the load,
 * with the load's wall time.
 *
 * Usage: npm run bench:report-rss -- [--ops 12000000] [--data-dir DIR]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRunReport } from '../reports/run/queries.js';
import { openStore } from '../results/open-store.js';
import { parseFlags } from './flags.js';
import { writeSyntheticRun } from './synthetic-run.js';

const USAGE = 'flags: --ops 12000000, --data-dir DIR (kept when given)';
const mb = (bytes: number): string => `${Math.round(bytes / 1e6)} MB`;

/** Child: loads the report of `runId` from `dir` and prints one line of RSS figures. */
async function measure(dir: string, runId: string): Promise<void> {
  const store = await openStore({ dataDir: dir });
  try {
    const before = process.memoryUsage.rss();
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
    const t0 = performance.now();
    await loadRunReport(store, runId);
    const ms = performance.now() - t0;
    clearInterval(timer);
    const after = process.memoryUsage.rss();
    peak = Math.max(peak, after);
    console.log(`loadRunReport ${Math.round(ms).toLocaleString('en-US')} ms; RSS ${mb(before)} before (chdb opened), peak ${mb(peak)} (+${mb(peak - before)}), ${mb(after)} after`);
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--measure') return measure(argv[1]!, argv[2]!);
  const f = parseFlags(argv, ['ops', 'data-dir'], USAGE);
  const ops = f.has('ops') ? Number(f.get('ops')) : 12_000_000;
  if (!Number.isSafeInteger(ops) || ops < 1) throw new Error(`--ops must be a whole number ≥ 1; ${USAGE}`);
  const dir = f.get('data-dir') ?? mkdtempSync(join(tmpdir(), 'hotbench-report-rss-'));
  try {
    const store = await openStore({ dataDir: dir });
    let runId: string;
    try {
      await store.migrate();
      const written = await writeSyntheticRun(store, `report-rss-${Date.now()}`, ops);
      runId = written.runId;
      console.log(`bench:report-rss: wrote a synthetic run of ${ops.toLocaleString('en-US')} ops in ${(written.insertMs / 1000).toFixed(1)} s; loading its report in a fresh process...`);
    } finally {
      await store.close();
    }
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--measure', dir, runId], { stdio: 'inherit' });
    if (child.status !== 0) throw new Error(`the measuring process failed (exit ${child.status})`);
  } finally {
    if (!f.has('data-dir')) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`bench:report-rss: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  process.exit(1);
});
