/**
 * Trace files: an op stream as NDJSON, to keep a generated stream or to
 * replay captured traffic. Line 1 is a header object (format, version,
 * scenario, seed, duration, accounts); every further line is one op in the
 * fixed serialization of {@link streamSerialize}, so a trace's ops hash to the
 * same sha256 as the plan they came from. Reading streams the file (bounded
 * memory) and checks every line, failing with `file:line: what is wrong`.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { z } from 'zod';
import { OP_KINDS, SYSTEM_ROLES, type AccountSpec, type Op, type OpKind } from './op.js';
import { formatPath } from './errors.js';
import { generateOps } from './generate.js';
import { describeIssue } from './issues.js';
import { LineError, readLines } from './lines.js';
import type { Plan } from './plan.js';
import { NAME_PATTERN } from './schema.js';
import { StreamHasher, streamSerialize } from './serialize.js';
import type { OpSource } from './source.js';
import { MAX_ACCOUNTS, MAX_AMOUNT, MAX_BALANCE, MAX_DURATION_US } from './units.js';

export { streamSerialize } from './serialize.js';

/** Value of the header's `format` field. */
export const TRACE_FORMAT = 'hotbench-trace';
/** Current trace format version. */
export const TRACE_VERSION = 1;

/** A trace file is invalid or unreadable. `message` is `file:line: what is wrong`. */
export class TraceError extends Error {
  override readonly name = 'TraceError';
  constructor(
    readonly file: string,
    readonly line: number | null,
    what: string,
  ) {
    super(line === null ? `${file}: ${what}` : `${file}:${line}: ${what}`);
  }
}

const money = z.int().min(-MAX_BALANCE).max(MAX_BALANCE);
const accountValues = { balance: money, floor: z.int().min(-MAX_BALANCE).max(0), threshold: money };

/** The header line. Accounts are compact: a default, plus every hot or differing account. */
const headerSchema = z.strictObject({
  format: z.literal(TRACE_FORMAT),
  version: z.literal(TRACE_VERSION),
  scenario: z.string().regex(NAME_PATTERN, { error: 'expected a scenario name (lowercase letters, digits, dashes)' }),
  description: z.string().max(200).optional(),
  seed: z.int().min(0),
  durationUs: z.int().min(1).max(MAX_DURATION_US),
  accounts: z.strictObject({
    count: z.int().min(1).max(MAX_ACCOUNTS),
    default: z.strictObject(accountValues),
    special: z.array(z.strictObject({ id: z.int().min(0), name: z.string(), hot: z.boolean(), role: z.enum(SYSTEM_ROLES).optional(), ...accountValues })),
  }),
});
/** The header object of a trace file (line 1). */
export type TraceHeader = z.infer<typeof headerSchema>;

/** An opened trace: its header's facts and a replayable, validated op stream. */
export interface TraceSource extends OpSource {
  readonly file: string;
  readonly header: TraceHeader;
}

/** Characters buffered before a write. */
const WRITE_CHUNK = 1 << 18;

/**
 * Writes the plan's stream to `file` (through a temporary file renamed into
 * place, so a crash never leaves half a trace under the real name).
 * Returns the number of ops, bytes written and the stream's sha256.
 */
