export interface EventIssue {
  /** Path of the offending field, e.g. `detail.window.end`. */
  field: string;
  message: string;
}

/** An event that does not follow the event catalog (DESIGN section 6); lists every problem at once. */
export class EventValidationError extends Error {
  readonly issues: EventIssue[];
  readonly detailType?: string;

  constructor(issues: EventIssue[], detailType?: string) {
    const head = detailType ? `invalid "${detailType}" event` : 'invalid event';
    super(`${head}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    this.name = 'EventValidationError';
    this.issues = issues;
    this.detailType = detailType;
  }
}
