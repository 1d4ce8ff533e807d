/**
 * The one serialization of an op, shared by the stream hash and trace files:
 * a JSON object with keys in a fixed order, `{"id","at","kind","account","amount","job"}`.
 * Two streams with the same hash are the same ops, byte for byte.
 */
import { createHash } from 'node:crypto';
import type { Op } from './op.js';

/** One op as a JSON line (without the newline), keys in the fixed order. */
export function streamSerialize(op: Op): string {
  return `{"id":${op.id},"at":${op.at},"kind":"${op.kind}","account":${op.account},"amount":${op.amount},"job":${op.job}}`;
}

/** Characters buffered before a hash update or a file write. */
const CHUNK = 1 << 16;

/** Incremental sha256 of an op stream serialized as NDJSON (each line ends with `\n`). */
export class StreamHasher {
  private readonly hash = createHash('sha256');
  private pending = '';
  /** Ops added so far. */
  count = 0;

  /** Adds one op (its serialized line and a newline) to the hash. */
  add(op: Op): void {
    this.pending += streamSerialize(op) + '\n';
    this.count++;
    if (this.pending.length >= CHUNK) {
      this.hash.update(this.pending);
      this.pending = '';
    }
  }

  /** Hex digest; the hasher cannot be used afterwards. */
  digest(): string {
    this.hash.update(this.pending);
    this.pending = '';
    return this.hash.digest('hex');
  }
}

/** sha256 (hex) of an op stream serialized as NDJSON; accepts a plan's generator or a trace's ops. */
export async function streamSha256(ops: Iterable<Op> | AsyncIterable<Op>): Promise<string> {
  const hasher = new StreamHasher();
  for await (const op of ops) hasher.add(op);
  return hasher.digest();
}
