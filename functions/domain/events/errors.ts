export interface EventIssue {
  /** Path of the offending field, e.g. `detail.window.end`. */
  field: string;
  message: string;
}

/** One problem as a line: `detail.window.end: must be after window.start ...`. */
export const formatIssue = (issue: EventIssue): string => `${issue.field}: ${issue.message}`;

/** An event that does not follow the event catalog (DESIGN section 6); lists every problem at once. */
export class EventValidationError extends Error {
  readonly issues: EventIssue[];
  readonly detailType?: string;

  constructor(issues: EventIssue[], detailType?: string) {
    const head = detailType ? `invalid "${detailType}" event` : 'invalid event';
    super(`${head}: ${issues.map(formatIssue).join('; ')}`);
    this.name = 'EventValidationError';
    this.issues = issues;
    this.detailType = detailType;
  }
}
