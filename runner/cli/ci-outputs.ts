/**
 * The CI side outputs of `run` and `compare`, written after the command's
 * own output: `--junit FILE` (the option table's `junit`) (JUnit XML, `reports/ci/`) and, when
 * GITHUB_STEP_SUMMARY is set, the Markdown verdict appended to the job
 * summary. Neither changes stdout or the exit code; a file that cannot be
 * written is one clear line (a JUnit file the user asked for is an error,
 * exit 2; a summary CI asked for is a warning, so the verdict still decides).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { appendStepSummary } from '../../reports/ci/step-summary.js';
import { UserError } from '../errors.js';
import { say } from './output.js';

/** Writes `xml` to `path` (folders created). Throws a one-line {@link UserError} when it cannot. */
export async function writeJUnitFile(path: string, xml: string): Promise<void> {
  const file = resolve(path);
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, xml);
  } catch (err) {
    throw new UserError(`--junit ${path}: cannot write it (${(err as NodeJS.ErrnoException).code ?? 'error'}); give a writable file path`);
  }
  say(`junit: ${file}`);
}

/** Appends `markdown` to the GitHub job summary when GITHUB_STEP_SUMMARY is set; a failure is one line on stderr. */
export async function toStepSummary(markdown: string): Promise<void> {
  const result = await appendStepSummary(markdown);
  if ('error' in result) say(`step summary: ${result.error}`);
}
