/**
 * `npm run bench:fidelity`: does the harness itself cost throughput?
 *
 * pgbench and hotbench's `row-lock` run the same transaction (byte for byte,
 * the SQL row-lock sends) on the same hot row, with the same number of
 * clients (16), against the same PostgreSQL server, alternately, and the
 * bench prints each rate and the ratio hotbench / pgbench. hotbench's rate is
 * read from the run's report in ClickHouse (goodput), never from in-memory
 * counters. Target: ratio ≥ 0.9.
 *
 * Each round also runs the same transaction from a bare node-pg loop
 * (`./node-pg-loop.ts`), splitting the gap into the client's cost and the
 * harness's; with `--native`, also from a bare libpq loop (`pg-native`, not a
 * dependency: install it to use the flag), to tell node-pg's protocol code
 * from Node itself. Each client's CPU time per transaction is printed beside
 * its rate (pgbench's read with the shell's `times`), and before the rounds
 * one client alone (no lock queue) gives each client's latency per
 * transaction: the five round trips' own cost.
 *
 * It also prints DESIGN.md §7's reference on this machine: pgbench's single
 * `UPDATE ... WHERE id = 1` on one hot row vs spread over 1,000 rows.
 *
 * hotbench records into chdb in this process unless `--clickhouse URL` (or
 * CLICKHOUSE_URL) names a server, which takes ClickHouse's threads off the
 * cores the client and PostgreSQL share.
 *
 * CPU layout (`--cpus`, default `both`): on a real deployment the server and
 * the clients run on separate hosts; here they share the machine's cores, and
 * the Node client's CPU is taken from PostgreSQL's. `isolated` gives the
 * embedded PostgreSQL (and every backend it forks) one half of the CPUs and
 * this process, its threads and pgbench the other half (`taskset`, see
 * runner/cpu-layout.ts); `shared` leaves everything on all CPUs; `both`
 * measures each round in both layouts, shared first, and prints both
 * figures. Isolation needs at least 2 CPUs and the embedded server (an
 * external `--pg` server is not ours to move): otherwise only `shared` runs,
 * and the bench says why. Targets: hotbench / pgbench ≥ 0.9 isolated,
 * hotbench / bare node-pg ≥ 0.95.
 *
 * Usage: npm run bench:fidelity -- [--pg URL] [--clickhouse URL] [--duration 10s] [--clients 16] [--rounds 2] [--cpus both|isolated|shared] [--native]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePlan, loadScenario, packageRoot } from '../scenarios/index.js';
import { TIMED_LOCK_ROW_SQL } from '../strategies/ledger.js';
import { ROW_LOCK_INSERT_SQL, ROW_LOCK_UPDATE_SQL } from '../strategies/row-lock/index.js';
import { builtinRegistry } from '../strategies/registry.js';
import { resolveRunConfig } from '../runner/config/run-config.js';
import { runBenchmark } from '../runner/api/run.js';
import { openPostgres, type PostgresStack } from '../runner/stack/postgres.js';
import { nodePgRowLockTps, type BareDriver, type LoopResult } from './node-pg-loop.js';
import { findPgbench, onFreshLedger, pgbench, pgbenchTarget, prepareLedger, type PgbenchResult } from '../runner/pgbench.js';
import { parseDurationUs, parsePositive } from '../runner/config/units.js';
import { installSignalHandlers, interrupted } from '../runner/stack/lifecycle.js';
import { redactUrl } from '../runner/config/redact.js';
import { allowedCpus, describeLayout, pinProcessTree, pinSelf, splitCpus, tasksetAvailable, type CpuLayout } from '../runner/cpu-layout.js';

/** Which CPU layouts to measure. */
type CpusChoice = 'both' | 'isolated' | 'shared';
/** A measured layout. */
type Mode = 'shared' | 'isolated';

