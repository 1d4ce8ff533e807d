/**
 * The programmatic API behind `hotbench blast`: closed-loop, maximum-rate
 * load with autocannon against any service that speaks the billing API
 * (runner/http/api.md): `hotbench serve`, or a user's own billing service.
 *
 * Each request carries the next op of the scenario's stream. Every answer is
 * recorded as an `ops` row (closed loop: intended = sent), autocannon's own
 * summary as `samples`, under a run like any other (`runs` row with command
 * `hotbench blast`, one `strategy_runs` row labelled `blast`, backend
 * `http`), and the normal report is rendered from ClickHouse. There is no
 * ledger audit: hotbench cannot read a foreign service's ledger.
 */
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { summarizePlan } from '../../scenarios/index.js';
import type { RunReport } from '../../reports/run/queries.js';
import type { StrategyRunRow } from '../../results/rows.js';
import { MonotonicClock, wallClockUtc } from '../clock.js';
import type { ResolvedRunConfig } from '../config/run-config.js';
import { oneLine, UserError } from '../errors.js';
import { autocannonRequest, BlastLedger, OpFeed } from '../http/blast-feed.js';
import { redactUrl } from '../config/redact.js';
import { recordedConfig } from '../config/run-config.js';
import { recordedStoreRun, type RunStatus } from '../lifecycle/recorded-run.js';

/** Options for {@link runBlast}. */
export interface BlastOptions {
  /** Base URL of the service, e.g. `http://127.0.0.1:8080` (a path prefix is kept). */
  readonly target: string;
  /** Scenario (op stream), seed, results store, report folder. */
  readonly config: ResolvedRunConfig;
  /** How long to blast, µs. */
  readonly durationUs: number;
  /** Concurrent connections, each with one request in flight. Default: `config.blastConnections` (10, blast's `--connections`). */
  readonly connections?: number;
  /** A request without an answer for this long counts as a timeout, s. Default: `config.blastTimeoutS` (10). */
  readonly timeoutS?: number;
  /** Id of the first op sent (a second blast at the same server needs new ids). Default: `config.firstOpId` (0). */
  readonly firstOpId?: number;
  /** Stops the blast early (Ctrl-C): what was measured is recorded, the run marked incomplete. */
  readonly abort?: AbortSignal;
  /** Run id to use; default a new one. */
  readonly runId?: string;
  log(line: string): void;
}

/** What a blast produced. */
export interface BlastResult {
  readonly runId: string;
  readonly status: RunStatus;
  readonly report: RunReport | undefined;
  readonly files: { readonly md: string; readonly json: string; readonly html: string } | undefined;
  /** The `strategy_runs` row. */
  readonly summary: StrategyRunRow;
  /** Answers by outcome, as recorded. */
  readonly counts: BlastLedger['counts'];
  /** autocannon's own result (latencies in ms, as autocannon reports them). */
  readonly autocannon: AutocannonResult | undefined;
  readonly store: string;
}

/** The fields of autocannon's result that hotbench records. */
export interface AutocannonResult {
  readonly latency: Readonly<Record<string, number>>;
  readonly requests: Readonly<Record<string, number>>;
  readonly throughput: Readonly<Record<string, number>>;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly resets: number;
  readonly duration: number;
  readonly statusCodeStats: Readonly<Record<string, { count: number }>>;
  readonly [key: string]: unknown;
}

interface AutocannonRequest {
  setupRequest(req: Record<string, unknown>, context: Record<string, unknown>): Record<string, unknown>;
  onResponse(status: number, body: string, context: Record<string, unknown>): void;
}
interface AutocannonTracker {
  on(event: 'tick', fn: (t: { counter: number; bytes: number }) => void): void;
  stop(): void;
}
type Autocannon = (opts: Record<string, unknown> & { requests: AutocannonRequest[] }, cb: (err: Error | null, result: AutocannonResult) => void) => AutocannonTracker;

/** Label and backend of the blast's `strategy_runs` row. */
export const BLAST_LABEL = 'blast';
/** Backend of the blast's `strategy_runs` row: every op went over HTTP. */
export const BLAST_BACKEND = 'http';

