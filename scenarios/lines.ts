/**
 * Streams the lines of a (possibly huge) text file with bounded memory: each
 * line must be valid UTF-8 and no longer than a cap, so a corrupt or hostile
 * file yields a clear error instead of exhausting memory.
 */
import { createReadStream } from 'node:fs';

/** A line's 1-based number and text (without `\n` or a trailing `\r`). */
export interface Line {
  readonly number: number;
  readonly text: string;
}

/** Why a line could not be read; the caller turns it into its own error type. */
export class LineError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Yields the file's lines in batches (one per chunk read), in order.
 * `maxBytes(n)` is the longest line n may be. Throws {@link LineError} for an
 * overlong or non-UTF-8 line; file-system errors propagate as they are.
 */
export async function* readLines(file: string, maxBytes: (line: number) => number): AsyncGenerator<Line[]> {
  let carry: Buffer = Buffer.alloc(0);
  let number = 1;
  const decode = (bytes: Buffer): string => {
    try {
      const text = decoder.decode(bytes);
      return text.endsWith('\r') ? text.slice(0, -1) : text;
    } catch {
      throw new LineError(number, 'is not valid UTF-8');
    }
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    const batch: Line[] = [];
    let data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let newline = data.indexOf(0x0a);
    while (newline !== -1) {
      if (newline > maxBytes(number)) throw new LineError(number, `is longer than ${maxBytes(number)} bytes`);
      batch.push({ number, text: decode(data.subarray(0, newline)) });
      number++;
      data = data.subarray(newline + 1);
      newline = data.indexOf(0x0a);
    }
    if (data.length > maxBytes(number)) throw new LineError(number, `is longer than ${maxBytes(number)} bytes`);
    carry = Buffer.from(data);
    if (batch.length > 0) yield batch;
  }
  if (carry.length > 0) yield [{ number, text: decode(carry) }];
}
