/**
 * The error a scenario problem is reported with: every problem at once, each
 * with the file, the path inside it and what was expected, printed as clean
 * lines (no stack) so the CLI can show `.message` as is.
 */

/** One problem in one scenario file. */
export interface ScenarioIssue {
  /** The file as the user named it (relative to the working directory when inside it). */
  readonly file: string;
  /** Where in the file, e.g. `phases[1].arrival.rate`; '' for the file as a whole. */
  readonly path: string;
  /** What is wrong and what was expected, one line. */
  readonly message: string;
  /** 1-based line and column of the offending node, when known. */
  readonly line?: number;
  readonly column?: number;
}

/** Formats one issue as `file:line:col: path: message` (location parts omitted when unknown). */
export function formatIssue(issue: ScenarioIssue): string {
  const where = issue.line !== undefined ? `${issue.file}:${issue.line}:${issue.column ?? 1}` : issue.file;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

/** A scenario could not be loaded or compiled. `message` holds one line per issue. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(readonly issues: readonly ScenarioIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

/** Shorthand for an error about the file as a whole. */
export function fileError(file: string, message: string): ScenarioError {
  return new ScenarioError([{ file, path: '', message }]);
}

/** Renders a path array as `phases[1].arrival.rate`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
