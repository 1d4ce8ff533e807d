/**
 * `npm run bench:driver`: how fast is the harness itself?
 *
 * The `noop` strategy (answers `applied` at once, in process, no ledger)
 * behind the real path: generator → open-loop driver → record sink →
 * recorder → ClickHouse (chdb by default), report read back. The offered
 * rate is stepped up (one short run per step, all in this process so the
 * JIT is warm) until a step has 1% or more of its ops sent late (more than
 * the late threshold after their intended time). The highest step under 1%
 * is the rate the driver sustains. Every number is read from the run's
 * report in ClickHouse, and each step checks that ClickHouse holds exactly
 * as many op rows as the plan has ops.
 *
 * Steps last 10 s. What makes ops late is a few stalls of 10–30 ms (garbage
 * collection, other work on the machine); over 3 s one such stall decided a
 * step, so the figure followed the luck of the draw: five runs with
 * `--step 3s` (the old default) gave 76,000, 119,000, 95,000, 95,000 and
 * 76,000 ops/s on one day, where 10-s steps gave 119,000 each time.
 *
 * Then autocannon against a trivial node:http server (in a child process)
 * gives the ceiling of the HTTP path on the same machine; the ratio of the
 * two is printed. Target: ≥ 100,000 ops/s in process.
 *
 * Usage: npm run bench:driver -- [--from 25000] [--factor 1.25] [--max 400000] [--step 10s]
 *   [--late-threshold 5ms] [--concurrency 512] [--http-duration 5s] [--http-connections 64]
 *   [--pg URL] [--clickhouse URL] [--data-dir DIR]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDurationUs, parsePositive } from '../runner/config/units.js';
import { installSignalHandlers, interrupted } from '../runner/stack/lifecycle.js';
import { FlagError, parseFlags } from './flags.js';
import { measureHttpCeiling } from './http-ceiling.js';
import { openBenchPostgres, runNoop, writeConstantScenario } from './noop-run.js';
import { measureIngestCost, measurePipelineCost } from './driver-cost.js';
import { compilePlan, loadScenario } from '../scenarios/index.js';
import { openStore } from '../results/open-store.js';

const TARGET_OPS_PER_S = 100_000;
/** A step passes with fewer late ops than this share. */
const MAX_LATE_SHARE = 0.01;
/** Ops of the flat-out CPU cost pass. */
const COST_OPS = 500_000;
/** The search stops after this many failing steps in a row (one can be a hiccup of a shared machine). */
const FAILS_TO_STOP = 2;

const FLAGS = ['from', 'factor', 'max', 'step', 'late-threshold', 'concurrency', 'http-duration', 'http-connections', 'pg', 'clickhouse', 'data-dir'] as const;
const USAGE =
  'flags: --from 25000, --factor 1.25, --max 400000, --step 10s, --late-threshold 5ms, --concurrency 512, --http-duration 5s, --http-connections 64, --pg URL, --clickhouse URL, --data-dir DIR';

interface Args {
  from: number;
  factor: number;
  max: number;
  stepUs: number;
  lateThresholdUs: number;
  concurrency: number;
  httpDurationS: number;
  httpConnections: number;
  pg: string | undefined;
  clickhouse: string | undefined;
  dataDir: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const f = parseFlags(argv, FLAGS, USAGE);
  const num = (name: string, fallback: number, opts: { integer?: boolean; max?: number } = {}): number => (f.has(name) ? parsePositive(f.get(name), `--${name}`, opts) : fallback);
  const us = (name: string, fallback: number): number => (f.has(name) ? parseDurationUs(f.get(name)!, `--${name}`) : fallback);
  const args: Args = {
    from: num('from', 25_000, { integer: true, max: 10_000_000 }),
    factor: num('factor', 1.25, { max: 10 }),
    max: num('max', 400_000, { integer: true, max: 10_000_000 }),
    stepUs: us('step', 10_000_000),
    lateThresholdUs: us('late-threshold', 5_000),
    concurrency: num('concurrency', 512, { integer: true, max: 1_000_000 }),
    httpDurationS: us('http-duration', 5_000_000) / 1e6,
    httpConnections: num('http-connections', 64, { integer: true, max: 10_000 }),
    pg: f.get('pg') ?? (process.env['PG_URL'] || undefined),
    clickhouse: f.get('clickhouse') ?? (process.env['CLICKHOUSE_URL'] || undefined),
    dataDir: f.get('data-dir'),
  };
  if (args.factor <= 1) throw new FlagError(`--factor must be above 1 (each step offers factor × the last rate); ${USAGE}`);
  return args;
}

