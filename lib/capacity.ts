/**
 * What the stack sizes from AWS's quotas and the capacity model (docs/capacity.md): the SNS message
 * budget fan-out is paced to, and how many notify invocations share it. Plain data and arithmetic.
 */

/** SNS publish quota (Publish + PublishBatch messages/s) per region (AWS-LIMITS, S1); others 300. */
export const SNS_QUOTA: Readonly<Record<string, number>> = {
  'us-east-1': 30_000,
  'us-west-2': 9_000,
  'eu-west-1': 9_000,
  'us-east-2': 1_500,
  'us-west-1': 1_500,
  'ap-south-1': 1_500,
  'ap-northeast-2': 1_500,
  'ap-southeast-1': 1_500,
  'ap-southeast-2': 1_500,
  'ap-northeast-1': 1_500,
  'eu-central-1': 1_500,
};
export const SMALL_REGION_QUOTA = 300;
/** The share of the region's quota the pipeline paces to: the rest is headroom for the account's other publishers. */
export const SNS_BUDGET_SHARE = 0.8;

/** The default budget: a share of the region's quota; a region unknown at synth (an env-agnostic stack) gets the smallest quota. */
export const snsBudgetFor = (region: string | undefined): number =>
  Math.floor((region && SNS_QUOTA[region] ? SNS_QUOTA[region] : SMALL_REGION_QUOTA / SNS_BUDGET_SHARE) * SNS_BUDGET_SHARE);

/**
 * Notices one notify invocation sends per second when SNS does not hold it back: a PublishBatch of 10
 * and the ledger write after it take ~30-40 ms (docs/capacity.md, section 1).
 */
export const NOTICES_PER_WORKER = 250;

/** Notify invocations at once: enough workers for the budget (at least 2, at most the SQS mapping's 1,000). */
export const notifyConcurrencyFor = (budget: number): number => Math.min(1_000, Math.max(2, Math.ceil(budget / NOTICES_PER_WORKER)));
