/**
 * How `run` and `blast` end on the command line: the run report (JSON or
 * terminal text) on stdout, the report files and one status line on stderr,
 * and the exit code (0 complete, 1 failed, 130 interrupted).
 */
import { renderJson } from '../../reports/run/render-json.js';
import { renderTerminal } from '../../reports/run/render-terminal.js';
import type { RunReport, RunStatus } from '../../reports/run/queries.js';
import { print, printJson, say } from './output.js';

/** What a recorded run hands back to its command. */
export interface RecordedRunOutcome {
  readonly runId: string;
  readonly status: RunStatus;
  readonly report: RunReport | undefined;
  readonly files: { readonly md: string; readonly json: string; readonly html: string } | undefined;
}

/** Prints `result` (`json`: machine output), then `statusLine` on stderr, and sets the exit code. */
export function showRecordedRun(result: RecordedRunOutcome, json: boolean, statusLine: string): void {
  if (json) {
    if (result.report) printJson(renderJson(result.report));
    else printJson({ run_id: result.runId, status: result.status, error: 'report could not be read back from ClickHouse' });
  } else if (result.report) {
    print(renderTerminal(result.report));
  }
  if (result.files) say(`reports: ${result.files.md}\n         ${result.files.json}\n         ${result.files.html}`);
  say(statusLine);
  if (result.status === 'incomplete') process.exitCode = 130;
  else if (result.status === 'failed') process.exitCode = 1;
}
