/**
 * One table's path from `Recorder.push` to ClickHouse: an in-memory buffer,
 * batches encoded in slices (so a 20k-row batch never blocks the event loop
 * for long), at most one insert in flight, and the spool for whatever
 * ClickHouse cannot take yet.
 *
 * Rows keep their push order end to end. Every row gets a sequence number
 * (per table, in push order, after any rows adopted from an earlier spool);
 * `lowestUnwritten` / `lowestInMemory` tell `flush` when everything pushed
 * before it is in ClickHouse, or at least safely on disk.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { RowOf, TableName } from '../../reports/store/rows.js';
import type { Store } from '../../reports/store/store.js';
import { canInsertNdjson, type NdjsonBody } from '../../reports/store/encode.js';
import { firstLine } from '../../reports/store/errors.js';
import type { SpoolBatch, SpoolFile } from './spool.js';
import { fastEncodeRow } from './fast-encode.js';

/** Longest stretch of encoding between yields to the event loop, ms (perf: see `#encode`). */
const ENCODE_SLICE_MS = 1;

/** Tuning shared by every lane (see `RecorderOptions` for meanings and defaults). */
export interface LaneSettings {
  readonly batchRows: number;
  readonly maxBufferedRows: number;
  readonly encodeSliceRows: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
}

/** What a lane tells its recorder. */
export interface LaneHost {
  readonly store: Store;
  readonly settings: LaneSettings;
  /** An insert failed (the rows are kept and retried). */
  failed(table: TableName, err: unknown): void;
  /** Rows were diverted to the spool because the buffer outgrew its bound. */
  behind(table: TableName): void;
  /** Rows that do not fit their columns were set aside in `file`. */
  invalid(table: TableName, rows: number, file: string, reason: string): void;
  /** The spool of this table was fully replayed. */
  drained(table: TableName): void;
}

/** A batch being inserted: encoded lines from memory or from the spool. */
interface Batch {
  readonly body: NdjsonBody;
  readonly lines: number;
  readonly firstSeq: number;
  readonly fromSpool?: SpoolBatch;
  /** Marks the memory rows it holds (memory batches only). */
  readonly hold?: Hold;
}

/** Rows taken from the buffer that are still only in memory (being encoded, spooled or inserted). */
interface Hold {
  readonly firstSeq: number;
  readonly rows: number;
}

export class Lane<T extends TableName> {
  /** Rows pushed and not yet taken. `Recorder.push` appends here directly. */
  buffer: RowOf[T][] = [];
  /** Rows pushed. */
  pushed = 0;
  /** Rows adopted from a spool left by an earlier process (sequence numbers 0..base-1). */
  base = 0;
  /** Rows ClickHouse acknowledged. */
  written = 0;
  /** Of those, rows replayed from the spool. */
  replayed = 0;
  /** Rows set aside because a value did not fit its column. */
  invalid = 0;
  /** A size-triggered pump is already scheduled. */
  kicked = false;

  #spool!: SpoolFile;
  #mode: 'direct' | 'spooling' = 'direct';
  #inflight: Batch | null = null;
  readonly #holds = new Set<Hold>();
  #moving: Promise<void> = Promise.resolve();
  #busy = false;
  #again = false;
  #againDrain = false;
  #retryAt = 0;
  #backoffMs = 0;

  constructor(
    readonly table: T,
    private readonly host: LaneHost,
  ) {}

  /** Attaches the spool (after the recorder took its folder); adopted rows are replayed first. */
  attach(spool: SpoolFile): void {
    this.#spool = spool;
    this.base = spool.unreplayed;
    if (this.base > 0) this.#mode = 'spooling';
  }