export async function writeTrace(plan: Plan, file: string): Promise<{ ops: number; bytes: number; sha256: string }> {
  const temporary = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(temporary);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  const write = async (text: string) => {
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  try {
    await write(JSON.stringify(traceHeader(plan)) + '\n');
    const hasher = new StreamHasher();
    let pending = '';
    for (const op of generateOps(plan)) {
      hasher.add(op);
      pending += streamSerialize(op) + '\n';
      if (pending.length >= WRITE_CHUNK) {
        await write(pending);
        pending = '';
      }
    }
    await write(pending);
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
    await rename(temporary, file);
    return { ops: hasher.count, bytes: out.bytesWritten, sha256: hasher.digest() };
  } catch (err) {
    out.destroy();
    await rm(temporary, { force: true });
    throw new TraceError(file, null, `cannot be written (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** The header describing `plan` (accounts in the compact form). */
export function traceHeader(plan: Plan): TraceHeader {
  const typical = plan.accounts.find((a) => !a.hot) ?? { balance: 0, floor: 0, threshold: 0 };
  const base = { balance: typical.balance, floor: typical.floor, threshold: typical.threshold };
  const special = plan.accounts
    .filter((a) => a.hot || a.role !== undefined || a.balance !== base.balance || a.floor !== base.floor || a.threshold !== base.threshold)
    .map((a) => ({ id: a.id, name: a.name, hot: a.hot, ...(a.role === undefined ? {} : { role: a.role }), balance: a.balance, floor: a.floor, threshold: a.threshold }));
  return { format: TRACE_FORMAT, version: TRACE_VERSION, scenario: plan.name, description: plan.description, seed: plan.seed, durationUs: plan.durationUs, accounts: { count: plan.accounts.length, default: base, special } };
}

/** Longest header line (bytes) and longest op line. */
const MAX_HEADER_BYTES = 64 * 1024 * 1024;
const MAX_OP_BYTES = 4096;
const maxLine = (n: number) => (n === 1 ? MAX_HEADER_BYTES : MAX_OP_BYTES);

/** Opens a trace: reads and checks the header only. The ops are read (and checked) when iterated. */
export async function openTrace(file: string): Promise<TraceSource> {
  let first: string | undefined;
  try {
    for await (const batch of readLines(file, maxLine)) {
      first = batch[0]?.text;
      break;
    }
  } catch (err) {
    throw asTraceError(file, err);
  }
  if (first === undefined || first.trim() === '') throw new TraceError(file, 1, `is empty: expected a header line {"format":"${TRACE_FORMAT}",...}`);
  const header = parseHeader(file, first);
  const accounts = expandAccounts(file, header);
  return {
    file,
    header,
    scenario: header.scenario,
    seed: header.seed,
    durationUs: header.durationUs,
    accounts,
    ops: () => readOps(file, header.durationUs, accounts.length),
  };
}

function parseHeader(file: string, text: string): TraceHeader {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TraceError(file, 1, `the header is not JSON: expected {"format":"${TRACE_FORMAT}","version":${TRACE_VERSION},...}`);
  }
  const parsed = headerSchema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  const what = parsed.error.issues.map((i) => `${formatPath(i.path) || 'header'}: ${describeIssue(i)}`).join('; ');
  throw new TraceError(file, 1, `bad header: ${what}`);
}

/** Expands the compact account list; hot accounts must be ids 0..h-1 (as generated plans have them). */
function expandAccounts(file: string, header: TraceHeader): AccountSpec[] {
  const { count, default: base, special } = header.accounts;
  const accounts: AccountSpec[] = Array.from({ length: count }, (_, id) => ({ id, ...base, hot: false, name: '' }));
  const seen = new Set<number>();
  for (const a of special) {
    const problem =
      a.id >= count ? `is outside 0..${count - 1}` : seen.has(a.id) ? 'is listed twice' : a.balance < a.floor ? 'has a balance below its floor' : a.hot && !NAME_PATTERN.test(a.name) ? 'is hot but has no valid name' : undefined;
    if (problem !== undefined) throw new TraceError(file, 1, `bad header: accounts.special: account ${a.id} ${problem}`);
    seen.add(a.id);
    const name = a.hot || a.role !== undefined ? a.name : '';
    accounts[a.id] = { id: a.id, balance: a.balance, floor: a.floor, threshold: a.threshold, hot: a.hot, name, ...(a.role === undefined ? {} : { role: a.role }) };
  }
  const hot = accounts.filter((a) => a.hot).length;
  if (accounts.slice(0, hot).some((a) => !a.hot)) throw new TraceError(file, 1, `bad header: hot accounts must have the lowest ids (0..${hot - 1})`);
  return accounts;
}

const KINDS = new Set<string>(OP_KINDS);
const OP_KEYS = ['id', 'at', 'kind', 'account', 'amount', 'job'] as const;

async function* readOps(file: string, durationUs: number, accountCount: number): AsyncGenerator<Op> {
  let expectedId = 0;
  let lastAt = 0;
  let blankAt: number | null = null;
  try {
    for await (const batch of readLines(file, maxLine)) {
      for (const line of batch) {
        if (line.number === 1) continue;
        if (line.text.trim() === '') {
          blankAt ??= line.number;
          continue;
        }
        if (blankAt !== null) throw new TraceError(file, blankAt, 'empty line inside the trace');
        const op = checkOp(line.text, expectedId, lastAt, durationUs, accountCount);
        if (typeof op === 'string') throw new TraceError(file, line.number, op);
        expectedId++;
        lastAt = op.at;
        yield op;
      }
    }
  } catch (err) {
    throw asTraceError(file, err);
  }
}

/** The op on a line, or what is wrong with it. */
function checkOp(text: string, expectedId: number, lastAt: number, durationUs: number, accountCount: number): Op | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'not valid JSON: expected {"id":..,"at":..,"kind":..,"account":..,"amount":..,"job":..}';
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'expected a JSON object';
  const o = raw as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => !(OP_KEYS as readonly string[]).includes(k));
  if (extra !== undefined) return `unknown key "${extra}" (allowed: ${OP_KEYS.join(', ')})`;
  const missing = OP_KEYS.find((k) => !(k in o));
  if (missing !== undefined) return `missing "${missing}"`;
  const { id, at, kind, account, amount, job } = o;
  if (!Number.isSafeInteger(id) || id !== expectedId) return `id is ${JSON.stringify(id)}, expected ${expectedId} (ids are dense from 0, in order)`;
  if (!Number.isSafeInteger(at) || (at as number) < lastAt || (at as number) >= durationUs)
    return `at is ${JSON.stringify(at)}, expected an integer µs in [${lastAt}, ${durationUs}) (non-decreasing, inside the header's durationUs)`;
  if (typeof kind !== 'string' || !KINDS.has(kind)) return `kind is ${JSON.stringify(kind)}, expected one of ${OP_KINDS.join(', ')}`;
  if (!Number.isSafeInteger(account) || (account as number) < 0 || (account as number) >= accountCount)
    return `account is ${JSON.stringify(account)}, expected an integer in [0, ${accountCount})`;
  const amountProblem = checkAmount(kind as OpKind, amount);
  if (amountProblem !== undefined) return amountProblem;
  if (!Number.isSafeInteger(job) || (job as number) < -1 || (kind !== 'adjust' && job !== -1))
    return `job is ${JSON.stringify(job)}, expected -1${kind === 'adjust' ? ' or a job id ≥ 0' : ` (only adjust ops belong to jobs)`}`;
  return { id: id as number, at: at as number, kind: kind as OpKind, account: account as number, amount: amount as number, job: job as number };
}

function checkAmount(kind: OpKind, amount: unknown): string | undefined {
  if (!Number.isSafeInteger(amount) || Math.abs(amount as number) > MAX_AMOUNT) return `amount is ${JSON.stringify(amount)}, expected an integer number of minor units`;
  if (kind === 'read' && amount !== 0) return `amount is ${String(amount)}, expected 0 for a read`;
  if (kind !== 'read' && kind !== 'adjust' && (amount as number) < 0) return `amount is ${String(amount)}, expected ≥ 0 for a ${kind} (the kind gives the sign)`;
  return undefined;
}

function asTraceError(file: string, err: unknown): Error {
  if (err instanceof TraceError) return err;
  if (err instanceof LineError) return new TraceError(file, err.line, `line ${err.message}`);
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new TraceError(file, null, 'no such file');
  if (code === 'EISDIR') return new TraceError(file, null, 'is a directory, not a trace file');
  return new TraceError(file, null, `cannot be read (${err instanceof Error ? err.message : String(err)})`);
}
