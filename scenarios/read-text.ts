/**
 * Reads a scenario file's text defensively: only regular files, a size cap
 * enforced before and while reading, and strict UTF-8. Every failure is a
 * {@link ScenarioError} naming the file.
 */
import { open, stat } from 'node:fs/promises';
import { fileError } from './errors.js';

/** Largest scenario file accepted, bytes (1 MiB). */
export const MAX_SCENARIO_BYTES = 1024 * 1024;

/**
 * The text of `absolute` (shown to the user as `shown`), without a BOM.
 * Refuses directories, devices and FIFOs (opening a FIFO could block forever)
 * and anything over {@link MAX_SCENARIO_BYTES}, without reading it all.
 */
export async function readScenarioText(absolute: string, shown: string, missingHint: string): Promise<string> {
  const info = await stat(absolute).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw fileError(shown, `no such file. ${missingHint}`);
    if (err.code === 'EACCES') throw fileError(shown, 'cannot be read (permission denied)');
    throw fileError(shown, `cannot be read (${err.code ?? err.message})`);
  });
  if (info.isDirectory()) throw fileError(shown, 'is a directory: give the path of a .yaml scenario file inside it');
  if (!info.isFile()) throw fileError(shown, 'is not a regular file');
  if (info.size > MAX_SCENARIO_BYTES) throw fileError(shown, tooBig(info.size));
  const bytes = await readCapped(absolute, shown);
  const bad = firstInvalidUtf8(bytes);
  if (bad !== -1) {
    const line = bytes.subarray(0, bad).filter((b) => b === 0x0a).length + 1;
    throw fileError(shown, `is not UTF-8 text (invalid byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')} at line ${line}, byte offset ${bad}): save it as UTF-8`);
  }
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function tooBig(size: number): string {
  return `is ${size} bytes, over the ${MAX_SCENARIO_BYTES}-byte (1 MiB) limit for a scenario file; describe traffic with phases instead of listing it (or replay a trace file)`;
}

/** Reads at most cap + 1 bytes, so a file that grows after `stat` is still refused. */
async function readCapped(absolute: string, shown: string): Promise<Buffer> {
  const handle = await open(absolute, 'r');
  try {
    const buffer = Buffer.alloc(MAX_SCENARIO_BYTES + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > MAX_SCENARIO_BYTES) throw fileError(shown, tooBig(filled));
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** Offset of the first byte that breaks UTF-8 (overlongs and surrogates included), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let code = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      code = (code << 6) | (c & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}
