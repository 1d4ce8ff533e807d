/**
 * `npm run bench:memory`: does the harness's memory stay flat with run
 * length, and how long does the report of a huge run take?
 *
 * Part 1: the `noop` strategy at 20,000 ops/s for `--duration` (default 60 s)
 * through the real run path, recording on; this process's RSS is sampled
 * every 250 ms from start to end (plan summary, replay, flush, report) and
 * the peak and final values are printed, with the replay's own `rss_bytes`
 * samples (recorded in ClickHouse each second) at the start, middle and end
 * of the replay to show the slope. With chdb in the process it also prints
 * ClickHouse's own count of its memory (MemoryTracking, merges), to tell
 * how much of the RSS is ClickHouse's work. Target: a 10-minute run
 * (`--duration 600s`, 12 million ops) stays under 500 MB RSS.
 *
 * Part 2 (`--report-ops`, default 10,000,000; 0 skips it): a synthetic run of
 * that many ops is written straight into the same chdb store by ClickHouse
 * (`INSERT ... SELECT FROM numbers()`), then `loadRunReport` and the four
 * renderers are timed. Target: under 5 s for 10 million ops.
 *
 * Usage: npm run bench:memory -- [--duration 60s] [--rate 20000] [--report-ops 10000000] [--clickhouse URL]
 *   [--pg URL] [--data-dir DIR]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../results/open-store.js';
import { parseDurationUs, parsePositive } from '../runner/config/units.js';
import { installSignalHandlers, interrupted } from '../runner/stack/lifecycle.js';
import { parseFlags } from './flags.js';
import { openBenchPostgres, runNoop } from './noop-run.js';
import { timeReport } from './report-timing.js';
import { writeSyntheticRun } from './synthetic-run.js';

const RSS_LIMIT_BYTES = 500e6;
/** The report of 10 million ops renders within 5 s; smaller runs get the proportional share. */
const REPORT_MS_PER_10M_OPS = 5_000;
const SAMPLE_MS = 250;

const FLAGS = ['duration', 'rate', 'report-ops', 'pg', 'clickhouse', 'data-dir'] as const;
const USAGE = 'flags: --duration 60s, --rate 20000, --report-ops 10000000 (0 skips the report timing), --pg URL, --clickhouse URL (a server instead of chdb in this process; needs --report-ops 0), --data-dir DIR';

const mb = (bytes: number): string => `${Math.round(bytes / 1e6)} MB`;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Resident memory now, bytes: total, anonymous (heap, malloc) and file-backed (mapped code such as libchdb.so), from /proc on Linux. */
interface Resident {
  readonly rss: number;
  /** Anonymous resident bytes; equals `rss` where /proc is not available. */
  readonly anon: number;
  /** File-backed resident bytes (code and mapped files); 0 where /proc is not available. */
  readonly file: number;
  /** V8 heap in use (live and not yet collected), bytes. */
  readonly heap: number;
}

function resident(): Resident {
  const heap = process.memoryUsage().heapUsed;
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    const anon = kb('RssAnon');
    const file = kb('RssFile') + kb('RssShmem');
    if (Number.isFinite(anon) && Number.isFinite(file)) return { rss: anon + file, anon, file, heap };
  } catch {
    // not Linux: RSS only
  }
  const rss = process.memoryUsage.rss();
  return { rss, anon: rss, file: 0, heap };
}

/** Samples this process's resident memory until stopped; keeps the peak of each figure. */
function rssSampler() {
  const started = performance.now();
  const peak = { ...resident(), atS: 0 };
  const take = (): Resident => {
    const now = resident();
    if (now.rss > peak.rss) [peak.rss, peak.atS] = [now.rss, (performance.now() - started) / 1000];
    peak.anon = Math.max(peak.anon, now.anon);
    peak.file = Math.max(peak.file, now.file);
    peak.heap = Math.max(peak.heap, now.heap);
    return now;
  };
  const timer = setInterval(take, SAMPLE_MS);
  timer.unref();
  return {
    stop(): { peak: Resident & { atS: number }; final: Resident } {
      clearInterval(timer);
      const final = take();
      return { peak, final };
    },
  };
}