/** One step's numbers, all from the report in ClickHouse. */
interface Step {
  readonly rate: number;
  readonly ops: number;
  readonly late: number;
  readonly lateShare: number;
  readonly goodput: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly passed: boolean;
  /** This process's CPU time over the whole step (setup and report included; chdb runs in process), as a share of one core. */
  readonly cpuShare: number;
}

/** The next step's rate: `factor` × this one, rounded to thousands from 10,000 up; always higher. */
function nextRate(rate: number, factor: number): number {
  const next = rate * factor;
  return Math.max(rate + 1, next >= 10_000 ? Math.round(next / 1000) * 1000 : Math.ceil(next));
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function step(args: Args, pgUrl: string, rate: number, durationUs: number, dataDir: string): Promise<Step> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { replay, result } = await runNoop({
    rate,
    durationUs,
    dataDir,
    concurrency: args.concurrency,
    lateThresholdUs: args.lateThresholdUs,
    pg: pgUrl,
    clickhouse: args.clickhouse,
    command: 'bench:driver',
    abort: interrupted,
  });
  // The recording must be complete for the step to count: one op row per planned op.
  if (replay.ops.recorded !== replay.ops.planned) throw new Error(`run ${result.runId}: ClickHouse holds ${replay.ops.recorded} op rows for ${replay.ops.planned} planned ops`);
  const late = replay.ops.late;
  const lateShare = replay.ops.sent > 0 ? late / replay.ops.sent : 1;
  return {
    rate,
    ops: replay.ops.planned,
    late,
    lateShare,
    goodput: replay.goodput_per_s ?? 0,
    p99Ms: (replay.ack_latency_us.p99 ?? 0) / 1000,
    maxMs: (replay.ack_latency_us.max ?? 0) / 1000,
    passed: lateShare < MAX_LATE_SHARE,
    cpuShare: cpuSeconds(process.cpuUsage(cpu0)) / ((performance.now() - t0) / 1000),
  };
}

function cpuSeconds(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1e6;
}

