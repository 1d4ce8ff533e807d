/**
 * `npm run bench:compare-calibration`: how often does `hotbench compare`
 * cry wolf, and how often does it catch a real slowdown?
 *
 * K same-code pairs: two runs of the same strategy, scenario and seed
 * (`--repeat R` repetitions each), compared; any `regression` is a false
 * alarm. K planted pairs: the candidate's strategy waits before every op
 * (`./slowdown.ts`: same label, so compare pairs it as usual), by
 * `--slowdown` (default 25%) of that pair's baseline median p99 ack
 * latency, so its p99 (and, for a synchronous strategy, posting delay p99)
 * is that much worse; a `regression` is a detection, `pass` or
 * `inconclusive` a miss. Pairs alternate (same-code, planted, ...) so that
 * the machine's drift lands on both kinds alike. Every run records into
 * ClickHouse and compare reads both runs back from it (`compareRuns`, as
 * `hotbench compare` does: single repetitions judged by their batch means).
 *
 * Targets: 0 false regressions in 20 same-code pairs; at least
 * 19 of 20 planted 25% slowdowns detected.
 *
 * Usage: npm run bench:compare-calibration -- [--pairs 20] [--repeat 3] [--strategy atomic] [--rate 300] [--duration 3s]
 *   [--slowdown 25%] [--min-effect 10%] [--pg URL] [--clickhouse URL] [--data-dir DIR]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../scenarios/index.js';
import { buildThresholds, compareRuns, parseRunRef, type Comparison } from '../reports/compare/index.js';
import { openStore } from '../results/open-store.js';
import { resultsStoreOf } from '../runner/lifecycle/run-stack.js';
import type { RunReport } from '../reports/common/report-types.js';
import { median } from '../reports/compare/statistics.js';
import { builtinRegistry } from '../strategies/registry.js';
import { resolveRunConfig, type ResolvedRunConfig } from '../runner/config/run-config.js';
import { runBenchmark } from '../runner/api/run.js';
import { planStrategies } from '../runner/replay/plan.js';
import type { PlannedStrategy } from '../runner/replay/plan.js';
import { parseDurationUs, parsePositive } from '../runner/config/units.js';
import { installSignalHandlers, interrupted } from '../runner/stack/lifecycle.js';
import { openPostgres } from '../runner/stack/postgres.js';
import { parseFlags } from './flags.js';
import { withPlantedDelay } from './slowdown.js';

/** The hot-account scenario's base rate (ops/s): `--rate` is reached with `--rate-scale`. */
const HOT_ACCOUNT_RATE = 1_000;
const FLAGS = ['pairs', 'repeat', 'strategy', 'rate', 'duration', 'slowdown', 'min-effect', 'pg', 'clickhouse', 'data-dir'] as const;
const USAGE =
  'flags: --pairs 20 (of each kind), --repeat 3 (repetitions per run), --strategy atomic, --rate 300 (ops/s), --duration 3s, --slowdown 25% (planted, of the baseline p99), --min-effect 10%, --pg URL, --clickhouse URL, --data-dir DIR';

/** What compare said about one pair. */
type Outcome = 'pass' | 'regression' | 'inconclusive';

/** compare's overall answer (exit 0 pass, 1 regression, 3 inconclusive). */
function outcomeOf(c: Comparison): Outcome {
  return c.decision;
}

