/**
 * One table's path from `Recorder.push` to ClickHouse: each row encoded into
 * TabSeparated bytes as it is pushed (`./encoded-rows.ts`), batches of those bytes
 * inserted with at most one insert in flight, and the spool for whatever
 * ClickHouse cannot take yet.
 *
 * Rows keep their push order end to end. Every row that fits its columns
 * gets a sequence number (per table, in push order, after any rows adopted
 * from an earlier spool); `lowestUnwritten` / `lowestInMemory` tell `flush`
 * when everything pushed before it is in ClickHouse, or at least safely on
 * disk. A row that does not fit is set aside (see `add`), not numbered.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RowOf, TableName } from '../../results/rows.js';
import type { Store } from '../../results/store.js';
import { encodeTsvRow, type EncodedBody } from '../../results/encode.js';
import { firstLine } from '../../results/errors.js';
import { SPOOL_FORMAT, type SpoolBatch, type SpoolFile } from './spool.js';
import { EncodedRows, type ByteWriter, type EncodedBatch } from './encoded-rows.js';
import { byteWriterOf } from './byte-encode.js';

/** Tuning shared by every lane (see `RecorderOptions` for meanings and defaults). */
export interface LaneSettings {
  readonly batchRows: number;
  readonly maxBufferedRows: number;
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
  readonly body: EncodedBody;
  readonly lines: number;
  readonly firstSeq: number;
  readonly fromSpool?: SpoolBatch;
  /** Marks the memory rows it holds (memory batches only). */
  readonly hold?: Hold;
  /** The buffer's batch it came from, released once written or spooled (memory batches only). */
  readonly taken?: EncodedBatch;
}

/** Rows taken from the buffer that are still only in memory (being encoded, spooled or inserted). */
interface Hold {
  readonly firstSeq: number;
  readonly rows: number;
}

/** One table's path from `Recorder.push` to ClickHouse (see the module docs). */
export class Lane<T extends TableName> {
  /** Encoded rows pushed and not yet taken. */
  readonly buffer: EncodedRows;
  readonly #writer: ByteWriter<RowOf[T]>;
  /** Rows pushed (including those set aside as invalid). */
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

