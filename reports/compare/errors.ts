/**
 * Bad input to a comparison (unknown run, different scenario, a malformed
 * threshold). Its message is fit to print as is: one line per problem, each
 * saying what, where and how to fix it. The CLI exits with 2 on it.
 */
export class CompareInputError extends Error {
  override readonly name = 'CompareInputError';
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0]! : `${problems.length} problems:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}