function line(s: Step, label = ''): string {
  return [
    `${label}${fmt(s.rate).padStart(9)} ops/s offered`,
    `${fmt(s.ops).padStart(9)} ops`,
    // Three decimals: a step at 0.9995% passes, and "1.00% ok" read as if the bar were ≤ 1%.
    `late ${(s.lateShare * 100).toFixed(3).padStart(7)}% (${fmt(s.late)})`,
    `goodput ${fmt(s.goodput).padStart(9)} ops/s`,
    `ack p99 ${s.p99Ms.toFixed(1).padStart(7)} ms, max ${s.maxMs.toFixed(1).padStart(7)} ms`,
    `cpu ${(s.cpuShare * 100).toFixed(0).padStart(3)}% of a core`,
    s.passed ? 'ok' : 'LATE',
  ].join(' · ');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  installSignalHandlers(() => process.stderr.write('\nstopping after this step...\n'));
  const dataDir = args.dataDir ?? mkdtempSync(join(tmpdir(), 'hotbench-driver-'));
  const load = loadavg();
  console.log(
    `bench:driver: noop strategy, open loop, recording on (${args.clickhouse ? 'ClickHouse server' : 'chdb'}); steps of ${args.stepUs / 1e6} s from ${fmt(args.from)} ops/s ×${args.factor}; ` +
      `late = sent > ${args.lateThresholdUs / 1000} ms after intended; a step passes with < ${MAX_LATE_SHARE * 100}% late`,
  );
  console.log(`machine: ${cpus().length} cores, load average ${load.map((l) => l.toFixed(2)).join(' ')}${load[0]! > 1 ? ' (BUSY: other work shares these cores; figures are indicative only)' : ''}, node ${process.version}`);
  const pg = await openBenchPostgres(args.pg);
  try {
    // Warm-up: the JIT compiles the hot path before the first measured step.
    const warm = await step(args, pg.url, Math.max(1_000, Math.round(args.from / 2)), 1_000_000, dataDir);
    console.log(line(warm, 'warm-up  '));
    const steps: Step[] = [];
    let failsInRow = 0;
    for (let rate = args.from; rate <= args.max && failsInRow < FAILS_TO_STOP && !interrupted.aborted; rate = nextRate(rate, args.factor)) {
      const s = await step(args, pg.url, rate, args.stepUs, dataDir);
      steps.push(s);
      console.log(line(s, 'step     '));
      failsInRow = s.passed ? 0 : failsInRow + 1;
    }
    const best = steps.filter((s) => s.passed).reduce<Step | undefined>((b, s) => (b === undefined || s.rate > b.rate ? s : b), undefined);
    if (interrupted.aborted) return;

    // CPU per op, flat out: holds on a busy machine, where the late-op search above does not.
    const plan = compilePlan(await loadScenario(writeConstantScenario(dataDir, COST_OPS, 1_000_000)), {});
    const pipeline = await measurePipelineCost(plan, COST_OPS, dataDir);
    let ingestLine = 'ClickHouse ingest: not measured (--clickhouse server)';
    let ingestUs = 0;
    if (args.clickhouse === undefined) {
      const store = await openStore({ dataDir: join(dataDir, 'clickhouse'), database: 'hotbench_bench_cost' });
      try {
        await store.migrate();
        const ingest = await measureIngestCost(store, pipeline.bodies, COST_OPS);
        ingestUs = ingest.cpuUsPerOp;
        ingestLine = `ClickHouse ingest (chdb, in process, ops + postings rows) ${ingest.cpuUsPerOp.toFixed(2)} µs CPU per op`;
        await store.query('DROP DATABASE IF EXISTS hotbench_bench_cost');
      } finally {
        await store.close();
      }
    }
    const perCore = (us: number): string => (us > 0 ? `${fmt(1e6 / us)} ops/s per core` : 'n/a');
    console.log(
      `\nCPU per op, flat out (${fmt(COST_OPS)} ops): generator + driver + record sink + recorder encoding ${pipeline.cpuUsPerOp.toFixed(2)} µs (${perCore(pipeline.cpuUsPerOp)}, ` +
        `the main thread's ceiling); ${ingestLine}${ingestUs > 0 ? ` (${perCore(ingestUs)})` : ''}; together ${perCore(pipeline.cpuUsPerOp + ingestUs)}, ${cpus().length} cores`,
    );

    console.log(`\nHTTP ceiling: autocannon, ${args.httpConnections} connections, pipelining 1, ${args.httpDurationS} s, against a trivial node:http server (child process)...`);
    const http = await measureHttpCeiling({ durationS: args.httpDurationS, connections: args.httpConnections });
    console.log(`autocannon: ${fmt(http.requestsPerS)} req/s (${fmt(http.total)} requests, p99 ${http.p99Ms} ms, ${http.errors} errors)`);

    const sustained = best?.rate ?? 0;
    console.log(
      `\ndriver sustains ${fmt(sustained)} ops/s in process with < ${MAX_LATE_SHARE * 100}% late` +
        `${best ? ` (goodput ${fmt(best.goodput)} ops/s, ack p99 ${best.p99Ms.toFixed(1)} ms)` : ' (no step passed)'}` +
        `; ${http.requestsPerS > 0 ? (sustained / http.requestsPerS).toFixed(1) : 'n/a'}× autocannon's ${fmt(http.requestsPerS)} req/s over HTTP` +
        `; target ≥ ${fmt(TARGET_OPS_PER_S)} ops/s: ${sustained >= TARGET_OPS_PER_S ? 'met' : 'NOT met'}` +
        `${best && best === steps[steps.length - 1] ? ' (the last step passed: raise --max to find the limit)' : ''}`,
    );
    const after = loadavg();
    console.log(`load average at the end ${after.map((l) => l.toFixed(2)).join(' ')}${after[0]! > 1 ? ': busy machine, re-measure on a quiet one' : ''}`);
  } finally {
    await pg.stop();
    if (args.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`bench:driver: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  process.exit(1);
});
