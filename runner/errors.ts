/**
 * Errors the CLI prints as one clean line (no stack): bad input, an
 * unreachable server, a missing tool. Anything else is a bug and is printed
 * with its stack.
 */

/** An error whose message is meant for the user as is: what, where, how to fix. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    /** Process exit code the CLI uses. Default 2 (usage / input error). */
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** True for errors whose message is already fit for the user (ours and those of the modules we call). */
export function isUserFacing(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  return err instanceof UserError || ['ScenarioError', 'SpecError', 'StoreError', 'StackError', 'ParamError', 'TraceError'].includes(err.name);
}

/** The first line of an error's message, for one-line reports. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return line.trim().slice(0, 500);
}