/** Runs the blast and records it. Throws a one-line error only before anything is measured (bad target, store unreachable). */
export async function runBlast(options: BlastOptions): Promise<BlastResult> {
  const { config } = options;
  const target = parseTarget(options.target);
  const connections = options.connections ?? config.blastConnections;
  const timeoutS = options.timeoutS ?? config.blastTimeoutS;
  const probe = await probeTarget(target);
  options.log(`target ${redactUrl(target.href)}: ${probe}`);
  options.log(`blast: ${connections} connections for ${(options.durationUs / 1e6).toFixed(1)} s, ops from scenario ${config.plan.name} (seed ${config.seed})`);

  const shownTarget = redactUrl(target.href);
  const params = { target: shownTarget, connections, duration_us: options.durationUs, timeout_s: timeoutS, first_op_id: options.firstOpId ?? config.firstOpId, pipelining: 1, target_says: probe };
  type Blasted = { summary: StrategyRunRow; counts: BlastLedger['counts']; autocannon: AutocannonResult | undefined };
  const run = await recordedStoreRun<Blasted>({
    config,
    ...(options.runId !== undefined ? { runId: options.runId } : {}),
    command: 'hotbench blast',
    log: options.log,
    runRow: () => ({
      recordedConfig: { command: 'blast', ...recordedConfig(config, undefined, 'blast'), ...params },
      stream: { sha256: summarizePlan(config.plan).sha256, totalOps: 0 }, // a closed loop plans nothing: it sends as fast as the answers come
      scheduleUs: options.durationUs,
    }),
    body: async ({ runId, recorder }) => {
      const key = { run_id: runId, strategy: BLAST_LABEL, rep: 0 };
      const clock = new MonotonicClock(); // the blast's time 0 is now
      const ledger = new BlastLedger(key, clock, (row) => recorder.push('ops', row));
      const started = wallClockUtc();
      const { result, error, interrupted } = await blastWith(target, { connections, timeoutS, durationUs: options.durationUs, firstOpId: options.firstOpId ?? config.firstOpId, config, ledger, abort: options.abort, onTick: (n) => recorder.push('samples', { ...key, t_us: clock.now(), name: 'blast_responses_per_s', value: n }) });
      const elapsed = clock.now();
      const { timedOut, cutOff } = ledger.unanswered(timeoutS * 1_000_000);
      for (const [name, value] of summarySamples(result, connections)) recorder.push('samples', { ...key, t_us: elapsed, name, value });

      const summary: StrategyRunRow = {
        ...key,
        idx: 0,
        name: BLAST_LABEL,
        backend: BLAST_BACKEND,
        params_json: JSON.stringify(params),
        status: error ? 'failed' : interrupted ? 'interrupted' : 'completed',
        detail: error
          ? `autocannon failed: ${error}`
          : `closed loop, ${connections} connections, against ${shownTarget}: no ledger audit is possible (hotbench does not own this service's ledger); ${timedOut} requests timed out; ${cutOff} in flight when the blast ended are not recorded`,
        started_at: started,
        schedule_us: options.durationUs,
        elapsed_us: elapsed,
        // Closed loop: nothing is planned; what was sent and answered (or timed out) is what was offered.
        planned_ops: ledger.counts.sent - cutOff,
        sent_ops: ledger.counts.sent - cutOff,
        late_ops: 0,
        late_threshold_us: 0,
        concurrency: connections,
        audited: 0,
        conservation_ok: 0,
        accounts_checked: 0,
      };
      recorder.push('strategy_runs', summary);
      const status: RunStatus = error ? 'failed' : interrupted ? 'incomplete' : 'complete';
      return { status, ...(error !== undefined ? { reason: error } : {}), value: { summary, counts: ledger.counts, autocannon: result } };
    },
  });
  return { runId: run.runId, status: run.status, report: run.report, files: run.files, ...run.value, store: run.store };
}

interface BlastRun {
  readonly connections: number;
  readonly timeoutS: number;
  readonly durationUs: number;
  readonly firstOpId: number;
  readonly config: ResolvedRunConfig;
  readonly ledger: BlastLedger;
  readonly abort: AbortSignal | undefined;
  /** Called once a second with that second's responses. */
  onTick(responses: number): void;
}