/** `25%` or `0.25` as a share. */
function parseShare(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (!m) throw new Error(`${flag} must be a share such as 25% or 0.25, got ${JSON.stringify(text)}; ${USAGE}`);
  const v = Number(m[1]) / (m[2] === '%' ? 100 : 1);
  if (!(v > 0 && v < 10)) throw new Error(`${flag} must be above 0 and below 1000%, got ${text}`);
  return v;
}

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  const pairs = f.has('pairs') ? parsePositive(f.get('pairs'), '--pairs', { integer: true, max: 500 }) : 20;
  const repeat = f.has('repeat') ? parsePositive(f.get('repeat'), '--repeat', { integer: true, max: 50 }) : 3;
  const strategy = f.get('strategy') ?? 'atomic';
  const rate = f.has('rate') ? parsePositive(f.get('rate'), '--rate', { max: 1_000_000 }) : 300;
  const durationUs = f.has('duration') ? parseDurationUs(f.get('duration')!, '--duration') : 3_000_000;
  const slowdown = f.has('slowdown') ? parseShare(f.get('slowdown')!, '--slowdown') : 0.25;
  const minEffect = f.has('min-effect') ? f.get('min-effect')! : undefined;
  const dataDir = f.get('data-dir') ?? mkdtempSync(join(tmpdir(), 'hotbench-calibration-'));
  installSignalHandlers(() => process.stderr.write('\nstopping...\n'));
  // One PostgreSQL for every run (embedded unless --pg): a fresh database per replay all the same, without a server start per run.
  const stack = await openPostgres(f.has('pg') ? { url: f.get('pg')! } : {});
  try {
    const config: ResolvedRunConfig = await resolveRunConfig(
      {
        scenario: join(packageRoot(), 'bench', 'scenarios', 'hot-account.yaml'),
        strategies: strategy,
        repeat,
        duration: `${durationUs}us`,
        rateScale: rate / HOT_ACCOUNT_RATE,
        pg: stack.adminUrl,
        // The machine's own spread is not what is calibrated here, and measuring it before each run doubled a pair's time.
        noiseFloor: 'off',
        dataDir,
        out: join(dataDir, 'reports'),
        ...(f.has('clickhouse') || process.env['CLICKHOUSE_URL'] ? { clickhouse: f.get('clickhouse') ?? process.env['CLICKHOUSE_URL'] } : {}),
      },
      {},
    );
    const planned = planStrategies(strategy, builtinRegistry());
    const thresholds = buildThresholds({ flags: [], ...(minEffect !== undefined ? { minEffect } : {}) });
    const load = loadavg();
    console.log(`bench:compare-calibration: ${pairs} same-code and ${pairs} planted-slowdown pairs of ${strategy}, ${repeat} repetition(s) a run, ${rate} ops/s for ${durationUs / 1e6} s, planted slowdown ${Math.round(slowdown * 100)}% of the baseline p99`);
    console.log(`machine: ${cpus().length} cores, load average ${load.map((l) => l.toFixed(2)).join(' ')}${load[0]! > 1 ? ' (BUSY: other work shares these cores)' : ''}; server: ${stack.description}`);

    const run = async (strategies: readonly PlannedStrategy[], tag: string): Promise<RunReport> => {
      const result = await runBenchmark(config, { registry: builtinRegistry(), strategies, log: () => undefined, progress: 'off', abort: interrupted, command: `bench:compare-calibration ${tag}` });
      if (result.report === undefined || result.status !== 'complete') throw new Error(`run ${result.runId} (${tag}) did not complete (${result.status})`);
      return result.report;
    };
    const tally = { same: { pass: 0, regression: 0, inconclusive: 0 }, planted: { pass: 0, regression: 0, inconclusive: 0 } };
    /** A run's completed repetitions' ack latency quantile `q`, ms. */
    const ackMs = (r: RunReport, q: 'p50' | 'p99'): number[] => r.strategies.filter((s) => s.status === 'completed').map((s) => (s.ack_latency_us[q] ?? 0) / 1000);
    // Per repetition: the p99 compare judged, and the median beside it, to see whether the tail's noise hid a slowdown.
    const latencyText = (r: RunReport): string => `${ackMs(r, 'p99').map((v) => v.toFixed(1)).join('/')} (p50 ${ackMs(r, 'p50').map((v) => v.toFixed(1)).join('/')})`;
    for (let i = 1; i <= pairs && !interrupted.aborted; i++) {
      for (const kind of ['same', 'planted'] as const) {
        if (interrupted.aborted) break;
        let baseline: RunReport;
        let candidate: RunReport;
        let delayMs = 0;
        try {
          baseline = await run(planned, `pair ${i} ${kind} baseline`);
          delayMs = kind === 'planted' ? Math.max(1, Math.round(slowdown * median(ackMs(baseline, 'p99')))) : 0;
          candidate = await run(kind === 'planted' ? planned.map((p) => withPlantedDelay(p, delayMs)) : planned, `pair ${i} ${kind} candidate`);
        } catch (err) {
          if (interrupted.aborted) break; // the pairs judged so far are still counted below
          throw err;
        }
        // Exactly what `hotbench compare --baseline <id> --candidate <id>` does, reading both runs back from ClickHouse.
        const store = await openStore(resultsStoreOf(config));
        let c: Comparison;
        try {
          c = await compareRuns(store, { baseline: parseRunRef(baseline.run.run_id, '--baseline'), candidate: parseRunRef(candidate.run.run_id, '--candidate'), thresholds });
        } finally {
          await store.close();
        }
        const outcome = outcomeOf(c);
        tally[kind][outcome]++;
        const flagged = c.strategies.flatMap((s) => s.metrics.filter((m) => m.verdict === 'regression' || m.verdict === 'inconclusive').map((m) => `${m.metric} ${m.verdict}: ${m.reason}`));
        console.log(
          `pair ${String(i).padStart(2)} ${kind === 'same' ? 'same code' : `planted +${delayMs} ms`}: ${outcome} (p99 ms per repetition: baseline ${latencyText(baseline)}, candidate ${latencyText(candidate)})${flagged.length > 0 ? `: ${flagged.join('; ')}` : ''}`,
        );
      }
    }
    const n = (k: keyof typeof tally): number => tally[k].pass + tally[k].regression + tally[k].inconclusive;
    if (interrupted.aborted) console.log(`\ninterrupted: the rates below count the ${n('same') + n('planted')} pairs judged before the signal`);
    const rate1 = (x: number, of: number): string => `${x} of ${of}${of > 0 ? ` (${((100 * x) / of).toFixed(0)}%)` : ''}`;
    console.log(`\nfalse alarms: ${rate1(tally.same.regression, n('same'))} same-code pairs called a regression (target 0 of 20); inconclusive ${tally.same.inconclusive}, pass ${tally.same.pass}`);
    console.log(`detection: ${rate1(tally.planted.regression, n('planted'))} planted ${Math.round(slowdown * 100)}% slowdowns called a regression (target >= 19 of 20; inconclusive counts as missed: ${tally.planted.inconclusive}, pass ${tally.planted.pass})`);
    const after = loadavg();
    if (after[0]! > 1) console.log(`load average at the end ${after.map((l) => l.toFixed(2)).join(' ')}: busy machine, figures are indicative only`);
  } finally {
    await stack.stop();
    if (!f.has('data-dir')) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`bench:compare-calibration: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  process.exit(2);
});
