/**
 * The notice job: what assess (and remind) hand to notify through SQS. One job = one kind for up to
 * JOB_CUSTOMERS customers of one subject, so each message stays far below the SQS size limit.
 */
import { z } from 'zod';
import { EFFECTS, NOTIFY_CHANNELS, type AssessedCustomer, type Customer, type SubjectState } from '../model.ts';
import { NOTICE_KINDS, type NoticeKind } from './kinds.ts';
import type { PlannedNotice } from './planning.ts';

export const JOB_CUSTOMERS = 200;

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
});

export const noticeJobSchema = z.object({
  type: z.literal('notices'),
  subjectKey: z.string(),
  subject: z.object({
    type: z.enum(['change', 'incident']),
    id: z.string(),
    title: z.string().optional(),
    start: z.number(),
    end: z.number().optional(),
    customerMessage: z.string().optional(),
  }),
  kind: z.enum(NOTICE_KINDS),
  touchpointNames: z.record(z.string(), z.string()),
  customers: z.array(jobCustomer),
});
export type NoticeJob = z.infer<typeof noticeJobSchema>;
export type JobCustomer = z.infer<typeof jobCustomer>;

export const briefingJobSchema = z.object({ type: z.literal('briefing'), briefing: z.record(z.string(), z.unknown()), text: z.string() });
export type BriefingJob = z.infer<typeof briefingJobSchema>;

export const jobSchema = z.discriminatedUnion('type', [noticeJobSchema, briefingJobSchema]);
export type Job = z.infer<typeof jobSchema>;

export interface JobSource {
  state: SubjectState;
  subjectKey: string;
  /** Per customer: assessed impact (notify channel, touchpoints) and profile (no contact details). */
  customer: (id: string) => { assessed?: Pick<AssessedCustomer, 'notify' | 'touchpoints'>; profile?: Pick<Customer, 'locale' | 'timeZone' | 'segment' | 'quietHours'> };
  touchpointNames: Record<string, string>;
}

/** Groups planned notices by kind into jobs of at most JOB_CUSTOMERS customers, in plan order. */
export const toJobs = (plan: readonly PlannedNotice[], source: JobSource): NoticeJob[] => {
  const byKind = new Map<NoticeKind, PlannedNotice[]>();
  for (const p of plan) byKind.set(p.kind, [...(byKind.get(p.kind) ?? []), p]);
  const jobs: NoticeJob[] = [];
  const { state } = source;
  for (const [kind, notices] of byKind) {
    for (let i = 0; i < notices.length; i += JOB_CUSTOMERS) {
      jobs.push({
        type: 'notices',
        subjectKey: source.subjectKey,
        subject: {
          type: state.type,
          id: state.id,
          ...(state.title ? { title: state.title } : {}),
          start: state.window.start,
          ...(state.window.end !== undefined ? { end: state.window.end } : {}),
          ...(state.customerMessage ? { customerMessage: state.customerMessage } : {}),
        },
        kind,
        touchpointNames: source.touchpointNames,
        customers: notices.slice(i, i + JOB_CUSTOMERS).map((n) => {
          const { assessed, profile } = source.customer(n.customerId);
          return {
            id: n.customerId,
            version: n.version,
            effect: n.effect,
            ...(assessed?.notify[0] ? { channel: assessed.notify[0] } : {}),
            ...(profile?.locale ? { locale: profile.locale } : {}),
            ...(profile?.timeZone ? { timeZone: profile.timeZone } : {}),
            ...(profile?.segment ? { segment: profile.segment } : {}),
            ...(profile?.quietHours ? { quietHours: profile.quietHours } : {}),
            touchpoints: assessed?.touchpoints ?? [],
          };
        }),
      });
    }
  }
  return jobs;
};
