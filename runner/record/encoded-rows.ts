/**
 * A table's rows waiting for ClickHouse, already encoded: NDJSON lines
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
/** ...up to this size, so a quiet table holds little and a busy one few chunks. */
const MAX_CHUNK_BYTES = 4 << 20;
const NEWLINE = 0x0a;

/** A run of lines inside one chunk. */
interface Piece {
  readonly bytes: Buffer;
  readonly lines: number;
}

/** Lines of one batch: pieces of chunks, at most `batchLines` lines in all. */
interface Segment {
  pieces: Piece[];
  lines: number;
}

/** Encoded lines taken out of an {@link EncodedRows}. */
export interface EncodedBatch {
  /** The lines, each ending with `\n`. */
  readonly body: Buffer;
  readonly lines: number;
}

/** Append-only NDJSON bytes in batches; see the module comment. */
export class EncodedRows {
  /** Lines held. */
  lines = 0;
  readonly #batchLines: number;
  /** Full segments (each exactly `batchLines` lines), oldest first, then the open one. */
  #segments: Segment[] = [];
  #open: Segment = { pieces: [], lines: 0 };
  #chunk: Buffer = Buffer.alloc(0);
  /** Start of the open piece in `#chunk`, and the write position. */
  #start = 0;
  #pos = 0;
  #pieceLines = 0;

  /** `batchLines`: most lines per batch (the recorder's batch size). */
  constructor(batchLines: number) {
    this.#batchLines = batchLines;
  }

  /** Appends one line (without its newline). */
  append(line: string): void {
    if (this.#open.lines === this.#batchLines) this.#sealOpen();
    const worst = line.length * 3 + 1; // UTF-8 needs at most 3 bytes per UTF-16 unit
    if (this.#pos + worst > this.#chunk.length) {
      this.#cutPiece();
      const size = Math.min(MAX_CHUNK_BYTES, Math.max(FIRST_CHUNK_BYTES, this.#chunk.length * 2));
      this.#chunk = Buffer.allocUnsafe(Math.max(size, worst));
      this.#start = 0;
      this.#pos = 0;
    }
    this.#pos += this.#chunk.write(line, this.#pos);
    this.#chunk[this.#pos++] = NEWLINE;
    this.#pieceLines += 1;
    this.#open.lines += 1;
    this.lines += 1;
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
    return { body: join(segment.pieces), lines: segment.lines };
  }

  /** Takes every line held, oldest first (possibly more than one batch). */
  takeAll(): EncodedBatch {
    if (this.#open.lines > 0) this.#sealOpen();
    const pieces = this.#segments.flatMap((s) => s.pieces);
    const lines = this.lines;
    this.#segments = [];
    this.lines = 0;
    return { body: join(pieces), lines };
  }

  /**
   * Puts a batch taken earlier back in front, as the oldest lines (the disk
   * refused them). It becomes its own batch.
   */
  putBack(batch: EncodedBatch): void {
    if (batch.lines === 0) return;
    this.#segments.unshift({ pieces: [{ bytes: batch.body, lines: batch.lines }], lines: batch.lines });
    this.lines += batch.lines;
  }

  #cutPiece(): void {
    if (this.#pieceLines === 0) return;
    this.#open.pieces.push({ bytes: this.#chunk.subarray(this.#start, this.#pos), lines: this.#pieceLines });
    this.#start = this.#pos;
    this.#pieceLines = 0;
  }

  #sealOpen(): void {
    this.#cutPiece();
    this.#segments.push(this.#open);
    this.#open = { pieces: [], lines: 0 };
  }
}

function join(pieces: readonly Piece[]): Buffer {
  if (pieces.length === 1) return pieces[0]!.bytes;
  return Buffer.concat(pieces.map((p) => p.bytes));
}
