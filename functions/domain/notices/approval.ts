/**
 * Who decides what goes out (issue 15): a subject's notices are sent, held for approval (draft) or,
 * for one event, not sent at all. An event's `notify` says so; when it says nothing, the approval
 * policy (configuration, per severity, changes apart) decides whether a new subject waits for
 * `Notices Approved`. Held notices are not stored one by one: the plan is kept as counts, and the
 * approval plans again against the ledger, so nobody gets a stale or a second notice.
 */
import { z } from 'zod';
import { badValue } from '../bad-value.ts';
import { SEVERITIES, type NotifyChannel, type SubjectState } from '../model.ts';
import type { NotifyChoice } from '../events/schemas.ts';
import type { NoticeKind } from './kinds.ts';
import type { PlannedNotice } from './planning.ts';
import { jobSubject, type JobSource } from './jobs.ts';
import type { NoticeContext } from './templates.ts';
import { noticeContext } from './messages.ts';

export const APPROVAL_CHOICES = ['send', 'draft'] as const;
export type ApprovalChoice = (typeof APPROVAL_CHOICES)[number];
export const POLICY_KEYS = [...SEVERITIES, 'change'] as const;
export type ApprovalPolicy = Record<(typeof POLICY_KEYS)[number], ApprovalChoice>;

/** Everything is sent unless configured otherwise: the behaviour before approvals existed. */
export const SEND_EVERYTHING: ApprovalPolicy = { sev1: 'send', sev2: 'send', sev3: 'send', sev4: 'send', change: 'send' };

const choice = z.enum(APPROVAL_CHOICES, { error: badValue('an approval choice', 'use "send" or "draft"') });
const policySchema = z.strictObject(
  { sev1: choice.optional(), sev2: choice.optional(), sev3: choice.optional(), sev4: choice.optional(), change: choice.optional() },
  { error: badValue('an approval policy', 'give an object such as {"sev3":"draft","change":"draft"}') },
);

export class ApprovalPolicyError extends Error {
  readonly problems: string[];
  constructor(problems: string[], options?: ErrorOptions) {
    super(`approval policy (APPROVAL_POLICY / impact:approvalPolicy) is invalid: ${problems.join('; ')}`, options);
    this.name = 'ApprovalPolicyError';
    this.problems = problems;
  }
}

/**
 * The policy from its configuration text (JSON: keys sev1..sev4 and change, values "send" or "draft");
 * keys left out send. Empty or absent: everything is sent.
 */
export const parseApprovalPolicy = (text: string | undefined): ApprovalPolicy => {
  if (text === undefined || text.trim() === '') return SEND_EVERYTHING;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ApprovalPolicyError([`not JSON (${(error as Error).message}); give an object such as {"sev3":"draft","change":"draft"}`], { cause: error });
  }
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) {
    const unknownKey = (issue: z.core.$ZodIssue) =>
      issue.code === 'unrecognized_keys' ? `${issue.keys.join(', ')}: not a policy key; use ${POLICY_KEYS.join(', ')}` : undefined;
    throw new ApprovalPolicyError(
      parsed.error.issues.map((i) => unknownKey(i) ?? `${i.path.join('.') || '(policy)'}: ${i.message}`),
      { cause: parsed.error },
    );
  }
  return { ...SEND_EVERYTHING, ...parsed.data };
};

/** What the policy says for a subject: by its severity (incidents) or as a change. */
export const policyFor = (policy: ApprovalPolicy, state: Pick<SubjectState, 'type' | 'severity'>): ApprovalChoice =>
  state.type === 'change' ? policy.change : policy[state.severity ?? 'sev2'];

/**
 * Whether a subject's notices wait for approval. An explicit draft holds until `Notices Approved`. Once
 * approved, once an event said `notify: true`, or once anything about it was sent, the policy no longer
 * holds it; before that, the policy decides on the subject as it is now (an incident raised to sev1
 * under a sev1-sends policy goes out at once).
 */
