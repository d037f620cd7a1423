/**
 * The notice job: what assess (and remind) hand to notify through SQS. One job = one kind for up to
 * JOB_CUSTOMERS customers of one subject, so each message stays far below the SQS size limit.
 */
import { z } from 'zod';
import { EFFECTS, NOTIFY_CHANNELS, type SubjectState } from '../model.ts';
import { shardOf } from '../shards.ts';
import type { Topology } from '../impact/propagate.ts';
import { briefingSchema, renderBriefing, type Briefing } from './briefings.ts';
import { NOTICE_KINDS, fanOutRank, type NoticeKind } from './kinds.ts';
import type { PlannedNotice } from './planning.ts';
import type { NoticeRecipient } from './recipients.ts';
import type { LastTold } from './told.ts';

export const JOB_CUSTOMERS = 200;

/**
 * The notices of one (subject, kind, version) are claimed in the ledger page by page: a customer's page
 * is fixed by their id, so racing workers always meet on the same page, and one conditional update per
 * page claims a whole run of customers. 1,024 pages keep a page near 200 customers for a 200,000-customer
 * notice, and a page near 100 KB (DynamoDB allows 400 KB) for a notice to 10 million customers.
 */
export const NOTICE_PAGES = 1024;
export const noticePageOf = (customerId: string): number => shardOf(customerId, NOTICE_PAGES);

const jobCustomer = z.object({
  id: z.string(),
  version: z.number().int(),
  effect: z.enum(EFFECTS),
  channel: z.enum(NOTIFY_CHANNELS).optional(),
  locale: z.string().optional(),
  timeZone: z.string().optional(),
  segment: z.string().optional(),
  quietHours: z.object({ start: z.string(), end: z.string() }).optional(),
  touchpoints: z.array(z.string()),
  /** The effect of the last notice the customer was told about the subject (the ledger, when planned). */
  toldEffect: z.enum(EFFECTS).optional(),
  /** When the customer was last told about the subject (epoch ms; the ledger, when planned). */
  lastToldAt: z.number().optional(),
  /**
   * A fallback (functions/domain/delivery): the channels this notice already failed on. The notice goes
   * once more, on the customer's next usable channel not among these.
   */
  tried: z.array(z.enum(NOTIFY_CHANNELS)).optional(),
});

/** The subject as a notice tells it: what the templates need of its state. */
export const jobSubjectSchema = z.object({
  type: z.enum(['change', 'incident']),
  id: z.string(),
  title: z.string().optional(),
  status: z.string().optional(),
  start: z.number(),
  end: z.number().optional(),
  customerMessage: z.string().optional(),
  expectedResolutionAt: z.number().optional(),
  /** When the event the notices tell of occurred (epoch ms); absent for scheduled notices. Delivery latency is measured from it. */
  occurredAt: z.number().optional(),
});
export type JobSubject = z.infer<typeof jobSubjectSchema>;

export const noticeJobSchema = z.object({
  type: z.literal('notices'),
  subjectKey: z.string(),
  subject: jobSubjectSchema,
  /** Version of the subject's last event when the job was planned. */
  eventVersion: z.number().int().optional(),
  /** Made due by a schedule (reminders, overrun, incident cadence): versions are minutes of the tick. */
  scheduled: z.boolean().optional(),
  kind: z.enum(NOTICE_KINDS),
  touchpointNames: z.record(z.string(), z.string()),
  customers: z.array(jobCustomer),
  /** Times these customers' notices were queued again because SNS refused them after every retry. */
  publishRetries: z.number().int().nonnegative().optional(),
});
export type NoticeJob = z.infer<typeof noticeJobSchema>;

/** Rounds a notice SNS keeps refusing is queued again before it goes to the dead-letter queue. */
export const PUBLISH_RETRIES = 4;

/**
 * What becomes of the customers of a job whose notices SNS refused after the adapter's retries: queued
 * again after a growing delay (15 s, 30 s, 1 min, 2 min), so an SNS hiccup delays a notice instead of
 * dead-lettering it, and only after PUBLISH_RETRIES rounds handed to the dead-letter queue.
 */
export const afterPublishFailure = (
  job: NoticeJob,
  failed: ReadonlySet<string>,
): { retry: { body: NoticeJob; delaySeconds: number } } | { deadLetter: NoticeJob } => {
  const retries = job.publishRetries ?? 0;
  const body = { ...job, customers: job.customers.filter((c) => failed.has(c.id)) };
  if (retries >= PUBLISH_RETRIES) return { deadLetter: body };
  return { retry: { body: { ...body, publishRetries: retries + 1 }, delaySeconds: Math.min(900, 15 * 2 ** retries) } };
};
export type JobCustomer = z.infer<typeof jobCustomer>;

export const briefingJobSchema = z.object({ type: z.literal('briefing'), briefing: briefingSchema, text: z.string() });
export type BriefingJob = z.infer<typeof briefingJobSchema>;