/** How often ClickHouse's own memory figures are read (chdb in process only), ms. */
const TRACKED_SAMPLE_MS = 2_000;

/**
 * Samples what ClickHouse itself counts as its memory (`system.metrics`
 * MemoryTracking, and the memory of merges running) while the replay runs,
 * through a store on the same chdb folder (one session per process, shared).
 * Keeps the peaks. It says how much of the anonymous RSS is ClickHouse's
 * queries, inserts and merges as ClickHouse accounts for them.
 */
async function trackedSampler(dataDir: string) {
  const store = await openStore({ dataDir });
  const peak = { tracked: 0, merges: 0 };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    store
      .query<{ tracked: number; merges: number }>(
        "SELECT (SELECT value FROM system.metrics WHERE metric = 'MemoryTracking') AS tracked, (SELECT sum(memory_usage) FROM system.merges) AS merges",
      )
      .then(([row]) => {
        peak.tracked = Math.max(peak.tracked, Number(row?.tracked ?? 0));
        peak.merges = Math.max(peak.merges, Number(row?.merges ?? 0));
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, TRACKED_SAMPLE_MS);
  timer.unref();
  return {
    async stop(): Promise<typeof peak> {
      clearInterval(timer);
      await store.close();
      return peak;
    },
  };
}

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  const durationUs = f.has('duration') ? parseDurationUs(f.get('duration')!, '--duration') : 60_000_000;
  const rate = f.has('rate') ? parsePositive(f.get('rate'), '--rate', { integer: true, max: 1_000_000 }) : 20_000;
  const reportOps = f.has('report-ops') ? Number(f.get('report-ops')) : 10_000_000;
  if (!Number.isSafeInteger(reportOps) || reportOps < 0) throw new Error(`--report-ops must be a whole number ≥ 0; ${USAGE}`);
  if (f.has('clickhouse') && reportOps > 0) throw new Error(`--clickhouse needs --report-ops 0 (the synthetic run is written by chdb); ${USAGE}`);
  const dataDir = f.get('data-dir') ?? mkdtempSync(join(tmpdir(), 'hotbench-memory-'));
  installSignalHandlers(() => process.stderr.write('\nstopping...\n'));
  const load = loadavg();
  console.log(`bench:memory: noop at ${fmt(rate)} ops/s for ${durationUs / 1e6} s (${fmt((rate * durationUs) / 1e6)} ops), recording on (${f.has('clickhouse') ? 'a ClickHouse server' : 'chdb in this process'}), RSS sampled every ${SAMPLE_MS} ms`);
  console.log(`machine: ${cpus().length} cores, load average ${load.map((l) => l.toFixed(2)).join(' ')}${load[0]! > 1 ? ' (BUSY: figures are indicative only)' : ''}, node ${process.version}`);

  const pg = await openBenchPostgres(f.get('pg') ?? (process.env['PG_URL'] || undefined));
  try {
    const before = resident();
    const sampler = rssSampler();
    const clickhouse = f.get('clickhouse');
    const tracked = clickhouse ? undefined : await trackedSampler(join(dataDir, 'clickhouse'));
    const { replay, result } = await runNoop({ rate, durationUs, dataDir, pg: pg.url, clickhouse, command: 'bench:memory', abort: interrupted, progress: 'plain' });
    const rss = sampler.stop();
    const trackedPeak = await tracked?.stop();
    console.log(
      `\nrun ${result.runId}: ${fmt(replay.ops.recorded)} of ${fmt(replay.ops.planned)} ops recorded, late ${((replay.ops.late / Math.max(1, replay.ops.sent)) * 100).toFixed(2)}%, goodput ${fmt(replay.goodput_per_s ?? 0)} ops/s`,
    );
    const store = await openStore({ ...(clickhouse ? { url: clickhouse } : {}), dataDir: join(dataDir, 'clickhouse') });
    try {
      const samples = await store.query<{ t_us: number; value: number }>(
        "SELECT t_us, value FROM samples WHERE run_id = {run:String} AND name = 'rss_bytes' ORDER BY t_us",
        { run: result.runId },
      );
      const at = (share: number) => samples[Math.min(samples.length - 1, Math.floor(share * (samples.length - 1)))];
      const points = [at(0), at(0.5), at(1)].filter((p) => p !== undefined).map((p) => `${(p.t_us / 1e6).toFixed(0)} s ${mb(p.value)}`);
      const first = samples[0];
      const last = samples[samples.length - 1];
      const slope = first && last && last.t_us > first.t_us ? ((last.value - first.value) / 1e6 / ((last.t_us - first.t_us) / 60e6)).toFixed(1) : 'n/a';
      console.log(`RSS during the replay (its rss_bytes samples in ClickHouse): ${points.join(' → ')}; slope ${slope} MB/min`);
      const { peak, final } = rss;
      console.log(
        `RSS of this process: ${mb(before.rss)} before the run, peak ${mb(peak.rss)} (at ${peak.atS.toFixed(1)} s), final ${mb(final.rss)}; ` +
          `limit ${mb(RSS_LIMIT_BYTES)}: ${peak.rss < RSS_LIMIT_BYTES ? 'met' : 'NOT met'}`,
      );
      console.log(
        `  of which: anonymous (JS heap, ClickHouse's and node's allocations) peak ${mb(peak.anon)}, final ${mb(final.anon)}; ` +
          `file-backed (mapped code, mostly libchdb.so: fixed, shared, reclaimable) peak ${mb(peak.file)}; V8 heap in use peak ${mb(peak.heap)}, final ${mb(final.heap)}`,
      );
      if (trackedPeak) {
        console.log(
          `  ClickHouse's own count (system.metrics MemoryTracking, every ${TRACKED_SAMPLE_MS / 1000} s during the replay): peak ${mb(trackedPeak.tracked)}, of which merges peak ${mb(trackedPeak.merges)}; ` +
            `the rest of the anonymous memory is not ClickHouse's queries or merges (thread stacks and allocator arenas, allocator-retained pages, node's buffers)`,
        );
      }

      if (reportOps > 0 && !interrupted.aborted) {
        console.log(`\nreport timing: writing a synthetic run of ${fmt(reportOps)} ops into the same store...`);
        const synthetic = await writeSyntheticRun(store, `synthetic-${result.runId}`, reportOps);
        console.log(`written in ${(synthetic.insertMs / 1000).toFixed(1)} s`);
        const limitMs = (REPORT_MS_PER_10M_OPS * reportOps) / 10_000_000;
        const cpu0 = process.cpuUsage();
        const t = await timeReport(store, synthetic.runId);
        const cpu = process.cpuUsage(cpu0);
        const r = t.renderMs;
        console.log(
          `loadRunReport ${fmt(t.loadMs)} ms; render terminal ${r.terminal.toFixed(0)} ms, markdown ${r.markdown.toFixed(0)} ms, json ${r.json.toFixed(0)} ms, html ${r.html.toFixed(0)} ms; ` +
            `total ${fmt(t.totalMs)} ms (CPU ${fmt((cpu.user + cpu.system) / 1000)} ms, ClickHouse in process); RSS now ${mb(process.memoryUsage.rss())}; ` +
            `limit ${fmt(limitMs)} ms (5 s per 10 M ops): ${t.totalMs < limitMs ? 'met' : 'NOT met'}`,
        );
      }
    } finally {
      await store.close();
    }
    const after = loadavg();
    if (after[0]! > 1) console.log(`load average at the end ${after.map((l) => l.toFixed(2)).join(' ')}: busy machine, re-measure on a quiet one`);
  } finally {
    await pg.stop();
    if (!f.has('data-dir')) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`bench:memory: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  process.exit(1);
});