export const isHeld = (input: { state: SubjectState; policy: ApprovalPolicy; anythingSent: boolean }): boolean => {
  const { state, policy, anythingSent } = input;
  if (state.draft) return true;
  if (state.approved || state.sendChosen || anythingSent) return false;
  return policyFor(policy, state) === 'draft';
};

/** Whether a held plan may be stored for the subject (it was held once, or the policy holds anything). */
export const mayBeHeld = (state: Pick<SubjectState, 'draft' | 'approved'>, policy: ApprovalPolicy): boolean =>
  !!state.draft || !!state.approved || Object.values(policy).includes('draft');

export type NoticeMode = 'send' | 'hold' | 'silent';

/**
 * What happens to the notices an event calls for: `silent` when the event said `notify: false` (it is
 * recorded, nobody is told for it), `hold` while the subject is held, else `send`.
 */
export const noticeMode = (input: { state: SubjectState; notify: NotifyChoice | undefined; policy: ApprovalPolicy; anythingSent: boolean }): NoticeMode =>
  input.notify === false ? 'silent' : isHeld(input) ? 'hold' : 'send';

/** A held plan as it is kept: counts, never the notices (a 390,000-customer plan stays one small item). */
export interface HeldNotices {
  subjectKey: string;
  /** Notices per kind. */
  byKind: Partial<Record<NoticeKind, number>>;
  /** Distinct customers the notices would reach (reachable or not). */
  customers: number;
  /** Customers without a usable channel: counted, never sent. */
  unreachable: number;
  /** When the subject was first held (the draft's time, or the first held plan). */
  since: number;
  /** Version of the last event the plan was made for. */
  eventVersion: number;
}

/** The counts of a held plan (see HeldNotices). */
export const heldNotices = (
  plan: readonly PlannedNotice[],
  source: Pick<JobSource, 'customer'>,
  facts: { subjectKey: string; since: number; eventVersion: number },
): HeldNotices => {
  const byKind: Partial<Record<NoticeKind, number>> = {};
  const customers = new Set<string>();
  const unreachable = new Set<string>();
  for (const n of plan) {
    byKind[n.kind] = (byKind[n.kind] ?? 0) + 1;
    customers.add(n.customerId);
    if (!source.customer(n.customerId).channel) unreachable.add(n.customerId);
  }
  return { ...facts, byKind, customers: customers.size, unreachable: unreachable.size };
};

/** One group of a preview: the notices of one kind that one template renders for one locale and channel. */
export interface PreviewGroup {
  kind: NoticeKind;
  locale: string;
  channel: NotifyChannel;
  effect: PlannedNotice['effect'];
  /** How many customers get this text. */
  count: number;
  /** What to render it with (the first customer's; the others differ only in touchpoints). */
  context: NoticeContext;
  /** Of that first customer, to show whose notice the sample is. */
  sampleCustomerId: string;
}

/**
 * What the console previews before approval: the plan grouped by kind, locale, channel and effect, each
 * group with the context its template renders (the API renders it with the templates' renderer) and
 * its count. Customers without a usable channel are left out (they are counted as unreachable).
 */
export const previewGroups = (plan: readonly PlannedNotice[], source: JobSource): PreviewGroup[] => {
  const groups = new Map<string, PreviewGroup>();
  for (const n of plan) {
    const recipient = source.customer(n.customerId);
    if (!recipient.channel) continue;
    const locale = recipient.profile?.locale ?? 'en';
    const key = [n.kind, locale, recipient.channel, n.effect].join('\n');
    const known = groups.get(key);
    if (known) known.count++;
    else {
      const context = noticeContext(
        jobSubject(source.state),
        { effect: n.effect, touchpoints: recipient.touchpoints, ...(recipient.profile?.timeZone ? { timeZone: recipient.profile.timeZone } : {}) },
        source.touchpointNames,
      );
      groups.set(key, { kind: n.kind, locale, channel: recipient.channel, effect: n.effect, count: 1, context, sampleCustomerId: n.customerId });
    }
  }
  return [...groups.values()];
};
