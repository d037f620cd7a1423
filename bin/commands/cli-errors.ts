/**
 * Bad input to the CLI: exit code 2, nothing on stdout, every problem on stderr.
 * Each command throws; bin/impact.ts turns the error into that contract.
 */
import { CommanderError } from 'commander';
import { EventValidationError, formatIssue } from '../../functions/domain/events/errors.ts';
import { GraphValidationError, formatProblem } from '../../functions/domain/graph/errors.ts';

export const EXIT_BAD_INPUT = 2;

/** Input the user can fix: a missing file, a bad option value, an invalid document. */
export class CliInputError extends Error {
  readonly problems: string[];
  constructor(problems: string[], options?: ErrorOptions) {
    super(problems.join('\n'), options);
    this.name = 'CliInputError';
    this.problems = problems;
  }
}

/** Lines for stderr, or undefined when the error is not about the input (a bug: let it surface). */
export const describeInputError = (error: unknown): string[] | undefined => {
  if (error instanceof CliInputError) return error.problems.map((p) => `error: ${p}`);
  if (error instanceof GraphValidationError) {
    const more = error.total > error.problems.length ? [`error: ... and ${error.total - error.problems.length} more problem(s)`] : [];
    return [`error: invalid graph (${error.total} problem(s)):`, ...error.problems.map((p) => `  ${formatProblem(p)}`), ...more];
  }
  if (error instanceof EventValidationError) {
    return [`error: invalid event${error.detailType ? ` "${error.detailType}"` : ''}:`, ...error.issues.map((i) => `  ${formatIssue(i)}`)];
  }
  return undefined;
};

/** Runs the program: maps input errors to exit code 2 and commander's own errors to their codes. */
export const runCli = async (run: () => Promise<unknown>): Promise<number> => {
  try {
    await run();
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" in commander's flow; usage mistakes are bad input.
      return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    }
    const lines = describeInputError(error);
    if (!lines) throw error;
    process.stderr.write(`${lines.join('\n')}\n`);
    return EXIT_BAD_INPUT;
  }
};
