/**
 * The recorder's spool: rows ClickHouse could not take yet, kept on local
 * disk as one file per table (`<dir>/<table>.tsv`, lines already encoded as
 * `TabSeparated`, see {@link SPOOL_FORMAT}) plus the byte offset replayed so
 * far (`<dir>/<table>.tsv.pos`). A JSONEachRow spool left by an older
 * version is converted first (`./spool-legacy.ts`). Lines are replayed in
 * the order they were spooled; a file is deleted once fully replayed. A
 * spool left by a process that died is picked up by the next recorder on the
 * same folder (or `replaySpool`).
 *
 * Replay is exactly once within a process; across a crash between an insert
 * and the offset write, the last batch may be written twice.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, mkdir, open, readFile, rename, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join, resolve } from 'node:path';
import type { TableName } from '../../results/rows.js';
import type { EncodedBody, RowFormat } from '../../results/encode.js';
import { convertLegacySpool, type LegacyConversion } from './spool-legacy.js';
import { exists, replayPosition } from './spool-fs.js';

/** The format of every spool line: what the recorder encodes at push time. */
export const SPOOL_FORMAT: RowFormat = 'TabSeparated';

/** Lines read from the spool, not yet committed. */
export interface SpoolBatch {
  /** Newline-terminated lines in {@link SPOOL_FORMAT}. */
  readonly body: string;
  readonly lines: number;
  /** Sequence number (per table, in push order) of the first line, or a lower bound of it. */
  readonly firstSeq: number;
  /** Byte offset just past the batch. */
  readonly end: number;
}

const NEWLINE = 0x0a;

/** One table's spool file. Every operation runs one at a time, in call order. */
export class SpoolFile {
  readonly path: string;
  readonly #posPath: string;
  #offset = 0;
  #size = 0;
  /** Unreplayed lines as runs of consecutive sequence numbers, oldest first. */
  #segments: { firstSeq: number; lines: number }[] = [];
  #tail: Promise<unknown> = Promise.resolve();
  /** What converting an older version's JSONEachRow spool did when this file was opened. */
  legacy: LegacyConversion | undefined;

  private constructor(
    readonly dir: string,
    readonly table: TableName,
  ) {
    this.path = join(dir, `${table}.tsv`);
    this.#posPath = join(dir, `${table}.tsv.pos`);
  }

  /**
   * Opens the spool of `table` under `dir`, adopting what a previous process
   * left (numbered from sequence 0), after converting an older version's
   * JSONEachRow spool into it (see {@link legacy}). A torn last line (the
   * process died mid-append, so it was never reported spooled) is cut off.
   */
  static async open(dir: string, table: TableName): Promise<SpoolFile> {
    const spool = new SpoolFile(dir, table);
    spool.legacy = await convertLegacySpool(dir, table, spool.path);
    if (!(await exists(spool.path))) return spool;
    const size = (await stat(spool.path)).size;
    const start = await replayPosition(spool.#posPath, size);
    // Count lines in chunks: a spool from a long outage can be larger than memory.
    let lines = 0;
    let complete = start;
    const handle = await open(spool.path, 'r');
    try {
      const buf = Buffer.alloc(8 << 20);
      for (let at = start; at < size; ) {
        const { bytesRead } = await handle.read(buf, 0, buf.length, at);
        if (bytesRead === 0) break;
        for (let i = buf.indexOf(NEWLINE); i >= 0 && i < bytesRead; i = buf.indexOf(NEWLINE, i + 1)) {
          lines += 1;
          complete = at + i + 1;
        }
        at += bytesRead;
      }
    } finally {
      await handle.close();
    }
    if (complete < size) await truncate(spool.path, complete);
    spool.#size = complete;
    spool.#offset = start;
    if (lines > 0) spool.#segments.push({ firstSeq: 0, lines });
    else await spool.#remove();
    return spool;
  }

  /** Lines spooled and not yet replayed. */
  get unreplayed(): number {
    let n = 0;
    for (const s of this.#segments) n += s.lines;
    return n;
  }

  /** Sequence number of the oldest unreplayed line (a lower bound), or undefined when empty. */
  get headSeq(): number | undefined {
    return this.#segments[0]?.firstSeq;
  }

  /** Appends lines that follow everything already spooled. */
  append(body: EncodedBody, lines: number, firstSeq: number): Promise<void> {
    return this.#serial(async () => {
      if (lines === 0) return;
      await mkdir(this.dir, { recursive: true });
      await appendFile(this.path, body);
      this.#size += Buffer.byteLength(body);
      this.#segments.push({ firstSeq, lines });
    });
  }

