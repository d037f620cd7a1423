/**
 * `npm start`'s own configuration file, impact.local.json: the SNS subscriptions, and the settings the
 * stack takes from CDK context: `approvalPolicy` (which new subjects wait for approval, as
 * `impact:approvalPolicy`) and `mergeWindowMinutes` (as `impact:mergeWindowMinutes`). A bad value
 * stops the start with every problem named, rather than running with a setting nobody asked for.
 */
import { ApprovalPolicyError, parseApprovalPolicy } from '../../functions/domain/notices/approval.ts';
import { mergeWindowProblem } from '../../functions/domain/notices/merging.ts';
import type { Settings } from '../../functions/handlers/shared/dependencies.ts';
import type { LocalSubscription } from './outbox.ts';

export interface LocalConfig {
  subscriptions: LocalSubscription[];
  settings: Pick<Settings, 'approvalPolicy' | 'mergeWindowMinutes'>;
}

export class LocalConfigError extends Error {
  readonly problems: readonly string[];
  constructor(file: string, problems: readonly string[], options?: ErrorOptions) {
    super(`${file}: ${problems.join('; ')}`, options);
    this.name = 'LocalConfigError';
    this.problems = problems;
  }
}

/** Reads the parsed impact.local.json (`file` names it in messages); keys left out keep the runtime's defaults. */
export const localConfig = (raw: unknown, file: string): LocalConfig => {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new LocalConfigError(file, ['is not a JSON object; give { "subscriptions": [], "approvalPolicy": {}, "mergeWindowMinutes": 5 }']);
  const { subscriptions, approvalPolicy, mergeWindowMinutes } = raw as Record<string, unknown>;
  const problems: string[] = [];
  const settings: LocalConfig['settings'] = {};
  if (approvalPolicy !== undefined) {
    try {
      settings.approvalPolicy = parseApprovalPolicy(typeof approvalPolicy === 'string' ? approvalPolicy : JSON.stringify(approvalPolicy));
    } catch (error) {
      if (!(error instanceof ApprovalPolicyError)) throw error;
      problems.push(...error.problems.map((p) => `approvalPolicy: ${p}`));
    }
  }
  if (mergeWindowMinutes !== undefined) {
    const problem = mergeWindowProblem(mergeWindowMinutes);
    if (problem) problems.push(`mergeWindowMinutes: ${problem}`);
    else settings.mergeWindowMinutes = mergeWindowMinutes as number;
  }
  if (subscriptions !== undefined && !Array.isArray(subscriptions))
    problems.push('subscriptions: is not a list; give [{ "topic", "filterPolicy"?, "endpoint" }]');
  if (problems.length > 0) throw new LocalConfigError(file, problems);
  return { subscriptions: (subscriptions as LocalSubscription[] | undefined) ?? [], settings };
};
