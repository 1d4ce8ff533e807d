/**
 * `npm run bench:usl`: how does a strategy's throughput on the hot account
 * scale with the connection pool, and what pool size is best?
 *
 * For each pool size of `--connections` (default 2,4,8,16,32) the strategy
 * (default `atomic`) replays the hot-account scenario at an offered rate far
 * above what it can take (`--rate`, default 5,000 ops/s: saturated, so
 * goodput is its throughput), repeated until the goodput's 95% interval is
 * within ±10% (at most `--max-reps`, default 4; `../runner/repeat-until-tight.ts`),
 * each repetition on a fresh ledger. The Universal Scalability Law is fitted
 * to the medians (`../reports/noise/usl.ts`): σ (contention), κ (coherency)
 * and the best pool size N* = √((1 − σ)/κ), printed with the curve, and
 * written as an SVG plot (`--out`, default usl-<strategy>.svg).
 *
 * Why: seed 002 方案8.1 treats the pool as a tuning knob; `atomic` ran twice
 * as fast with 4 connections as with 16 on one hot row here. Throughput also
 * depends on run length (dead row versions of the hot row pile up until
 * vacuum): compare sweeps of the same `--duration` only.
 *
 * Usage: npm run bench:usl -- [--strategy atomic] [--connections 2,4,8,16,32] [--rate 5000] [--duration 5s]
 *   [--max-reps 4] [--pg URL] [--clickhouse URL] [--out FILE]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../scenarios/index.js';
import { fitUsl, uslThroughput, type SweepPoint, type UslFit } from '../reports/noise/usl.js';
import { builtinRegistry } from '../strategies/registry.js';
import { resolveRunConfig } from '../runner/config/run-config.js';
import { runBenchmark } from '../runner/api/run.js';
import { repeatUntilTight } from '../runner/repeat-until-tight.js';
import { parseDurationUs, parsePositive } from '../runner/config/units.js';
import { installSignalHandlers, interrupted } from '../runner/stack/lifecycle.js';
import { openPostgres } from '../runner/stack/postgres.js';
import { parseFlags } from './flags.js';

const HOT_ACCOUNT_RATE = 1_000;
const FLAGS = ['strategy', 'connections', 'rate', 'duration', 'max-reps', 'pg', 'clickhouse', 'out'] as const;
const USAGE = 'flags: --strategy atomic, --connections 2,4,8,16,32, --rate 5000 (ops/s offered, saturating), --duration 5s, --max-reps 4, --pg URL, --clickhouse URL, --out usl-<strategy>.svg';

/** The fitted curve and the measured points as an SVG (no script). */
export function uslSvg(points: readonly { n: number; median: number; lo: number; hi: number }[], fit: UslFit, title: string): string {
  const W = 640;
  const H = 360;
  const pad = { l: 60, r: 20, t: 30, b: 40 };
  const maxN = Math.max(...points.map((p) => p.n), fit.nStar ?? 0) * 1.1;
  const maxX = Math.max(...points.map((p) => p.hi), fit.peakThroughput ?? 0) * 1.15;
  const sx = (n: number): number => pad.l + ((W - pad.l - pad.r) * n) / maxN;
  const sy = (x: number): number => H - pad.b - ((H - pad.t - pad.b) * x) / maxX;
  const curve = Array.from({ length: 101 }, (_, i) => {
    const n = 1 + ((maxN - 1) * i) / 100;
    return `${sx(n).toFixed(1)},${sy(uslThroughput(fit, n)).toFixed(1)}`;
  }).join(' ');
  const dots = points
    .map((p) => `<line x1="${sx(p.n)}" x2="${sx(p.n)}" y1="${sy(p.lo)}" y2="${sy(p.hi)}" stroke="#1b1f24"/><circle cx="${sx(p.n)}" cy="${sy(p.median)}" r="4" fill="#4e79a7"/><text x="${sx(p.n)}" y="${H - pad.b + 15}" text-anchor="middle">${p.n}</text>`)
    .join('');
  const star = fit.nStar === null ? '' : `<line x1="${sx(fit.nStar)}" x2="${sx(fit.nStar)}" y1="${pad.t}" y2="${H - pad.b}" stroke="#e15759" stroke-dasharray="4 3"/><text x="${sx(fit.nStar) + 4}" y="${pad.t + 12}" fill="#e15759">N* ${fit.nStar.toFixed(1)}</text>`;
  const esc = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">` +
    `<text x="${pad.l}" y="18" font-weight="600">${esc(title)}</text>` +
    `<line x1="${pad.l}" x2="${W - pad.r}" y1="${H - pad.b}" y2="${H - pad.b}" stroke="#999"/><line x1="${pad.l}" x2="${pad.l}" y1="${pad.t}" y2="${H - pad.b}" stroke="#999"/>` +
    `<text x="${W / 2}" y="${H - 5}" text-anchor="middle">connections</text><text x="12" y="${H / 2}" transform="rotate(-90 12 ${H / 2})" text-anchor="middle">goodput, ops/s</text>` +
    `<text x="${pad.l - 6}" y="${sy(maxX / 1.15) + 4}" text-anchor="end">${Math.round(maxX / 1.15)}</text>` +
    `<polyline points="${curve}" fill="none" stroke="#f28e2b" stroke-width="2"/>${star}${dots}</svg>`
  );
}

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  const strategy = f.get('strategy') ?? 'atomic';
  const sizes = (f.get('connections') ?? '2,4,8,16,32').split(',').map((t) => parsePositive(t.trim(), '--connections', { integer: true, max: 500 }));
  if (new Set(sizes).size < 3) throw new Error(`--connections needs 3 or more different pool sizes for the fit, got ${sizes.join(',')}; ${USAGE}`);
  const rate = f.has('rate') ? parsePositive(f.get('rate'), '--rate', { max: 1_000_000 }) : 5_000;
  const durationUs = f.has('duration') ? parseDurationUs(f.get('duration')!, '--duration') : 5_000_000;
  const maxReps = f.has('max-reps') ? parsePositive(f.get('max-reps'), '--max-reps', { integer: true, max: 20 }) : 4;
  const out = resolve(f.get('out') ?? `usl-${strategy.replace(/[^a-z0-9-]/gi, '_')}.svg`);
  const dataDir = mkdtempSync(join(tmpdir(), 'hotbench-usl-'));
  installSignalHandlers(() => process.stderr.write('\nstopping...\n'));
  const stack = await openPostgres(f.has('pg') ? { url: f.get('pg')! } : {});
  try {
    const load = loadavg();
    console.log(`bench:usl: ${strategy} at ${rate} ops/s offered for ${durationUs / 1e6} s, pools ${sizes.join(', ')}, each repeated until goodput is within ±10% (at most ${maxReps}); ${stack.description}`);
    console.log(`machine: ${cpus().length} cores, load average ${load.map((l) => l.toFixed(2)).join(' ')}${load[0]! > 1 ? ' (BUSY: figures are indicative only)' : ''}; capacity depends on run length: compare sweeps of the same --duration`);
    const points: { n: number; median: number; lo: number; hi: number; reps: number }[] = [];
    for (const n of sizes) {
      if (interrupted.aborted) break;
      const config = await resolveRunConfig(
        {
          scenario: join(packageRoot(), 'bench', 'scenarios', 'hot-account.yaml'),
          strategies: strategy,
          duration: `${durationUs}us`,
          rateScale: rate / HOT_ACCOUNT_RATE,
          connections: n,
          pg: stack.adminUrl,
          dataDir,
          out: join(dataDir, 'reports'),
          ...(f.has('clickhouse') || process.env['CLICKHOUSE_URL'] ? { clickhouse: f.get('clickhouse') ?? process.env['CLICKHOUSE_URL'] } : {}),
        },
        {},
      );
      const m = await repeatUntilTight(
        async () => {
          const result = await runBenchmark(config, { registry: builtinRegistry(), log: () => undefined, progress: 'off', abort: interrupted, command: 'bench:usl' });
          const s = result.report?.strategies.find((r) => r.status === 'completed');
          return s?.goodput_per_s ?? null;
        },
        { maxReps, abort: interrupted },
      );
      const e = m.estimate;
      points.push({ n, median: e.point, lo: e.lo, hi: e.hi, reps: m.values.length });
      console.log(`  ${String(n).padStart(3)} connections: goodput ${Math.round(e.point)} ops/s (95% CI ${Math.round(e.lo)}–${Math.round(e.hi)}, ${m.values.length} repetitions${m.tight ? '' : ', NOT within ±10%'}): ${m.values.map((v) => Math.round(v)).join(', ')}`);
    }
    const fit = fitUsl(points.map((p): SweepPoint => ({ connections: p.n, throughput: p.median })));
    console.log(
      `USL fit: λ ${fit.lambda.toFixed(1)} ops/s per connection, σ ${fit.sigma.toFixed(4)} (contention), κ ${fit.kappa.toExponential(3)} (coherency), R² ${fit.r2.toFixed(3)}; ` +
        (fit.nStar === null ? 'no peak (κ = 0): throughput levels off, more connections never hurt' : `best pool size N* = √((1 − σ)/κ) = ${fit.nStar.toFixed(1)} connections, peak ${Math.round(fit.peakThroughput!)} ops/s`),
    );
    writeFileSync(out, uslSvg(points, fit, `${strategy}: goodput vs connections, USL fit (σ ${fit.sigma.toFixed(3)}, κ ${fit.kappa.toExponential(2)})`));
    console.log(`plot: ${out}`);
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`bench:usl: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  process.exit(1);
});
