export interface GraphProblem {
  /** The file the problem is in (a graph file, customers.csv or usage.csv). */
  file: string;
  /** Where in the file: `components[3].dependsOn[1]`, or `line 1042` in a CSV. */
  path: string;
  /** The id of the component, touchpoint or customer concerned, when there is one. */
  id?: string;
  /** What is wrong and how to fix it. */
  message: string;
}

/** A graph that cannot be used; lists every problem found (up to a cap) so they can all be fixed at once. */
export class GraphValidationError extends Error {
  readonly problems: GraphProblem[];
  /** Problems found in total; more than `problems.length` when the list was capped. */
  readonly total: number;

  constructor(problems: GraphProblem[], total = problems.length) {
    const more = total > problems.length ? `\n  ... and ${total - problems.length} more` : '';
    super(`invalid graph: ${total} problem(s)\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}${more}`);
    this.name = 'GraphValidationError';
    this.problems = problems;
    this.total = total;
  }
}

export const formatProblem = (p: GraphProblem): string => `${p.file}: ${p.path}${p.id !== undefined ? ` (${p.id})` : ''}: ${p.message}`;