  /** Puts lines OLDER than everything spooled in front of it (an in-flight batch that failed after newer rows were spooled). */
  prepend(body: EncodedBody, lines: number, firstSeq: number): Promise<void> {
    return this.#serial(async () => {
      if (lines === 0) return;
      await mkdir(this.dir, { recursive: true });
      const next = `${this.path}.next`;
      await writeFile(next, body);
      if (this.#size > this.#offset) await pipeline(createReadStream(this.path, { start: this.#offset }), createWriteStream(next, { flags: 'a' }));
      await writeFile(this.#posPath, '0');
      await rename(next, this.path);
      this.#size = Buffer.byteLength(body) + (this.#size - this.#offset);
      this.#offset = 0;
      this.#segments.unshift({ firstSeq, lines });
    });
  }

  /** Reads up to `maxLines` lines from the replay position (without consuming them), or null when nothing is left. */
  read(maxLines: number, maxBytes = 8 << 20): Promise<SpoolBatch | null> {
    return this.#serial(async () => {
      if (this.#offset >= this.#size || this.#segments.length === 0) return null;
      const handle = await open(this.path, 'r');
      try {
        let want = Math.min(maxBytes, this.#size - this.#offset);
        for (;;) {
          const buf = Buffer.alloc(want);
          const { bytesRead } = await handle.read(buf, 0, want, this.#offset);
          let lines = 0;
          let cut = 0;
          for (let i = buf.indexOf(NEWLINE); i >= 0 && i < bytesRead && lines < maxLines; i = buf.indexOf(NEWLINE, i + 1)) {
            lines += 1;
            cut = i + 1;
          }
          if (lines > 0) return { body: buf.toString('utf8', 0, cut), lines, firstSeq: this.#segments[0]!.firstSeq, end: this.#offset + cut };
          if (want >= this.#size - this.#offset) return null; // no complete line (cannot happen: open() cuts torn lines)
          want = Math.min(want * 2, this.#size - this.#offset); // one line longer than maxBytes
        }
      } finally {
        await handle.close();
      }
    });
  }

  /** Marks a batch from {@link read} as written; deletes the files once everything is replayed. */
  commit(batch: SpoolBatch): Promise<void> {
    return this.#serial(async () => {
      this.#offset = batch.end;
      if (this.#offset >= this.#size) await this.#remove();
      else await writeFile(this.#posPath, String(this.#offset));
      // Counted last, after the file work, so whoever awaits this commit sees
      // the spool empty no earlier than it can react to it (no await between).
      let left = batch.lines;
      while (left > 0 && this.#segments.length > 0) {
        const head = this.#segments[0]!;
        const take = Math.min(left, head.lines);
        head.lines -= take;
        head.firstSeq += take;
        left -= take;
        if (head.lines === 0) this.#segments.shift();
      }
    });
  }

  async #remove(): Promise<void> {
    await unlink(this.path).catch(() => undefined);
    await unlink(this.#posPath).catch(() => undefined);
    this.#offset = 0;
    this.#size = 0;
    this.#segments = [];
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(fn);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

/** A spool folder held by this process. */
export interface SpoolDir {
  /** The folder to spool into: the one asked for, or `<dir>/<pid>` when another live process holds it. */
  readonly dir: string;
  /** Gives the folder up (removes the lock). Idempotent. */
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Folders held by recorders of this process. */
const held = new Set<string>();
let privateDirs = 0;

/**
 * Takes `dir` for this process (a `lock` file with our pid; a stale lock of a
 * dead process is taken over). If another live process, or another recorder
 * of this one, holds it, a private `<dir>/<pid>-<n>` folder is used instead
 * so two recorders never share files.
 */
export async function acquireSpoolDir(dir: string): Promise<SpoolDir> {
  await mkdir(dir, { recursive: true });
  const key = resolve(dir);
  const privateDir = async (): Promise<SpoolDir> => {
    const own = join(dir, `${process.pid}-${++privateDirs}`);
    await mkdir(own, { recursive: true });
    return { dir: own, release: async () => undefined };
  };
  if (held.has(key)) return privateDir();
  const lock = join(dir, 'lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      held.add(key);
      let released = false;
      return {
        dir,
        release: async () => {
          if (released) return;
          released = true;
          held.delete(key);
          await unlink(lock).catch(() => undefined);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) return privateDir();
      await unlink(lock).catch(() => undefined); // stale: a dead holder, or a recorder of ours that was never closed
    }
  }
  throw new Error(`cannot take the spool folder ${dir}: its lock file keeps changing`);
}