interface Args {
  pg: string | undefined;
  clickhouse: string | undefined;
  durationUs: number;
  clients: number;
  rounds: number;
  cpus: CpusChoice;
  native: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { pg: process.env['PG_URL'] || undefined, clickhouse: process.env['CLICKHOUSE_URL'] || undefined, durationUs: 10_000_000, clients: 16, rounds: 2, cpus: 'both', native: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--native') {
      args.native = true;
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--pg') args.pg = value;
    else if (flag === '--clickhouse') args.clickhouse = value;
    else if (flag === '--duration') args.durationUs = parseDurationUs(value, '--duration');
    else if (flag === '--clients') args.clients = parsePositive(value, '--clients', { integer: true, max: 200 });
    else if (flag === '--rounds') args.rounds = parsePositive(value, '--rounds', { integer: true, max: 20 });
    else if (flag === '--cpus') {
      if (value !== 'both' && value !== 'isolated' && value !== 'shared') throw new Error(`--cpus must be both, isolated or shared, got ${JSON.stringify(value)}`);
      args.cpus = value;
    } else throw new Error(`unknown flag ${flag}; flags: --pg URL, --clickhouse URL, --duration 10s, --clients 16, --rounds 2, --cpus both|isolated|shared, --native`);
    i++;
  }
  return args;
}

/** The row-lock transaction as a pgbench script: the same statements, prepared once per connection and bound as parameters (-M prepared), as row-lock's named statements are. */
function rowLockScript(): string {
  const lock = TIMED_LOCK_ROW_SQL.replace('$1', '0').replace(/\s+/g, ' ');
  const insert = ROW_LOCK_INSERT_SQL.replace('$1', ':op').replace('$2', '0').replace('$3', '0').replace('$4', '-1').replace('$5', ':after');
  const update = ROW_LOCK_UPDATE_SQL.replace('$1', '0').replace('$2', ':after');
  return [
    // A per-client counter gives unique, ascending op ids, as hotbench's generator does.
    '\\set n :n + 1',
    '\\set op :client_id * 1000000000 + :n',
    'BEGIN;',
    `${lock} \\gset`,
    '\\set after :balance - 1',
    `${insert};`,
    `${update};`,
    'COMMIT;',
    '',
  ].join('\n');
}

async function hotbenchRowLock(stack: PostgresStack, offeredRate: number, args: Args, dataDir: string): Promise<{ goodput: number; runId: string }> {
  const scenario = join(packageRoot(), 'bench', 'scenarios', 'fidelity-hot-row.yaml');
  const config = await resolveRunConfig(
    {
      scenario,
      strategies: 'row-lock',
      duration: `${args.durationUs}us`,
      rateScale: offeredRate / 1000,
      pg: stack.adminUrl,
      ...(args.clickhouse ? { clickhouse: args.clickhouse } : {}),
      concurrency: args.clients,
      connections: args.clients,
      dataDir,
      out: join(dataDir, 'reports'),
    },
    {},
  );
  const result = await runBenchmark(config, { registry: builtinRegistry(), log: () => undefined, progress: 'off', abort: interrupted, command: 'bench:fidelity' });
  const s = result.report?.strategies[0];
  if (!s || result.status !== 'complete') throw new Error(`hotbench run ${result.runId} did not complete (${result.status})`);
  return { goodput: s.goodput_per_s ?? Number.NaN, runId: result.runId };
}

/** What a measurement's CHECKPOINT needs when it cannot be taken. */
const CHECKPOINT_NEEDS = 'bench:fidelity needs a --pg user that may checkpoint (superuser or pg_checkpoint)';

/** One round's readings. */
interface Round {
  readonly pgbench: PgbenchResult;
  readonly bare: LoopResult;
  readonly native: LoopResult | undefined;
  /** hotbench's goodput, ops/s (from ClickHouse). */
  readonly hotbench: number;
}

/** `cpuUsPerTxn` as `123 us/txn`. */
function cpu(r: { readonly cpuUsPerTxn: number }): string {
  return `${r.cpuUsPerTxn.toFixed(0)} us/txn`;
}

/** Latency per transaction of a one-client run, and its CPU. */
function usPerTxn(r: { readonly tps: number; readonly cpuUsPerTxn: number }): string {
  return `${(1e6 / r.tps).toFixed(0)} us per transaction (CPU ${r.cpuUsPerTxn.toFixed(0)} us)`;
}

/**
 * The layouts to measure and the split to isolate with: isolation needs 2+
 * CPUs, taskset and a server this process started. `why` says what ruled it out.
 */
