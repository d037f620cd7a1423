import type { IntakeIssue, IntakeOutcome, IntakeSource, RefusalCode, UnknownName } from './contract.ts';

export type IntakeRefusal = Extract<IntakeOutcome, { kind: 'refused' }>;

/**
 * A refused intake payload, for callers that handle refusals by throwing (the HTTP handler answers
 * 400 and records it). Mappers themselves return the refusal; they never throw.
 */
export class IntakeRefusedError extends Error {
  readonly code: RefusalCode;
  readonly source: IntakeSource;
  readonly issues: IntakeIssue[];
  readonly unknownNames: UnknownName[];

  constructor(refusal: IntakeRefusal, options?: ErrorOptions) {
    super(`${refusal.source} payload refused (${refusal.code}): ${refusal.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, options);
    this.name = 'IntakeRefusedError';
    this.code = refusal.code;
    this.source = refusal.source;
    this.issues = refusal.issues;
    this.unknownNames = refusal.unknownNames;
  }
}

export const isIntakeRefusedError = (error: unknown): error is IntakeRefusedError => error instanceof IntakeRefusedError;

/** A refusal as the pipeline records it: the source, the code, one reason per issue, the unknown names. */
export const refusalRecord = (refusal: IntakeRefusal) => ({
  source: refusal.source,
  code: refusal.code,
  reasons: refusal.issues.map((i) => `${i.field}: ${i.message}`),
  unknownNames: refusal.unknownNames,
});
