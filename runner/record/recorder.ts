/**
 * The recorder: the only writer of results (STYLE.md §4). The load driver
 * and the strategies' events call `push` on the hot path; rows are buffered
 * per table and written to ClickHouse in batches off that path, one insert
 * in flight per table.
 *
 * Nothing is dropped. When ClickHouse fails or falls behind, rows go to a
 * local spool (TabSeparated lines per table, see `./spool.ts`) and are replayed, in
 * order, once inserts succeed again; failed inserts are retried with
 * backoff. Rows whose values do not fit their columns (a bug upstream) are
 * set aside in `<spoolDir>/<table>.invalid.ndjson` and counted, never lost.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RowOf, TableName } from '../../results/rows.js';
import { TABLES } from '../../results/rows.js';
import type { Store } from '../../results/store.js';
import { firstLine } from '../../results/errors.js';
import { Lane, type LaneHost, type LaneSettings } from './lane.js';
import { acquireSpoolDir, SpoolFile, type SpoolDir } from './spool.js';

/** Options of {@link Recorder}. */
export interface RecorderOptions {
  /** Folder for the spool (created when needed). One recorder per folder; a second one gets a private subfolder. */
  readonly spoolDir: string;
  /** Receives one line when ClickHouse becomes unavailable (spooling starts) and when it has caught up. */
  readonly onNote?: (line: string) => void;
  /** How often buffered rows are sent, ms. Default 250. */
  readonly flushIntervalMs?: number;
  /** A table's buffer is sent as soon as it holds this many rows; also the insert batch size. Default 20 000. */
  readonly batchRows?: number;
  /** Rows a table may hold in memory (about 200 bytes each) while ClickHouse is slow before new rows go to the spool. Default 250 000. */
  readonly maxBufferedRows?: number;
  /** How long `flush()`/`close()` wait for ClickHouse before spooling what is left, ms. Default 10 000. */
  readonly flushDeadlineMs?: number;
  /** First retry delay after a failed insert, ms; doubles up to `retryMaxMs`. Default 100. */
  readonly retryMinMs?: number;
  /** Longest retry delay, ms. Default 5 000. */
  readonly retryMaxMs?: number;
}

/** Per-table counts, in rows. */
export interface TableStats {
  readonly pushed: number;
  /** Acknowledged by ClickHouse (including replays from the spool). */
  readonly written: number;
  /** Still in memory. */
  readonly pending: number;
  /** On disk in the spool, not yet written. */
  readonly spooled: number;
  /** Set aside because a value did not fit its column. */
  readonly invalid: number;
}

/** What {@link Recorder.stats} reports. Totals are summed over tables. */
export interface RecorderStats extends TableStats {
  readonly tables: Readonly<Record<TableName, TableStats>>;
  /** Failed insert (or spool write) attempts so far. */
  readonly failures: number;
  /** The last failure, one line, password-free; '' if none. */
  readonly lastError: string;
  /** True while some table sends new rows to the spool. */
  readonly spooling: boolean;
  /** The spool folder in use. */
  readonly spoolDir: string;
}

/** What {@link Recorder.flush} and {@link Recorder.close} resolve with. */
export interface FlushResult {
  /** True when every row pushed before the call is in ClickHouse. */
  readonly complete: boolean;
  /** Rows in the spool (when not complete: the rest is there, safe, and will be replayed). */
  readonly spooled: number;
  /** Rows set aside as invalid so far. */
  readonly invalid: number;
  readonly spoolDir: string;
  /** The last failure, one line, password-free; '' if none. */
  readonly lastError: string;
}

type Lanes = { [T in TableName]: Lane<T> };

/** Buffers rows per table and writes them to a {@link Store} in batches. See the module comment. */
export class Recorder {
  readonly #lanes: Lanes;
  readonly #settings: LaneSettings;
  readonly #intervalMs: number;
  readonly #deadlineMs: number;
  readonly #onNote: (line: string) => void;
  readonly #ready: Promise<void>;
  readonly #timer: NodeJS.Timeout;
  #store: Store;
  #spoolDir: SpoolDir | undefined;
  #spoolPath: string;
  #attached = false;
  #outage = false;
  #replayedBeforeOutage = 0;
  #failures = 0;
  #lastError = '';
  #closed: Promise<FlushResult> | undefined;

