/**
 * File checks shared by the spool (`./spool.ts`) and the conversion of an
 * older version's spool (`./spool-legacy.ts`): both read a data file from
 * the replay position kept beside it.
 */
import { readFile, stat } from 'node:fs/promises';

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * The replay position (bytes) stored in `posPath` for a data file of `size`
 * bytes: 0 when the file is missing or holds anything but an offset within
 * the data (replaying from the start may write a batch twice; skipping rows
 * would lose them).
 */
export async function replayPosition(posPath: string, size: number): Promise<number> {
  const pos = Number((await readFile(posPath, 'utf8').catch(() => '0')).trim());
  return Number.isSafeInteger(pos) && pos >= 0 && pos <= size ? pos : 0;
}
