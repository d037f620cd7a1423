/**
 * Who decides what goes out (issue 15): a subject's notices are sent, held for approval (draft) or,
 * for one event, not sent at all. An event's `notify` says so; when it says nothing, the approval
 * policy (configuration, per severity, changes apart) decides whether a new subject waits for
 * `Notices Approved`. Held notices are not stored one by one: the plan is kept as counts and preview
 * groups (a sample customer per text), and the approval plans again against the ledger, so nobody gets
 * a stale or a second notice.
 */
import { z } from 'zod';
import { badValue } from '../bad-value.ts';
import { SEVERITIES, type NodeId, type NotifyChannel, type SubjectState } from '../model.ts';
import type { NotifyChoice } from '../events/schemas.ts';
import { compareNotices, type NoticeKind } from './kinds.ts';
import type { NoticeRecipient, RecipientProfile } from './recipients.ts';
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

/** A held plan as it is kept: counts and preview groups, never the notices (a 390,000-customer plan stays one small item). */
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
  /**
   * The plan's preview groups (the first MAX_HELD_GROUPS in previewOrder): what the held view renders,
   * one stored impact read per group. Absent on plans held before they were kept (docs/decisions.md).
   */
  groups?: HeldGroup[];
  /** More groups than MAX_HELD_GROUPS: the kept ones are whole, the others are not previewed. */
  previewsTruncated?: boolean;
}

/** The key of a preview group: the notices of one kind that one template renders for one locale, channel and effect. */
export interface PreviewKey {
  kind: NoticeKind;
  locale: string;
  channel: NotifyChannel;
  effect: PlannedNotice['effect'];
}

/**
 * A preview group as a held plan keeps it: its key, how many customers get its text, and whose stored
 * impact to render the sample from (the smallest customer id of the group). No rendering context:
 * the shards' counts and the held item stay small whatever the plan's size.
 */
export interface HeldGroup extends PreviewKey {
  /** How many customers get this text. */
  count: number;
  /** Of the customer whose notice the sample is. */
  sampleCustomerId: string;
}

/** One group of a preview with what to render it with. */
export interface PreviewGroup extends HeldGroup {
  /** What to render it with (the sample customer's; the others differ only in touchpoints and time zone). */
  context: NoticeContext;
}

/**
 * Groups a held plan keeps, at most: 16 shards x 64 groups stay far below the run item's 400 KB
 * (docs/decisions.md, Approvals), and a view renders and reads at most this many samples.
 */
export const MAX_HELD_GROUPS = 64;

/** The groups kept: the first MAX_HELD_GROUPS in previewOrder; `truncated` when some were left out. */
export interface HeldGroups {
  groups: HeldGroup[];
  truncated: boolean;
}

const keyOf = (g: PreviewKey) => [g.kind, g.locale, g.channel, g.effect].join('\n');
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A fixed order of preview keys (fan-out order of kind and effect, then locale and channel). Keeping a
 * prefix of it in every shard and again when merging keeps each kept group whole: a key among the
 * first N of all shards' keys is among the first N of every shard that has it.
 */
export const previewOrder = (a: PreviewKey, b: PreviewKey): number =>
  compareNotices({ kind: a.kind, effect: a.effect, customerId: '' }, { kind: b.kind, effect: b.effect, customerId: '' }) ||
  compareText(a.locale, b.locale) ||
  compareText(a.channel, b.channel);

/** Adds a group into the merge: counts added, the smallest customer id kept as the sample. */
const addGroup = (merged: Map<string, HeldGroup>, g: HeldGroup): void => {
  const known = merged.get(keyOf(g));
  if (!known) merged.set(keyOf(g), { ...g });
  else {
    known.count += g.count;
    if (g.sampleCustomerId < known.sampleCustomerId) known.sampleCustomerId = g.sampleCustomerId;
  }
};

const capped = (merged: Map<string, HeldGroup>, truncated: boolean): HeldGroups => {
  const groups = [...merged.values()].sort(previewOrder);
  return { groups: groups.slice(0, MAX_HELD_GROUPS), truncated: truncated || groups.length > MAX_HELD_GROUPS };
};

/** Groups of several parts (shards, batches) merged, then capped in previewOrder. */
export const mergeHeldGroups = (parts: readonly Partial<HeldGroups>[]): HeldGroups => {
  const merged = new Map<string, HeldGroup>();
  for (const part of parts) for (const g of part.groups ?? []) addGroup(merged, g);
  return capped(
    merged,
    parts.some((p) => p.truncated),
  );
};

/**
 * A plan grouped by kind, locale, channel and effect, each group with its count and its sample (the
 * smallest customer id). Customers without a usable channel are left out (they are counted as
 * unreachable); a customer without a locale reads the default ('en').
 */
const groupPlan = (plan: readonly PlannedNotice[], customer: JobSource['customer']): Map<string, HeldGroup> => {
  const merged = new Map<string, HeldGroup>();
  for (const n of plan) {
    const { channel, profile } = customer(n.customerId);
    if (channel) addGroup(merged, { kind: n.kind, locale: profile?.locale ?? 'en', channel, effect: n.effect, count: 1, sampleCustomerId: n.customerId });
  }
  return merged;
};

/** The preview groups a held plan keeps (see HeldGroup), capped at MAX_HELD_GROUPS. */
export const heldGroups = (plan: readonly PlannedNotice[], customer: JobSource['customer']): HeldGroups => capped(groupPlan(plan, customer), false);

/**
 * What a group's sample renders with: the subject as its notices tell it, the sample customer's
 * touchpoints (by the names customers know) and time zone. One rule for the held view and the what-if.
 */
export const previewContext = (
  source: Pick<JobSource, 'state' | 'touchpointNames'>,
  group: Pick<PreviewKey, 'effect'>,
  sample: Pick<NoticeRecipient, 'touchpoints' | 'profile'>,
): NoticeContext =>
  noticeContext(
    jobSubject(source.state),
    { effect: group.effect, touchpoints: sample.touchpoints, ...(sample.profile?.timeZone ? { timeZone: sample.profile.timeZone } : {}) },
    source.touchpointNames,
  );

/**
 * What the console previews before anything is sent: the plan grouped by kind, locale, channel and
 * effect (uncapped), each group with the context its template renders (the API renders it with the
 * templates' renderer) and its count.
 */
export const previewGroups = (plan: readonly PlannedNotice[], source: JobSource): PreviewGroup[] =>
  [...groupPlan(plan, source.customer).values()]
    .sort(previewOrder)
    .map((g) => ({ ...g, context: previewContext(source, g, source.customer(g.sampleCustomerId)) }));

/**
 * A held plan's stored groups with the contexts they render with, from the samples' stored impacts
 * (previewContext, as previewGroups builds them). A sample no longer affected (an all-clear's) has no
 * stored impact: it renders without touchpoints, as its notice names none it still hits.
 */
export const heldPreviewGroups = (
  groups: readonly HeldGroup[],
  source: Pick<JobSource, 'state' | 'touchpointNames'>,
  samples: readonly (RecipientProfile & { customerId: string; touchpoints: NodeId[] })[],
): PreviewGroup[] => {
  const byId = new Map(samples.map((s) => [s.customerId, s]));
  return groups.map((g) => {
    const sample = byId.get(g.sampleCustomerId);
    return { ...g, context: previewContext(source, g, sample ? { touchpoints: sample.touchpoints, profile: sample } : { touchpoints: [] }) };
  });
};