  constructor(store: Store, options: RecorderOptions) {
    this.#store = store;
    this.#spoolPath = options.spoolDir;
    this.#onNote = options.onNote ?? (() => undefined);
    this.#intervalMs = options.flushIntervalMs ?? 250;
    this.#deadlineMs = options.flushDeadlineMs ?? 10_000;
    this.#settings = {
      batchRows: options.batchRows ?? 20_000,
      maxBufferedRows: options.maxBufferedRows ?? 250_000,
      retryMinMs: options.retryMinMs ?? 100,
      retryMaxMs: options.retryMaxMs ?? 5_000,
    };
    const host = this.#host();
    this.#lanes = Object.fromEntries(TABLES.map((t) => [t, new Lane(t, host)])) as unknown as Lanes;
    this.#ready = this.#attachSpool().catch((err: unknown) => {
      this.#fail(err);
      this.#note(`no usable spool folder (${this.#lastError}): rows stay in memory until ClickHouse takes them`);
    });
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
    this.#timer.unref(); // a forgotten recorder must not keep the process alive; close() flushes
  }

  /**
   * Queues one row. Synchronous, O(1), never throws, never waits: safe on the
   * hot path. The row is encoded at once (it may be reused afterwards).
   */
  push<T extends TableName>(table: T, row: RowOf[T]): void {
    const lane = this.#lanes[table] as Lane<T> | undefined;
    if (lane === undefined) {
      this.#fail(new Error(`push to unknown table ${JSON.stringify(String(table))} ignored`));
      return;
    }
    lane.add(row);
    if (!lane.kicked && this.#attached && lane.buffer.hasFullBatch) {
      lane.kicked = true;
      setImmediate(() => {
        lane.kicked = false;
        void lane.pump(false);
      });
    }
  }

  /**
   * Resolves when every row pushed before the call is in ClickHouse
   * (`complete: true`), or, if ClickHouse does not take them within
   * `deadlineMs` (default `flushDeadlineMs`), once all of them are safely in
   * the spool (`complete: false`). An insert already in flight at the
   * deadline is awaited (bounded by the store's request timeout). Never throws.
   */
  async flush(options: { readonly deadlineMs?: number } = {}): Promise<FlushResult> {
    await this.#ready;
    if (!this.#attached) return this.#result(false);
    const lanes = Object.values(this.#lanes) as Lane<TableName>[];
    const targets = lanes.map((l) => l.seqEnd);
    const deadline = Date.now() + (options.deadlineMs ?? this.#deadlineMs);
    let spoolAsked = false;
    for (;;) {
      for (const lane of lanes) void lane.pump(true);
      if (lanes.every((l, i) => l.lowestUnwritten() >= targets[i]! && !l.settingAside)) return this.#result(true);
      if (Date.now() >= deadline) {
        if (!spoolAsked) {
          spoolAsked = true;
          lanes.forEach((l, i) => l.lowestUnwritten() < targets[i]! && l.spoolFromNow());
          this.#startOutage(`ClickHouse did not take every row within ${((options.deadlineMs ?? this.#deadlineMs) / 1000).toFixed(1)} s (${this.#lastError || 'slow'}); the rest is spooled under ${this.#spoolPath}`);
        }
        if (lanes.every((l, i) => l.lowestInMemory() >= targets[i]!)) return this.#result(false);
      }
      await sleep(10);
    }
  }

  /** Flushes (see {@link flush}), stops the timer and frees the spool folder. Idempotent. Never throws. */
  close(): Promise<FlushResult> {
    this.#closed ??= (async () => {
      // A row pushed while flushing (an onNote callback recording "caught up" or "spooling") is flushed
      // too; once ClickHouse missed a deadline, later rounds only move rows to the spool (no second wait).
      let pushed = this.#pushedTotal();
      let result = await this.flush();
      for (let round = 0; round < 3 && this.#pushedTotal() !== pushed; round++) {
        pushed = this.#pushedTotal();
        result = await this.flush(result.complete ? {} : { deadlineMs: 0 });
      }
      clearInterval(this.#timer);
      await this.#spoolDir?.release();
      return result;
    })();
    return this.#closed;
  }

  /**
   * Writes to `store` from now on (e.g. a server that came back, or another
   * store), retrying at once: spooled rows are replayed into it first.
   */
  setStore(store: Store): void {
    this.#store = store;
    for (const lane of Object.values(this.#lanes) as Lane<TableName>[]) {
      lane.retryNow();
      if (this.#attached) void lane.pump(true);
    }
  }

  /** Counts per table and in total, the last error and whether rows are being spooled. */
  stats(): RecorderStats {
    const tables = {} as Record<TableName, TableStats>;
    const total = { pushed: 0, written: 0, pending: 0, spooled: 0, invalid: 0 };
    let spooling = false;
    for (const lane of Object.values(this.#lanes) as Lane<TableName>[]) {
      const s: TableStats = { pushed: lane.pushed, written: lane.written, pending: lane.pending, spooled: lane.spooled, invalid: lane.invalid };
      tables[lane.table] = s;
      for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += s[k];
      spooling ||= lane.spooling;
    }
    return { ...total, tables, failures: this.#failures, lastError: this.#lastError, spooling, spoolDir: this.#spoolPath };
  }

  #result(complete: boolean): FlushResult {
    const s = this.stats();
    return { complete, spooled: s.spooled, invalid: s.invalid, spoolDir: this.#spoolPath, lastError: this.#lastError };
  }

  #host(): LaneHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const recorder = this;
    return {
      get store() {
        return recorder.#store;
      },
      settings: this.#settings,
      failed: (table, err) => {
        this.#fail(err);
        this.#startOutage(`ClickHouse unavailable (${this.#lastError}); spooling ${table} and other rows to ${this.#spoolPath}, retrying`);
      },
      behind: (table) => this.#startOutage(`ClickHouse is not keeping up (over ${this.#settings.maxBufferedRows} ${table} rows waiting); spooling rows to ${this.#spoolPath}`),
      invalid: (table, rows, file, reason) => this.#note(`${rows} ${table} row(s) did not fit their columns (${reason}); kept in ${file}, not written`),
      drained: () => this.#maybeCaughtUp(),
    };
  }

  async #attachSpool(): Promise<void> {
    let held: SpoolDir;
    try {
      held = await acquireSpoolDir(this.#spoolPath);
    } catch (err) {
      // Never lose rows for want of a folder: fall back to one under the temp dir.
      const fallback = join(tmpdir(), `hotbench-spool-${process.pid}`);
      this.#note(`spool folder ${this.#spoolPath} is unusable (${firstLine(err)}); spooling to ${fallback} instead`);
      held = await acquireSpoolDir(fallback);
    }
    this.#spoolDir = held;
    this.#spoolPath = held.dir;
    let adopted = 0;
    for (const lane of Object.values(this.#lanes) as Lane<TableName>[]) {
      lane.attach(await SpoolFile.open(held.dir, lane.table));
      adopted += lane.base;
    }
    this.#attached = true;
    if (adopted > 0) this.#startOutage(`replaying ${adopted} rows an earlier run spooled under ${held.dir}`);
  }

  #tick(): void {
    if (!this.#attached) return;
    for (const lane of Object.values(this.#lanes) as Lane<TableName>[]) lane.tick();
  }

  #startOutage(line: string): void {
    if (this.#outage) return;
    this.#outage = true;
    this.#replayedBeforeOutage = this.#replayed();
    this.#note(line);
  }

  #maybeCaughtUp(): void {
    if (!this.#outage) return;
    const lanes = Object.values(this.#lanes) as Lane<TableName>[];
    if (lanes.some((l) => l.spooling || l.spooled > 0)) return;
    this.#outage = false;
    this.#note(`ClickHouse caught up: ${this.#replayed() - this.#replayedBeforeOutage} spooled rows written`);
  }

  #pushedTotal(): number {
    let n = 0;
    for (const lane of Object.values(this.#lanes) as Lane<TableName>[]) n += lane.pushed;
    return n;
  }

  #replayed(): number {
    let n = 0;
    for (const lane of Object.values(this.#lanes) as Lane<TableName>[]) n += lane.replayed;
    return n;
  }

  #fail(err: unknown): void {
    this.#failures += 1;
    this.#lastError = firstLine(err);
  }

  #note(line: string): void {
    try {
      this.#onNote(line);
    } catch {
      // a broken note callback must not break recording
    }
  }
}
