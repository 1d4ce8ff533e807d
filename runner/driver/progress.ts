/**
 * Live progress while a strategy replays: one line rewritten in place on a
 * TTY, a plain line every few seconds otherwise (CI logs). Progress is for
 * people; the recorded results never depend on it.
 */
import type { LiveSnapshot } from './open-loop.js';

/** Where progress goes: `tty` (rewritten line), `plain` (periodic lines), `off`. */
export type ProgressMode = 'tty' | 'plain' | 'off';

/** Picks `tty` when stderr is a terminal, else `plain`. */
export function autoProgressMode(stream: NodeJS.WriteStream = process.stderr): ProgressMode {
  return stream.isTTY ? 'tty' : 'plain';
}

/** Options for {@link startProgress}. */
export interface ProgressOptions {
  readonly mode: ProgressMode;
  /** Label shown first, e.g. `row-lock [postgres]`. */
  readonly label: string;
  /** Planned schedule length, µs. */
  readonly scheduleUs: number;
  readonly snapshot: () => LiveSnapshot;
  /** Seconds between plain lines. Default 5. */
  readonly plainEverySeconds?: number;
  readonly stream?: NodeJS.WriteStream;
}

/** Starts printing; returns a function that prints the final line and stops. */
export function startProgress(options: ProgressOptions): () => void {
  const stream = options.stream ?? process.stderr;
  if (options.mode === 'off') return () => undefined;
  let previous = options.snapshot();
  let lastPlain = 0;
  const everyUs = (options.plainEverySeconds ?? 5) * 1e6;
  const tick = (final: boolean): void => {
    const now = options.snapshot();
    const dt = Math.max(1, now.nowUs - previous.nowUs) / 1e6;
    const line = formatLine(options.label, options.scheduleUs, now, (now.sent - previous.sent) / dt, (now.ok - previous.ok) / dt);
    previous = now;
    if (options.mode === 'tty') {
      stream.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    } else if (final || now.nowUs - lastPlain >= everyUs) {
      lastPlain = now.nowUs;
      stream.write(`${line}\n`);
    }
  };
  const timer = setInterval(() => tick(false), 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    tick(true);
  };
}

/** One progress line: elapsed, offered (sent) vs achieved rate, p99 so far, errors, backlog. */
export function formatLine(label: string, scheduleUs: number, s: LiveSnapshot, sentPerS: number, okPerS: number): string {
  const elapsed = `${(Math.max(0, s.nowUs) / 1e6).toFixed(0)}/${(scheduleUs / 1e6).toFixed(0)}s`;
  const parts = [
    label,
    elapsed,
    `sent ${Math.round(sentPerS)}/s`,
    `ok ${Math.round(okPerS)}/s`,
    `p99 ${(s.p99Us / 1000).toFixed(1)}ms`,
    `in-flight ${s.inFlight}`,
    `rejected ${s.rejected}`,
    `errors ${s.errors}`,
    `late ${s.late}`,
  ];
  if (s.behindUs > 100_000) parts.push(`behind ${(s.behindUs / 1e6).toFixed(1)}s`);
  return parts.join('  ');
}
