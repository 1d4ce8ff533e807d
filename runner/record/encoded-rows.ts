/**
 * A table's rows waiting for ClickHouse, already encoded: TabSeparated lines
 * written straight into large byte chunks as they are pushed, cut into
 * batches of at most `batchLines` lines.
 *
 * Why bytes and not row objects (perf, bench:driver): at tens of thousands
 * of ops per second a buffer of row objects (one per op, 17 fields, kept
 * until its batch is encoded) survived every young-generation GC; copying
 * them made scavenges of 2–10 ms, the driver's largest pauses, and encoding
 * a whole batch later was the largest item of its CPU profile. A line
 * written into a chunk leaves nothing on the JavaScript heap: the line's
 * string dies young and the chunk lives outside the heap.
 */

/** Byte chunks start at this size and double, bytes (lines are never split across chunks)... */
const FIRST_CHUNK_BYTES = 64 << 10;
/** ...up to this size (a chunk for a whole batch may be larger). Untouched bytes of a chunk cost address space, not memory. */
const MAX_CHUNK_BYTES = 8 << 20;
/** A new batch starts in a chunk with room for this share more than a full batch of average lines. */
const BATCH_ROOM = 1.1;
const NEWLINE = 0x0a;

/** Writes one line (newline included) for `row` at `pos`, with {@link ByteWriter.maxBytes} free; returns its end, or -1 to decline. */
export interface ByteWriter<R> {
  (row: R, buf: Uint8Array, pos: number): number;
  /** Most bytes one line can take. */
  readonly maxBytes: number;
}

/** A byte chunk and how many pieces of it are still out (in a segment or a batch not yet released). */
interface Chunk {
  readonly buf: Buffer;
  pieces: number;
}

/** A run of lines inside one chunk. */
interface Piece {
  readonly bytes: Buffer;
  readonly lines: number;
  readonly chunk: Chunk | undefined;
}

/** Lines of one batch: pieces of chunks, at most `batchLines` lines in all. */
interface Segment {
  pieces: Piece[];
  lines: number;
}

/** Encoded lines taken out of an {@link EncodedRows}; give it back with {@link EncodedRows.release} once written. */
export interface EncodedBatch {
  /** The lines, each ending with `\n`. Valid until released. */
  readonly body: Buffer;
  readonly lines: number;
  /** The chunk the body lies in (undefined when it is a copy). */
  readonly chunk: Chunk | undefined;
}

/** Chunks kept for reuse once every piece of them is released. */
const SPARE_CHUNKS = 1;

/**
 * Append-only encoded lines (bytes) in batches; see the module comment. A batch is
 * handed out as one buffer, without copying, when it lies in one chunk: each
 * batch starts in a chunk with room for all of it (copying a multi-MB batch
 * together held the event loop 3-13 ms, measured in a CPU profile of a
 * 30k ops/s noop run). Chunks whose batches were all written are reused
 * (perf, same run under --trace-gc: allocating fresh multi-MB buffers
 * made V8 start a full GC every ~0.7 s for external memory, 2-11 ms pauses
 * each, with nothing on the heap to free).
 */
export class EncodedRows {
  /** Lines held. */
  lines = 0;
  readonly #batchLines: number;
  /** Sealed segments, oldest first (full ones of `batchLines` lines, or a batch given back by `putBack`); then the open one. */
  #segments: Segment[] = [];
  #open: Segment = { pieces: [], lines: 0 };
  #chunk: Chunk = { buf: Buffer.alloc(0), pieces: 0 };
  readonly #spare: Chunk[] = [];
  /** Start of the open piece in `#chunk`, and the write position. */
  #start = 0;
  #pos = 0;
  #pieceLines = 0;
  /** Bytes and lines ever appended (for the average line). */
  #bytesIn = 0;
  #linesIn = 0;

  /** `batchLines`: most lines per batch (the recorder's batch size). */
  constructor(batchLines: number) {
    this.#batchLines = batchLines;
  }