export const jobSchema = z.discriminatedUnion('type', [noticeJobSchema, briefingJobSchema]);
export type Job = z.infer<typeof jobSchema>;

export const briefingJob = (briefing: Briefing): BriefingJob => ({ type: 'briefing', briefing, text: renderBriefing(briefing) });

/** The names customers know the hit touchpoints by (the id when a touchpoint has no name). */
export const touchpointNamesOf = (touchpoints: readonly { id: string }[], topology: Pick<Topology, 'touchpoints'>): Record<string, string> =>
  Object.fromEntries(touchpoints.map((t) => [t.id, topology.touchpoints.get(t.id)?.name ?? t.id]));

export interface JobSource {
  state: SubjectState;
  subjectKey: string;
  /** Version of the subject's last event (the projection's eventVersion). */
  eventVersion?: number;
  /** The notices were made due by a schedule (remind). */
  scheduled?: boolean;
  /** Who each customer's notice goes to (see noticeRecipients). */
  customer: (id: string) => NoticeRecipient;
  /** What each customer was last told about the subject (see lastTold), for quiet hours and merging. */
  told?: (id: string) => LastTold | undefined;
  touchpointNames: Record<string, string>;
}

/** What a notice tells of a subject's state (see jobSubjectSchema). */
export const jobSubject = (state: SubjectState): JobSubject => ({
  type: state.type,
  id: state.id,
  ...(state.title ? { title: state.title } : {}),
  status: state.status,
  start: state.window.start,
  ...(state.window.end !== undefined ? { end: state.window.end } : {}),
  ...(state.customerMessage ? { customerMessage: state.customerMessage } : {}),
  ...(state.expectedResolutionAt !== undefined ? { expectedResolutionAt: state.expectedResolutionAt } : {}),
});

/**
 * Within a kind, outage before degraded before none (fan-out order), and inside each effect the
 * customers in claim-page order: a job of 200 then touches one or two ledger pages, not 200.
 */
const inJobOrder = (notices: readonly PlannedNotice[]): PlannedNotice[] =>
  notices
    .map((n) => ({ n, page: noticePageOf(n.customerId) }))
    .sort(
      (a, b) =>
        fanOutRank(a.n.effect) - fanOutRank(b.n.effect) || a.page - b.page || (a.n.customerId < b.n.customerId ? -1 : a.n.customerId > b.n.customerId ? 1 : 0),
    )
    .map(({ n }) => n);

/** Groups planned notices by kind (in plan order) into jobs of at most JOB_CUSTOMERS customers. */
export const toJobs = (plan: readonly PlannedNotice[], source: JobSource): NoticeJob[] => {
  const byKind = new Map<NoticeKind, PlannedNotice[]>();
  for (const p of plan) {
    const list = byKind.get(p.kind);
    if (list) list.push(p);
    else byKind.set(p.kind, [p]);
  }
  const jobs: NoticeJob[] = [];
  // A scheduled notice has no event of its own: delivery latency is measured only for notices an event caused.
  const subject =
    source.scheduled || source.state.lastOccurredAt === undefined
      ? jobSubject(source.state)
      : { ...jobSubject(source.state), occurredAt: source.state.lastOccurredAt };
  for (const [kind, planned] of byKind) {
    const notices = inJobOrder(planned);
    for (let i = 0; i < notices.length; i += JOB_CUSTOMERS) {
      jobs.push({
        type: 'notices',
        subjectKey: source.subjectKey,
        subject,
        ...(source.eventVersion !== undefined ? { eventVersion: source.eventVersion } : {}),
        ...(source.scheduled ? { scheduled: true } : {}),
        kind,
        touchpointNames: source.touchpointNames,
        customers: notices.slice(i, i + JOB_CUSTOMERS).map((n) => {
          const { channel, touchpoints, profile } = source.customer(n.customerId);
          const told = source.told?.(n.customerId);
          return {
            id: n.customerId,
            version: n.version,
            effect: n.effect,
            ...(channel ? { channel } : {}),
            ...(profile?.locale ? { locale: profile.locale } : {}),
            ...(profile?.timeZone ? { timeZone: profile.timeZone } : {}),
            ...(profile?.segment ? { segment: profile.segment } : {}),
            ...(profile?.quietHours ? { quietHours: profile.quietHours } : {}),
            touchpoints,
            ...(told?.effect ? { toldEffect: told.effect } : {}),
            ...(told ? { lastToldAt: told.at } : {}),
          };
        }),
      });
    }
  }
  return jobs;
};

/**
 * How long a notice job's ledger claims are its own (a lease): notify's timeout, which the stack derives
 * from it, plus LEASE_MARGIN_MS, so a Lambda worker is always gone before its lease runs out and another
 * job (a retry, a DLQ redrive) may take over what it never sent.
 */
export const CLAIM_LEASE_MS = 150_000;
/** A worker stops sending this long before its lease ends: clock skew between workers, one batch in flight. */
export const LEASE_MARGIN_MS = 30_000;
