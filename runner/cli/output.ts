/**
 * Where the CLI writes: results on stdout, people-facing lines on stderr, so
 * `--json` output can be piped.
 */

/** Writes one line to stderr. */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Writes text to stdout (adds a final newline if missing). */
export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Writes a value as pretty JSON to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