/** Runs autocannon; resolves with its result, or the one-line error it failed with. */
function blastWith(target: URL, run: BlastRun): Promise<{ result: AutocannonResult | undefined; error: string | undefined; interrupted: boolean }> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const feed = new OpFeed(run.config.plan, run.firstOpId);
  const basePath = target.pathname.replace(/\/+$/, '');
  const origin = `${target.protocol}//${target.host}`;
  return new Promise((resolve) => {
    let interrupted = false;
    const request: AutocannonRequest = {
      setupRequest: (req, context) => {
        const op = feed.next();
        context['op'] = op.id;
        run.ledger.sent(op);
        const r = autocannonRequest(op, basePath);
        return { ...req, method: r.method, path: r.path, body: r.body ?? '', headers: { ...(req['headers'] as Record<string, string> | undefined), ...r.headers } };
      },
      onResponse: (status, body, context) => run.ledger.answered(context['op'] as number, status, String(body)),
    };
    const tracker = autocannon(
      {
        url: origin,
        connections: run.connections,
        pipelining: 1,
        duration: run.durationUs / 1e6,
        timeout: run.timeoutS,
        requests: [request],
        ...(target.username ? { headers: { authorization: `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}` } } : {}),
      },
      (err, result) => {
        run.abort?.removeEventListener('abort', onAbort);
        resolve(err ? { result: undefined, error: oneLine(err), interrupted } : { result, error: undefined, interrupted });
      },
    );
    const onAbort = (): void => {
      interrupted = true;
      tracker.stop();
    };
    if (run.abort?.aborted) onAbort();
    else run.abort?.addEventListener('abort', onAbort, { once: true });
    // autocannon ticks once a second with the number of responses in that second.
    tracker.on('tick', ({ counter }) => run.onTick(counter));
  });
}

/** autocannon's summary as samples (µs for latencies; autocannon reports ms). */
function summarySamples(result: AutocannonResult | undefined, connections: number): [string, number][] {
  if (result === undefined) return [];
  const out: [string, number][] = [['autocannon_connections', connections]];
  const latency = result.latency;
  for (const k of ['mean', 'stddev', 'min', 'max', 'p50', 'p90', 'p97_5', 'p99', 'p99_9']) {
    const v = latency[k];
    if (typeof v === 'number' && Number.isFinite(v)) out.push([`autocannon_latency_${k}_us`, Math.round(v * 1000)]);
  }
  for (const k of ['mean', 'stddev', 'min', 'max', 'total', 'sent']) {
    const v = result.requests[k];
    if (typeof v === 'number' && Number.isFinite(v)) out.push([k === 'total' || k === 'sent' ? `autocannon_requests_${k}` : `autocannon_requests_per_s_${k}`, v]);
  }
  const bytes = result.throughput['mean'];
  if (typeof bytes === 'number') out.push(['autocannon_bytes_per_s_mean', bytes]);
  out.push(['autocannon_errors', result.errors], ['autocannon_timeouts', result.timeouts], ['autocannon_non2xx', result.non2xx], ['autocannon_duration_s', result.duration]);
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) out.push([`autocannon_status_${code}`, count]);
  return out;
}

function parseTarget(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`--target: ${JSON.stringify(redactUrl(text))} is not a URL; give the service's base URL, e.g. http://127.0.0.1:8080 (hotbench serve prints it).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`--target must start with http:// or https:// (got ${url.protocol}//...).`);
  if (url.search !== '' || url.hash !== '') throw new UserError(`--target: give the base URL without ?query or #fragment, e.g. http://127.0.0.1:8080.`);
  return url;
}

/** Asks `GET /healthz` once, so an unreachable target fails in one line before anything is recorded. */
function probeTarget(target: URL): Promise<string> {
  const basePath = target.pathname.replace(/\/+$/, '');
  const get = target.protocol === 'https:' ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const req = get(new URL(`${basePath}/healthz`, target), { timeout: 5_000, rejectUnauthorized: false } as http.RequestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          const h = JSON.parse(text) as { strategy?: unknown; backend?: unknown };
          if (res.statusCode === 200 && typeof h.strategy === 'string') return resolve(`hotbench serve, strategy ${h.strategy} [${String(h.backend)}]`);
        } catch {
          // Not hotbench serve: any answer shows the service is there.
        }
        resolve(`answers GET /healthz with HTTP ${res.statusCode}`);
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(new UserError(`--target ${redactUrl(target.href)} is unreachable (${err.code ?? err.message}); start the service (e.g. hotbench serve --strategy row-lock) or fix --target.`)),
    );
  });
}