function chooseLayouts(choice: CpusChoice, stack: PostgresStack): { modes: Mode[]; layout: CpuLayout | null; why: string } {
  const layout = splitCpus();
  const why = layout === null ? `this process may use only ${allowedCpus().length} CPU` : !tasksetAvailable() ? 'taskset (util-linux) is not installed' : stack.serverPid === undefined ? 'the server is external (--pg): not ours to pin' : '';
  if (choice === 'shared') return { modes: ['shared'], layout: null, why: 'shared only, as asked (--cpus shared)' };
  if (why !== '') {
    if (choice === 'isolated') throw new Error(`--cpus isolated is impossible here: ${why}`);
    return { modes: ['shared'], layout: null, why };
  }
  return { modes: choice === 'both' ? ['shared', 'isolated'] : ['isolated'], layout, why: '' };
}

/** Puts the server's processes and this one on `mode`'s CPUs (all of them when shared). */
function applyLayout(mode: Mode, layout: CpuLayout | null, all: readonly number[], stack: PostgresStack): void {
  if (layout === null || stack.serverPid === undefined) return;
  pinProcessTree(stack.serverPid(), mode === 'isolated' ? layout.server : all);
  pinSelf(mode === 'isolated' ? layout.client : all);
}

/** Prints one layout's figures: hotbench / pgbench against its target, and where the gap lies. */
function summarize(mode: Mode, layoutText: string, rows: readonly Round[], args: Args): void {
  if (rows.length === 0) return;
  const sum = (f: (r: Round) => number): number => rows.reduce((a, r) => a + f(r), 0);
  const pgSum = sum((r) => r.pgbench.tps);
  const hbSum = sum((r) => r.hotbench);
  const bareSum = sum((r) => r.bare.tps);
  const target = mode === 'isolated' ? ' (target >= 0.9)' : ' (no target: the client takes the server\'s CPU)';
  console.log(`fidelity ${mode} (${layoutText}): hotbench / pgbench = ${(hbSum / pgSum).toFixed(3)}${target} over ${rows.length} round(s), same SQL, ${args.clients} clients, one hot row`);
  console.log(`  of which the Node client: bare node-pg / pgbench = ${(bareSum / pgSum).toFixed(3)}; the harness on top: hotbench / bare node-pg = ${(hbSum / bareSum).toFixed(3)} (target >= 0.95)`);
  if (args.native) console.log(`  libpq instead of node-pg: bare libpq / pgbench = ${(sum((r) => r.native?.tps ?? Number.NaN) / pgSum).toFixed(3)}`);
  const meanCpu = (f: (r: Round) => number): string => `${(sum(f) / rows.length).toFixed(0)} us`;
  console.log(
    `  client CPU per transaction (mean of rounds): pgbench ${meanCpu((r) => r.pgbench.cpuUsPerTxn)}, node-pg ${meanCpu((r) => r.bare.cpuUsPerTxn)}` +
      (args.native ? `, libpq ${meanCpu((r) => r.native?.cpuUsPerTxn ?? Number.NaN)}` : ''),
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  installSignalHandlers(() => process.stderr.write('\nstopping...\n'));
  const bin = findPgbench();
  const stack = await openPostgres(args.pg ? { url: args.pg } : {});
  const dataDir = mkdtempSync(join(tmpdir(), 'hotbench-fidelity-data-'));
  const seconds = Math.round(args.durationUs / 1e6);
  try {
    console.log(`bench:fidelity on ${stack.description}, ${args.clients} clients, ${seconds} s per measurement, ${args.rounds} round(s); hotbench records into ${args.clickhouse ? redactUrl(args.clickhouse) : "chdb in this process"}`);
    const plan = compilePlan(await loadScenario(join(packageRoot(), 'bench', 'scenarios', 'fidelity-hot-row.yaml')), {});

    // DESIGN.md §7's reference: the bare UPDATE, one hot row vs 1,000 rows.
    const ref = await prepareLedger(stack, 'hb_fidelity_reference', plan.accounts);
    const refTarget = pgbenchTarget(ref.url);
    const hot = await pgbench(bin, refTarget, 'UPDATE accounts SET balance = balance - 1 WHERE id = 1;\n', args.clients, seconds);
    const spread = await pgbench(bin, refTarget, '\\set id random(0, 999)\nUPDATE accounts SET balance = balance - 1 WHERE id = :id;\n', args.clients, seconds);
    await ref.drop();
    console.log(`reference (pgbench, bare UPDATE): one hot row ${hot.tps.toFixed(0)} tps, 1,000 rows ${spread.tps.toFixed(0)} tps, gap ${(spread.tps / hot.tps).toFixed(2)}x`);

    const script = rowLockScript();
    // Every measurement on a fresh ledger after a CHECKPOINT, as hotbench takes one before each replay's clock.
    const fresh = <T>(name: string, measure: (url: string) => Promise<T>): Promise<T> => onFreshLedger(stack, name, plan.accounts, CHECKPOINT_NEEDS, measure);
    const runPgbench = (name: string, clients: number, secs: number): Promise<PgbenchResult> => fresh(name, (url) => pgbench(bin, pgbenchTarget(url), script, clients, secs));
    const loop = (name: string, driver: BareDriver, clients: number, secs: number): Promise<LoopResult> => fresh(name, (url) => nodePgRowLockTps(url, clients, secs, driver));

    // One client, no lock queue: each client's own latency per transaction (five round trips).
    const aloneSecs = Math.min(seconds, 5);
    const pgAlone = await runPgbench('hb_fidelity_alone', 1, aloneSecs);
    const bareAlone = await loop('hb_fidelity_alone', 'pg', 1, aloneSecs);
    const nativeAlone = args.native ? await loop('hb_fidelity_alone', 'native', 1, aloneSecs) : undefined;
    console.log(
      `one client alone (${aloneSecs} s each): pgbench ${usPerTxn(pgAlone)}, node-pg ${usPerTxn(bareAlone)}` +
        (nativeAlone ? `, libpq (pg-native) ${usPerTxn(nativeAlone)}` : '') +
        `: the Node client adds ${(1e6 / bareAlone.tps - 1e6 / pgAlone.tps).toFixed(0)} us per transaction`,
    );

    const all = allowedCpus();
    const { modes, layout, why } = chooseLayouts(args.cpus, stack);
    console.log(`CPU layouts: ${modes.map((m) => (m === 'isolated' ? describeLayout(layout, all.length) : describeLayout(null, all.length))).join('; then ')}${why ? ` (no isolated figure: ${why})` : ''}`);
    const rows = new Map<Mode, Round[]>(modes.map((m) => [m, []]));
    for (let round = 1; round <= args.rounds && !interrupted.aborted; round++) {
      for (const mode of modes) {
        if (interrupted.aborted) break;
        applyLayout(mode, layout, all, stack);
        const pgb = await runPgbench(`hb_fidelity_pgbench_${round}`, args.clients, seconds);
        const bare = await loop(`hb_fidelity_bare_${round}`, 'pg', args.clients, seconds);
        const native = args.native ? await loop(`hb_fidelity_native_${round}`, 'native', args.clients, seconds) : undefined;
        // Offer 25% more than the row takes, so the cap keeps all clients busy (open loop, saturated).
        const hb = await hotbenchRowLock(stack, Math.ceil(pgb.tps * 1.25), args, dataDir);
        rows.get(mode)!.push({ pgbench: pgb, bare, native, hotbench: hb.goodput });
        console.log(
          `round ${round} ${mode}: pgbench ${pgb.tps.toFixed(0)} tps (CPU ${cpu(pgb)}), bare node-pg loop ${bare.tps.toFixed(0)} tps (${(bare.tps / pgb.tps).toFixed(3)}, CPU ${cpu(bare)}), ` +
            (native ? `bare libpq loop ${native.tps.toFixed(0)} tps (${(native.tps / pgb.tps).toFixed(3)}, CPU ${cpu(native)}), ` : '') +
            `hotbench row-lock ${hb.goodput.toFixed(0)} ops/s (run ${hb.runId}), ratio ${(hb.goodput / pgb.tps).toFixed(3)}`,
        );
      }
    }
    applyLayout('shared', layout, all, stack);
    for (const mode of modes) summarize(mode, mode === 'isolated' ? describeLayout(layout, all.length) : describeLayout(null, all.length), rows.get(mode)!, args);
    console.log(`server: ${redactUrl(stack.description)}`);
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`bench:fidelity: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
