/**
 * The customer-notice message contract (DESIGN section 7): one SNS message per notice on topic
 * `customer-notices`, JSON body `{ noticeId, kind, subject, customerId, channel, to, locale, title, text, html?, eventAt? }`
 * (`text` is what `channel` carries: e-mail plain text, the SMS form, or the push body; `eventAt` when
 * the event the notice tells of occurred, absent for scheduled notices)
 * and String message attributes `kind, channel, effect, segment, locale` for subscription filter
 * policies. `noticeId` names the notice (subject, customer, kind, version), the unit the ledger sends
 * exactly once: a subscriber that sees one noticeId twice holds a duplicate.
 */
import { z } from 'zod';
import { NOTIFY_CHANNELS, type Effect, type NotifyChannel } from '../model.ts';
import type { JobCustomer, JobSubject, NoticeJob } from './jobs.ts';
import { NOTICE_KINDS, type NoticeKind } from './kinds.ts';
import { parseNoticeId, noticeId } from './notice-id.ts';
import { renderNoticeWith, type NoticeContext, type RenderedNotice } from './render.ts';
import type { TemplateSet } from './template-set.ts';

export { noticeId, parseNoticeId, type NoticeKey } from './notice-id.ts';

export interface CustomerNoticeBody {
  noticeId: string;
  kind: NoticeKind;
  /** The subject key, e.g. `change#CHG-2041`. */
  subject: string;
  customerId: string;
  channel: NotifyChannel;
  /** The address on `channel`: in the message for the sender, never in a log line. */
  to: string;
  locale: string;
  /** The e-mail subject (e-mail), the push title (push), the notice's headline (SMS). */
  title: string;
  /** The text for `channel`: the e-mail's plain-text part, the SMS (at most 2 segments), the push body. */
  text: string;
  /** E-mail only: the HTML part, everything in it escaped. */
  html?: string;
  /** When the event the notice tells of occurred (ISO 8601); absent for scheduled notices (reminders, cadence updates). */
  eventAt?: string;
}

/**
 * The body as a subscriber reads it (the deliver functions): the contract above, checked. Unknown
 * fields are dropped, so a later contract can add fields without breaking a deployed reader.
 */
export const customerNoticeBodySchema = z.object({
  noticeId: z.string().refine((id) => parseNoticeId(id) !== undefined, { error: 'is not a noticeId (<subject>/<customer>/<kind>/<version>)' }),
  kind: z.enum(NOTICE_KINDS),
  subject: z.string().min(1),
  customerId: z.string().min(1),
  channel: z.enum(NOTIFY_CHANNELS),
  to: z.string().min(1),
  locale: z.string().min(1),
  title: z.string(),
  text: z.string().min(1),
  html: z.string().optional(),
  eventAt: z.iso.datetime({ offset: true }).optional(),
});
customerNoticeBodySchema satisfies z.ZodType<CustomerNoticeBody>;

export type CustomerNoticeAttributes = Record<'kind' | 'channel' | 'effect' | 'segment' | 'locale', string>;

export interface CustomerNoticeMessage {
  body: CustomerNoticeBody;
  attributes: CustomerNoticeAttributes;
}

/**
 * What a template renders for one customer: the subject as the notice tells it, the customer's
 * touchpoints by name and effect, in their time zone. A failed change names what is still unavailable
 * (the customer's touchpoints it still hits); a rolled-back one says everything works as before.
 */
export const noticeContext = (
  subject: JobSubject,
  customer: { effect: Effect; touchpoints: readonly string[]; timeZone?: string },
  touchpointNames: Record<string, string>,
): NoticeContext => {
  const touchpoints = customer.touchpoints.map((t) => touchpointNames[t] ?? t);
  return {
    subjectTitle: subject.title ?? subject.id,
    touchpoints,
    effect: customer.effect,
    start: subject.start,
    end: subject.end,
    timeZone: customer.timeZone,
    customerMessage: subject.customerMessage,
    ...(subject.expectedResolutionAt !== undefined ? { expectedResolutionAt: subject.expectedResolutionAt } : {}),
    ...(subject.status === 'failed' ? { stillUnavailable: touchpoints } : {}),
    ...(subject.status === 'rolled-back' ? { rolledBack: true, stillUnavailable: [] } : {}),
  };
};

/** What the channel carries: each service's limits are kept by the renderer (render.ts). */
const channelContent = (rendered: RenderedNotice, channel: NotifyChannel): Pick<CustomerNoticeBody, 'title' | 'text' | 'html'> => {
  switch (channel) {
    case 'email':
      return { title: rendered.email.subject, text: rendered.email.text, html: rendered.email.html };
    case 'sms':
      return { title: rendered.title, text: rendered.sms.text };
    case 'push':
      return { title: rendered.push.title, text: rendered.push.body };
    default: {
      const unknown: never = channel;
      throw new Error(`no content for channel ${String(unknown)}`);
    }
  }
};

/**
 * The message of one customer's notice of a job, rendered from the template set in the customer's
 * language (nl-NL -> nl -> en) and time zone.
 */
export const customerNoticeMessage = (
  templates: TemplateSet,
  job: NoticeJob,
  customer: JobCustomer,
  channel: NotifyChannel,
  to: string,
): CustomerNoticeMessage => {
  const rendered = renderNoticeWith(templates, job.kind, customer.locale, noticeContext(job.subject, customer, job.touchpointNames));
  return {
    body: {
      noticeId: noticeId({ subjectKey: job.subjectKey, customerId: customer.id, kind: job.kind, version: customer.version }),
      kind: job.kind,
      subject: job.subjectKey,
      customerId: customer.id,
      channel,
      to,
      locale: rendered.locale,
      ...channelContent(rendered, channel),
      ...(job.subject.occurredAt !== undefined ? { eventAt: new Date(job.subject.occurredAt).toISOString() } : {}),
    },
    attributes: { kind: job.kind, channel, effect: customer.effect, segment: customer.segment ?? 'unknown', locale: rendered.locale },
  };
};