  /** Rows that fit their columns, pushed so far (the sequence numbers handed out, after `base`). */
  #numbered = 0;
  /** Set-aside lines (JSON of invalid rows) not yet in their file, and the first complaint among them. */
  #rejected: string[] = [];
  #rejectReason = '';
  #settingAside: Promise<void> = Promise.resolve();
  #asideWriting = false;
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
  ) {
    this.buffer = new EncodedRows(host.settings.batchRows);
    this.#writer = byteWriterOf(table);
  }

  /**
   * Encodes and queues one row: synchronous, O(1), no allocation in the
   * common case (the hot path; `./byte-encode.ts`). A row
   * whose values do not fit its columns is queued for
   * `<spool>/<table>.invalid.ndjson` instead, with the encoder's complaint.
   */
  add(row: RowOf[T]): void {
    this.pushed += 1;
    if (this.buffer.appendWith(this.#writer, row)) {
      this.#numbered += 1;
      return;
    }
    // The byte writer declined (a value it cannot vouch for): the string encoder replaces it or says what is wrong.
    let line: string;
    try {
      line = encodeTsvRow(this.table, row);
    } catch (err) {
      this.#rejectReason ||= firstLine(err);
      this.#rejected.push(safeJson({ table: this.table, error: firstLine(err), row }));
      return;
    }
    this.buffer.append(line);
    this.#numbered += 1;
  }

  /** One past the sequence number of the newest row pushed: `flush` waits until everything below it is written. */
  get seqEnd(): number {
    return this.base + this.#numbered;
  }

  /** True while invalid rows wait to be written to their file (`flush` waits for them too). */
  get settingAside(): boolean {
    return this.#rejected.length > 0 || this.#asideWriting;
  }

  /** Attaches the spool (after the recorder took its folder); adopted rows are replayed first. */
  attach(spool: SpoolFile): void {
    this.#spool = spool;
    const legacy = spool.legacy;
    if (legacy !== undefined && legacy.setAside > 0) {
      this.invalid += legacy.setAside;
      this.host.invalid(this.table, legacy.setAside, legacy.file, legacy.reason);
    }
    this.base = spool.unreplayed;
    if (this.base > 0) this.#mode = 'spooling';
  }

  /** Rows still in memory (buffered, being encoded or in flight from memory). */
  get pending(): number {
    let n = this.buffer.lines;
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
    let low = this.buffer.lines > 0 ? this.seqEnd - this.buffer.lines : Number.POSITIVE_INFINITY;
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
    if (this.buffer.lines > 0) void this.moveToSpool();
  }

  /** Called every interval: bounds the buffer, keeps spooling, and pumps. */
  tick(): void {
    if (this.#mode === 'direct' && this.buffer.lines > this.host.settings.maxBufferedRows) {
      this.host.behind(this.table);
      this.spoolFromNow();
    } else if (this.#mode === 'spooling' && this.buffer.lines > 0) void this.moveToSpool();
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

  /** Appends the whole buffer to the spool, after any earlier move. */
  moveToSpool(): Promise<void> {
    const run = this.#moving.then(async () => {
      if (this.buffer.lines === 0) return;
      const hold: Hold = { firstSeq: this.seqEnd - this.buffer.lines, rows: this.buffer.lines };
      const batch = this.buffer.takeAll();
      this.#holds.add(hold);
      try {
        await this.#spool.append(batch.body, batch.lines, hold.firstSeq);
        this.buffer.release(batch);
      } catch (err) {
        this.buffer.putBack(batch); // the disk refused: keep them, oldest first
        this.host.failed(this.table, err);
      } finally {
        this.#holds.delete(hold);
      }
    });
    this.#moving = run.catch(() => undefined);
    return run;
  }

  async #work(drain: boolean): Promise<void> {
    if (this.#rejected.length > 0) await this.#setAside();
    for (;;) {
      if (this.#mode === 'spooling' && this.buffer.lines > 0) await this.moveToSpool();
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
      if (batch.taken) this.buffer.release(batch.taken);
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
    if (batch.taken) this.buffer.release(batch.taken);
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
    const firstSeq = this.seqEnd - this.buffer.lines;
    const taken: EncodedBatch | null = this.buffer.takeBatch(drain);
    if (taken === null) return null;
    const hold: Hold = { firstSeq, rows: taken.lines };
    this.#holds.add(hold);
    return { body: taken.body, lines: taken.lines, firstSeq, hold, taken };
  }

  /** Writes the queued invalid rows to `<spool>/<table>.invalid.ndjson` (one write at a time; a failed one is retried by the next pump). */
  #setAside(): Promise<void> {
    const run = this.#settingAside.then(async () => {
      const lines = this.#rejected;
      const reason = this.#rejectReason;
      if (lines.length === 0) return;
      this.#rejected = [];
      this.#rejectReason = '';
      this.#asideWriting = true;
      const file = join(this.#spool.dir, `${this.table}.invalid.ndjson`);
      try {
        await mkdir(this.#spool.dir, { recursive: true });
        await appendFile(file, `${lines.join('\n')}\n`);
      } catch (err) {
        this.#rejected = lines.concat(this.#rejected);
        this.#rejectReason ||= reason;
        throw err;
      } finally {
        this.#asideWriting = false;
      }
      this.invalid += lines.length;
      this.host.invalid(this.table, lines.length, file, reason);
    });
    this.#settingAside = run.catch(() => undefined);
    return run;
  }

  async #insert(body: EncodedBody): Promise<void> {
    await this.host.store.insertEncoded(this.table, body, SPOOL_FORMAT); // the same bytes may go to the spool instead
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