  /** Appends one line (without its newline). */
  append(line: string): void {
    if (this.#open.lines === this.#batchLines) this.#sealOpen();
    this.#room(line.length * 3 + 1); // UTF-8 needs at most 3 bytes per UTF-16 unit
    const start = this.#pos;
    this.#pos += this.#chunk.buf.write(line, this.#pos);
    this.#chunk.buf[this.#pos++] = NEWLINE;
    this.#counted(start);
  }

  /**
   * Appends one line written by `writer` (newline included). False when the
   * writer declined the row: nothing is appended, use {@link append}.
   */
  appendWith<R>(writer: ByteWriter<R>, row: R): boolean {
    if (this.#open.lines === this.#batchLines) this.#sealOpen();
    this.#room(writer.maxBytes);
    const start = this.#pos;
    const end = writer(row, this.#chunk.buf, start);
    if (end < 0) return false;
    this.#pos = end;
    this.#counted(start);
    return true;
  }

  /** True when a full batch (`batchLines` lines) is waiting. */
  get hasFullBatch(): boolean {
    return this.#segments.length > 0 || this.#open.lines === this.#batchLines;
  }

  /**
   * Takes the oldest batch: a full one, or (with `partial`) whatever is
   * there. Null when there is nothing to take.
   */
  takeBatch(partial: boolean): EncodedBatch | null {
    if (this.#segments.length === 0) {
      if (this.#open.lines === 0 || (!partial && this.#open.lines < this.#batchLines)) return null;
      this.#sealOpen();
    }
    const segment = this.#segments.shift()!;
    this.lines -= segment.lines;
    return this.#join(segment.pieces, segment.lines);
  }

  /** Takes every line held, oldest first (possibly more than one batch). */
  takeAll(): EncodedBatch {
    if (this.#open.lines > 0) this.#sealOpen();
    const pieces = this.#segments.flatMap((s) => s.pieces);
    const lines = this.lines;
    this.#segments = [];
    this.lines = 0;
    return this.#join(pieces, lines);
  }

  /**
   * Says a taken batch is written (or safely elsewhere): its bytes may be
   * reused. Call once per batch, and never for one given back with
   * {@link putBack}.
   */
  release(batch: EncodedBatch): void {
    if (batch.chunk !== undefined) this.#unref(batch.chunk);
  }

  /**
   * Puts a batch taken earlier back in front, as the oldest lines (the disk
   * refused them). It becomes its own batch.
   */
  putBack(batch: EncodedBatch): void {
    if (batch.lines === 0) return;
    this.#segments.unshift({ pieces: [{ bytes: batch.body, lines: batch.lines, chunk: batch.chunk }], lines: batch.lines });
    this.lines += batch.lines;
  }

  #counted(start: number): void {
    this.#bytesIn += this.#pos - start;
    this.#linesIn += 1;
    this.#pieceLines += 1;
    this.#open.lines += 1;
    this.lines += 1;
  }

  /** Makes room for `need` more bytes in the current chunk; a batch's first line also makes room for the whole batch. */
  #room(need: number): void {
    let want = need;
    if (this.#open.lines === 0 && this.#linesIn > 0) want = Math.max(need, Math.ceil((this.#batchLines * this.#bytesIn * BATCH_ROOM) / this.#linesIn));
    if (this.#pos + want <= this.#chunk.buf.length) return;
    this.#cutPiece();
    const old = this.#chunk;
    const size = Math.max(want, Math.min(MAX_CHUNK_BYTES, Math.max(FIRST_CHUNK_BYTES, old.buf.length * 2)));
    const spare = this.#spare.findIndex((c) => c.buf.length >= size);
    this.#chunk = spare >= 0 ? this.#spare.splice(spare, 1)[0]! : { buf: Buffer.allocUnsafe(size), pieces: 0 };
    this.#start = 0;
    this.#pos = 0;
    if (old.pieces === 0) this.#keep(old);
  }

  /** A chunk no longer written to and with no piece out: kept as a spare (the largest few) or left to the GC. */
  #keep(chunk: Chunk): void {
    if (chunk.buf.length < FIRST_CHUNK_BYTES) return;
    this.#spare.push(chunk);
    this.#spare.sort((a, b) => b.buf.length - a.buf.length);
    this.#spare.length = Math.min(this.#spare.length, SPARE_CHUNKS);
  }

  #unref(chunk: Chunk): void {
    chunk.pieces -= 1;
    if (chunk.pieces === 0 && chunk !== this.#chunk) this.#keep(chunk);
  }

  /** One body for `pieces`: the piece itself when there is one, else a copy (and the pieces are released at once). */
  #join(pieces: readonly Piece[], lines: number): EncodedBatch {
    if (pieces.length === 1) return { body: pieces[0]!.bytes, lines, chunk: pieces[0]!.chunk };
    const body = Buffer.concat(pieces.map((p) => p.bytes));
    for (const p of pieces) if (p.chunk !== undefined) this.#unref(p.chunk);
    return { body, lines, chunk: undefined };
  }

  #cutPiece(): void {
    if (this.#pieceLines === 0) return;
    this.#open.pieces.push({ bytes: this.#chunk.buf.subarray(this.#start, this.#pos), lines: this.#pieceLines, chunk: this.#chunk });
    this.#chunk.pieces += 1;
    this.#start = this.#pos;
    this.#pieceLines = 0;
  }

  #sealOpen(): void {
    this.#cutPiece();
    this.#segments.push(this.#open);
    this.#open = { pieces: [], lines: 0 };
  }
}
