/**
 * GitHub Actions' job summary: when `GITHUB_STEP_SUMMARY` names a file, the
 * Markdown verdict is appended there (and nowhere else: stdout stays what it
 * was, so a pipe or a PR-comment step sees the same text as before). Other
 * CI systems leave the variable unset, and nothing happens.
 */
import { appendFile } from 'node:fs/promises';

/** The variable GitHub Actions sets to the step's summary file. */
export const STEP_SUMMARY_VARIABLE = 'GITHUB_STEP_SUMMARY';

/** Where the summary went, or why it could not. */
export type StepSummaryResult = { readonly written: false } | { readonly written: true; readonly path: string } | { readonly written: false; readonly error: string };

/**
 * Appends `markdown` (plus a blank line, so two steps' summaries do not run
 * together) to the file `env.GITHUB_STEP_SUMMARY` names. Never throws: a
 * summary that cannot be written must not turn a verdict into a tool error;
 * the result says why, for one line on stderr.
 */
export async function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): Promise<StepSummaryResult> {
  const path = env[STEP_SUMMARY_VARIABLE]?.trim();
  if (!path) return { written: false };
  try {
    await appendFile(path, `${markdown.endsWith('\n') ? markdown : `${markdown}\n`}\n`);
    return { written: true, path };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { written: false, error: `${STEP_SUMMARY_VARIABLE}=${path}: cannot append the summary (${code}); the verdict is on stdout` };
  }
}