  /** Rows still in memory (buffered, being encoded or in flight from memory). */
  get pending(): number {
    let n = this.buffer.length;
    for (const h of this.#holds) n += h.rows;
    return n;
  }

  /** Rows in the spool, not yet written. */
  get spooled(): number {
    return this.#spool?.unreplayed ?? 0;
  }

  /** True while new rows go to the spool instead of straight to ClickHouse. */
  get spooling(): boolean {
    return this.#mode === 'spooling';
  }

  /** Sequence number of the oldest row still only in memory (Infinity if none). */
  lowestInMemory(): number {
    let low = this.buffer.length > 0 ? this.base + this.pushed - this.buffer.length : Number.POSITIVE_INFINITY;
    for (const h of this.#holds) low = Math.min(low, h.firstSeq);
    return low;
  }

  /** Sequence number of the oldest row not yet in ClickHouse (Infinity if none). */
  lowestUnwritten(): number {
    return Math.min(this.lowestInMemory(), this.#spool?.headSeq ?? Number.POSITIVE_INFINITY);
  }

  /** Sends new rows to the spool from now on (ClickHouse down, behind, or a flush deadline passed). */
  spoolFromNow(): void {
    this.#mode = 'spooling';
    if (this.buffer.length > 0) void this.moveToSpool();
  }

  /** Called every interval: bounds the buffer, keeps spooling, and pumps. */
  tick(): void {
    if (this.#mode === 'direct' && this.buffer.length > this.host.settings.maxBufferedRows) {
      this.host.behind(this.table);
      this.spoolFromNow();
    } else if (this.#mode === 'spooling' && this.buffer.length > 0) void this.moveToSpool();
    void this.pump(true);
  }

  /** Allows an immediate retry (after the store was swapped). */
  retryNow(): void {
    this.#retryAt = 0;
    this.#backoffMs = 0;
  }

  /**
   * Inserts batches until nothing is ready. `drain` also sends a partial
   * batch (interval or flush); otherwise only full batches go. Never throws;
   * one pump runs at a time (a call during one makes it go round again).
   */
  async pump(drain: boolean): Promise<void> {
    if (this.#busy) {
      this.#again = true;
      this.#againDrain ||= drain;
      return;
    }
    this.#busy = true;
    try {
      let pass = drain;
      for (;;) {
        await this.#work(pass);
        if (!this.#again) break;
        pass = this.#againDrain;
        this.#again = false;
        this.#againDrain = false;
      }
    } catch (err) {
      this.host.failed(this.table, err); // a disk error: rows stay where they were
    } finally {
      this.#busy = false;
    }
  }

  /** Encodes the whole buffer and appends it to the spool, after any earlier move. */
  moveToSpool(): Promise<void> {
    const run = this.#moving.then(async () => {
      if (this.buffer.length === 0) return;
      const hold: Hold = { firstSeq: this.base + this.pushed - this.buffer.length, rows: this.buffer.length };
      const rows = this.#take(this.buffer.length);
      this.#holds.add(hold);
      try {
        const { body, lines } = await this.#encode(rows);
        await this.#spool.append(body, lines, hold.firstSeq);
      } catch (err) {
        this.buffer = rows.concat(this.buffer); // the disk refused: keep them, oldest first
        this.host.failed(this.table, err);
      } finally {
        this.#holds.delete(hold);
      }
    });
    this.#moving = run.catch(() => undefined);
    return run;
  }

  async #work(drain: boolean): Promise<void> {
    for (;;) {
      if (this.#mode === 'spooling' && this.buffer.length > 0) await this.moveToSpool();
      if (Date.now() < this.#retryAt) return;
      const batch = this.#inflight ?? (await this.#next(drain));
      if (!batch) return;
      this.#inflight = batch;
      try {
        if (batch.lines > 0) await this.#insert(batch.body);
      } catch (err) {
        await this.#failed(batch, err);
        return;
      }
      this.#inflight = null;
      this.written += batch.lines;
      this.#backoffMs = 0;
      if (batch.hold) this.#holds.delete(batch.hold);
      // Perf (bench:driver, measured): a drain sends ONE partial batch from memory, then full ones only.
      // Draining on while rows keep arriving sent a batch per event-loop turn (~256 rows each at
      // 100k rows/s): a ClickHouse part per batch, costing far more per row. `flush` re-asks every
      // 10 ms and the interval every 250 ms, so everything pushed before a flush still goes.
      if (batch.hold) drain = false;
      if (batch.fromSpool) {
        this.replayed += batch.lines;
        await this.#spool.commit(batch.fromSpool);
        this.#directIfDrained();
      }
    }
  }

  /**
   * Back to direct inserts once everything spooled is written and no rows
   * are on their way into the spool (newer rows then cannot overtake older
   * ones). Runs right after the commit that emptied the spool, before
   * `flush` can see the spool empty, so the caught-up note precedes it.
   */
  #directIfDrained(): void {
    if (this.#mode === 'spooling' && this.#spool.unreplayed === 0 && this.#holds.size === 0) {
      this.#mode = 'direct';
      this.host.drained(this.table);
    }
  }

  async #failed(batch: Batch, err: unknown): Promise<void> {
    this.#backoffMs = this.#backoffMs === 0 ? this.host.settings.retryMinMs : Math.min(this.#backoffMs * 2, this.host.settings.retryMaxMs);
    this.#retryAt = Date.now() + this.#backoffMs;
    this.#mode = 'spooling';
    this.host.failed(this.table, err);
    if (batch.fromSpool) return; // stays in flight: retried first, it is still in the file
    // A memory batch goes to disk, ahead of anything spooled while it was in flight.
    if (this.#spool.unreplayed > 0) await this.#spool.prepend(batch.body, batch.lines, batch.firstSeq);
    else await this.#spool.append(batch.body, batch.lines, batch.firstSeq);
    this.#inflight = null;
    if (batch.hold) this.#holds.delete(batch.hold);
  }

  async #next(drain: boolean): Promise<Batch | null> {
    if (this.#spool.unreplayed === 0) await this.#moving; // a move may be about to fill it
    if (this.#spool.unreplayed > 0) {
      const read = await this.#spool.read(this.host.settings.batchRows);
      if (read) return { body: read.body, lines: read.lines, firstSeq: read.firstSeq, fromSpool: read };
    }
    this.#directIfDrained();
    if (this.#mode === 'spooling') return null; // rows are on their way into the spool: the next pump reads them
    if (this.buffer.length === 0 || (!drain && this.buffer.length < this.host.settings.batchRows)) return null;
    const rows = this.#take(this.host.settings.batchRows);
    const hold: Hold = { firstSeq: this.base + this.pushed - this.buffer.length - rows.length, rows: rows.length };
    this.#holds.add(hold);
    const { body, lines } = await this.#encode(rows);
    return { body, lines, firstSeq: hold.firstSeq, hold };
  }

  #take(n: number): RowOf[T][] {
    if (this.buffer.length <= n) {
      const all = this.buffer;
      this.buffer = [];
      return all;
    }
    const head = this.buffer.slice(0, n);
    this.buffer = this.buffer.slice(n);
    return head;
  }

  /** NDJSON of the rows that fit their columns, in slices; the others are set aside in `<table>.invalid.ndjson`. */
  async #encode(rows: readonly RowOf[T][]): Promise<{ body: NdjsonBody; lines: number }> {
    // Perf (bench:driver, measured): a slice also ends after ENCODE_SLICE_MS, so the open-loop driver
    // sharing this thread is never held up past its late threshold; and each slice's lines are joined
    // into one flat string before yielding, so no per-line strings (ropes) survive into a GC scavenge
    // (keeping 20k of them alive across yields cost more in GC than the encoding itself).
    // The lines are ropes whose real cost is paid when they are joined, which the clock check above
    // cannot see coming: hence also the row cap per slice (500 rows, ~1 ms). Each slice becomes UTF-8
    // bytes at once, so the batch is never joined or converted whole in one turn (a 3,000-row join plus
    // Buffer.from held the driver up 3-4 ms every flush: 2% of ops late at 12,500 ops/s).
    const chunks: Buffer[] = [];
    const rejected: string[] = [];
    let reason = '';
    let lines = 0;
    const slice = this.host.settings.encodeSliceRows;
    let parts: string[] = [];
    let sliceStart = performance.now();
    for (let i = 0; i < rows.length; i++) {
      if (parts.length >= slice || ((i & 63) === 63 && performance.now() - sliceStart >= ENCODE_SLICE_MS)) {
        if (parts.length > 0) chunks.push(Buffer.from(`${parts.join('\n')}\n`));
        parts = [];
        await yieldToLoop();
        sliceStart = performance.now();
      }
      try {
        parts.push(fastEncodeRow(this.table, rows[i]!));
        lines++;
      } catch (err) {
        reason ||= firstLine(err);
        rejected.push(safeJson({ table: this.table, error: firstLine(err), row: rows[i] }));
      }
    }
    if (parts.length > 0) chunks.push(Buffer.from(`${parts.join('\n')}\n`));
    if (rejected.length > 0) await this.#setAside(rejected, reason);
    return { body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), lines };
  }

  async #setAside(lines: readonly string[], reason: string): Promise<void> {
    const file = join(this.#spool.dir, `${this.table}.invalid.ndjson`);
    await mkdir(this.#spool.dir, { recursive: true });
    await appendFile(file, `${lines.join('\n')}\n`);
    this.invalid += lines.length;
    this.host.invalid(this.table, lines.length, file, reason);
  }

  async #insert(body: NdjsonBody): Promise<void> {
    const store = this.host.store;
    if (canInsertNdjson(store)) await store.insertNdjson(this.table, body);
    else await store.insert(this.table, body.toString().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as RowOf[T]));
  }
}

/** JSON of anything (BigInt as a string, cycles cut), for set-aside rows. */
function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[cycle]';
      seen.add(v);
    }
    return v;
  });
}
