/**
 * Receipts from the providers, mapped to our own `Notice Delivered` / `Notice Failed` events (the event
 * catalog: functions/domain/events/schemas.ts). Pure functions, one per provider, that never throw: an
 * event that says nothing about one of our notices is `ignored` with the reason.
 *
 * - Amazon SES publishes its configuration set's events (delivery, bounce, complaint, delivery delay,
 *   reject, ...) to the account's default EventBridge bus; the noticeId rides in the message tags.
 * - AWS End User Messaging SMS publishes its configuration set's events to an SNS topic; the noticeId
 *   rides in the message's `Context`.
 * - SNS mobile push answers `Publish` at once: accepted, or an error (`EndpointDisabled`: the token is
 *   no longer valid).
 *
 * Provider events carry the recipient (SES: `mail.destination`, bounced recipients, diagnostic codes;
 * SMS: `destinationPhoneNumber`): nothing here copies them, and every provider text we keep as a reason
 * passes through `withoutContactDetails` first.
 */
import type { NotifyChannel } from '../model.ts';
import { RECEIPT_SCHEMAS, type NoticeReceipt } from '../events/schemas.ts';
import { parseNoticeId } from '../notices/notice-id.ts';

export type ReceiptOutcome = { receipt: NoticeReceipt } | { ignored: string };

const EMAIL = /[^\s"'<>()[\]{},;:]+@[^\s"'<>()[\]{},;:]+\.[A-Za-z]{2,}/g;
const PHONE = /\+\d[\d ().-]{6,}\d/g;
const ENDPOINT_ARN = /arn:[\w-]+:sns:[\w-]*:\d*:endpoint\/\S+/g;
const REASON_MAX = 512;

/** A provider's text with e-mail addresses, phone numbers and push endpoints masked, cut to a reason's length. */
export const withoutContactDetails = (text: string): string => {
  const masked = text.replace(ENDPOINT_ARN, '<endpoint>').replace(EMAIL, '<e-mail>').replace(PHONE, '<phone>').replace(/\s+/g, ' ').trim();
  return masked.length > REASON_MAX ? `${masked.slice(0, REASON_MAX - 1)}…` : masked;
};

/** A receipt checked against its schema: what a mapper hands back is always a valid event detail. */
const checked = (receipt: NoticeReceipt): ReceiptOutcome => {
  const { detailType, ...detail } = receipt;
  const result = RECEIPT_SCHEMAS[detailType].safeParse(detail);
  return result.success ? { receipt } : { ignored: `the receipt would not be valid: ${result.error.issues.map((i) => i.path.join('.')).join(', ')}` };
};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const isoOf = (value: unknown, fallback: string): string => {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : fallback;
};

// ---- SES ---------------------------------------------------------------------------------------

/**
 * SES message tags take ASCII letters, digits, `_` and `-`, at most 256 characters a value: the
 * noticeId (up to ~300 characters of `#`, `/`, `:` and `.`) goes base64url encoded, split over
 * `notice-1`, `notice-2`, ...
 */
export const NOTICE_TAG_PREFIX = 'notice-';
const TAG_VALUE_MAX = 256;

export const noticeTags = (id: string): { Name: string; Value: string }[] => {
  const encoded = Buffer.from(id, 'utf8').toString('base64url');
  const tags: { Name: string; Value: string }[] = [];
  for (let i = 0; i < encoded.length; i += TAG_VALUE_MAX)
    tags.push({ Name: `${NOTICE_TAG_PREFIX}${tags.length + 1}`, Value: encoded.slice(i, i + TAG_VALUE_MAX) });
  return tags;
};

/** The noticeId from an SES event's `mail.tags` (`{ name: [values] }`); undefined when absent or not one. */
export const noticeIdFromTags = (tags: unknown): string | undefined => {
  const all = record(tags);
  const parts: string[] = [];
  for (let n = 1; ; n++) {
    const values = all[`${NOTICE_TAG_PREFIX}${n}`];
    const value = Array.isArray(values) ? text(values[0]) : undefined;
    if (!value) break;
    parts.push(value);
  }
  if (parts.length === 0) return undefined;
  const id = Buffer.from(parts.join(''), 'base64url').toString('utf8');
  return parseNoticeId(id) ? id : undefined;
};

/** The SES events we map; the others (send, open, click, subscription, rendering failure) say nothing new. */
export const SES_DETAIL_TYPES = ['Email Delivered', 'Email Bounced', 'Email Complaint Received', 'Email Delivery Delayed', 'Email Rejected'] as const;
export const SES_SOURCE = 'aws.ses';

// Permanent bounces say the address is no good (or suppressed: SES will not send to it). Transient ones
// (mailbox full, too large, content rejected) and undetermined ones are about this message.
const sesBounce = (bounce: Record<string, unknown>) => {
  const type = text(bounce.bounceType) ?? 'Undetermined';
  const subType = text(bounce.bounceSubType) ?? 'General';
  const recipient = record(Array.isArray(bounce.bouncedRecipients) ? bounce.bouncedRecipients[0] : undefined);
  const details = [text(recipient.status), text(recipient.diagnosticCode)].filter(Boolean).join(' ');
  return { permanent: type === 'Permanent', reason: withoutContactDetails(`bounce ${type}/${subType}${details ? `: ${details}` : ''}`) };
};

/**
 * One SES event (as EventBridge delivers it: `detail` is SES's event record) to a receipt. `envelopeTime`
 * stands in for a missing timestamp.
 */
export const receiptFromSes = (event: { 'detail-type'?: unknown; time?: unknown; detail?: unknown }): ReceiptOutcome => {
  const detail = record(event.detail);
  const mail = record(detail.mail);
  const eventType = text(detail.eventType) ?? text(detail.notificationType);
  const messageId = text(mail.messageId);
  if (!eventType || !messageId) return { ignored: 'not an SES event record (eventType and mail.messageId are required)' };
  const id = noticeIdFromTags(mail.tags);
  if (!id) return { ignored: `SES ${eventType} of a message without our notice tags` };
  const fallbackTime = isoOf(event.time, isoOf(mail.timestamp, new Date(0).toISOString()));
  const common = { noticeId: id, channel: 'email' as NotifyChannel, provider: 'ses' as const, providerMessageId: messageId };
  switch (eventType) {
    case 'Delivery': {
      const delivery = record(detail.delivery);
      return checked({ detailType: 'Notice Delivered', ...common, eventId: `ses:${messageId}:delivery`, occurredAt: isoOf(delivery.timestamp, fallbackTime) });
    }
    case 'Bounce': {
      const bounce = record(detail.bounce);
      const feedback = text(bounce.feedbackId) ?? 'bounce';
      return checked({
        detailType: 'Notice Failed',
        ...common,
        eventId: `ses:${messageId}:bounce:${feedback}`,
        occurredAt: isoOf(bounce.timestamp, fallbackTime),
        final: true,
        ...sesBounce(bounce),
      });
    }
    case 'Complaint': {
      // The message reached the inbox and the recipient marked it as spam: delivered, and an opt-out of e-mail.
      const complaint = record(detail.complaint);
      const type = text(complaint.complaintFeedbackType);
      return checked({
        detailType: 'Notice Delivered',
        ...common,
        eventId: `ses:${messageId}:complaint:${text(complaint.feedbackId) ?? 'complaint'}`,
        occurredAt: isoOf(complaint.timestamp, fallbackTime),
        optOut: true,
        reason: withoutContactDetails(`complaint${type ? `: ${type}` : ''}`),
      });
    }
    case 'DeliveryDelay': {
      const delay = record(detail.deliveryDelay);
      const at = isoOf(delay.timestamp, fallbackTime);
      return checked({
        detailType: 'Notice Failed',
        ...common,
        eventId: `ses:${messageId}:delay:${at}`,
        occurredAt: at,
        permanent: false,
        final: false,
        reason: withoutContactDetails(`delivery delayed: ${text(delay.delayType) ?? 'unknown'} (SES keeps trying)`),
      });
    }
    case 'Reject':
      return checked({
        detailType: 'Notice Failed',
        ...common,
        eventId: `ses:${messageId}:reject`,
        occurredAt: fallbackTime,
        permanent: false,
        final: true,
        reason: withoutContactDetails(`rejected by SES: ${text(record(detail.reject).reason) ?? 'unknown reason'}`),
      });
    default:
      return { ignored: `SES ${eventType} events are not receipts` };
  }
};

// ---- End User Messaging SMS --------------------------------------------------------------------

/** The SMS context key our noticeId travels in (SendTextMessage `Context`, echoed in every event). */
export const SMS_CONTEXT_KEY = 'noticeId';

type SmsRule = { outcome: 'delivered' } | { outcome: 'failed'; permanent: boolean; what: string };

// Permanent: the number itself (invalid, or blocked for that recipient). The rest is this message or
// the network at this moment (spam filter, carrier down, phone off until the validity ran out).
const SMS_EVENTS: Readonly<Record<string, SmsRule>> = {
  TEXT_DELIVERED: { outcome: 'delivered' },
  TEXT_SUCCESSFUL: { outcome: 'delivered' },
  TEXT_INVALID: { outcome: 'failed', permanent: true, what: 'the number is not valid' },
  TEXT_BLOCKED: { outcome: 'failed', permanent: true, what: "the recipient's device or carrier blocks messages to this number" },
  TEXT_OPTED_OUT: { outcome: 'failed', permanent: true, what: 'the recipient opted out of text messages' },
  TEXT_TTL_EXPIRED: { outcome: 'failed', permanent: false, what: 'not delivered before the message expired' },
  TEXT_CARRIER_UNREACHABLE: { outcome: 'failed', permanent: false, what: 'the carrier could not be reached' },
  TEXT_UNREACHABLE: { outcome: 'failed', permanent: false, what: 'the phone is not reachable (off or out of coverage)' },
  TEXT_INVALID_MESSAGE: { outcome: 'failed', permanent: false, what: 'the carrier refused the message body' },
  TEXT_CARRIER_BLOCKED: { outcome: 'failed', permanent: false, what: 'the carrier blocked the message' },
  TEXT_SPAM: { outcome: 'failed', permanent: false, what: 'the carrier took the message for spam' },
  TEXT_PROTECT_BLOCKED: { outcome: 'failed', permanent: false, what: 'blocked by the SMS protect configuration' },
  TEXT_UNKNOWN: { outcome: 'failed', permanent: false, what: 'not delivered, for a reason the carrier did not give' },
};

/** One End User Messaging SMS event record (the SNS message of the configuration set's destination) to a receipt. */
export const receiptFromSms = (message: unknown, fallbackTime: string): ReceiptOutcome => {
  const event = record(message);
  const eventType = text(event.eventType);
  const messageId = text(event.messageId);
  if (!eventType || !messageId) return { ignored: 'not an SMS event record (eventType and messageId are required)' };
  const id = text(record(event.context)[SMS_CONTEXT_KEY]);
  if (!id || !parseNoticeId(id)) return { ignored: `SMS ${eventType} of a message without our notice context` };
  const rule = SMS_EVENTS[eventType];
  if (!rule) return { ignored: `SMS ${eventType} is not a final delivery status` };
  const common = {
    eventId: `sms-voice:${messageId}:${eventType}`,
    noticeId: id,
    channel: 'sms' as NotifyChannel,
    provider: 'sms-voice' as const,
    providerMessageId: messageId,
    occurredAt: isoOf(event.eventTimestamp, fallbackTime),
  };
  if (rule.outcome === 'delivered') return checked({ detailType: 'Notice Delivered', ...common });
  const status = text(event.messageStatusDescription);
  return checked({
    detailType: 'Notice Failed',
    ...common,
    permanent: rule.permanent,
    final: true,
    reason: withoutContactDetails(`${eventType}: ${rule.what}${status ? ` (${status})` : ''}`),
  });
};

// ---- SNS mobile push ---------------------------------------------------------------------------

/** Push is answered at once: SNS took it for the platform (APNs, FCM, ...), the nearest to "delivered" we learn. */
export const receiptFromPushPublish = (noticeIdValue: string, messageId: string, at: string): ReceiptOutcome =>
  checked({
    detailType: 'Notice Delivered',
    eventId: `sns:${messageId}`,
    noticeId: noticeIdValue,
    channel: 'push',
    provider: 'sns',
    providerMessageId: messageId,
    occurredAt: at,
  });

/** Who carries each channel. */
export const PROVIDER_OF = { email: 'ses', sms: 'sms-voice', push: 'sns' } as const satisfies Record<NotifyChannel, string>;

/**
 * A send that a provider refused for good at its API, before any event of its own (a disabled push
 * endpoint, an SMS to a number that opted out, a message SES rejects): the receipt the deliver function
 * emits. `permanent` when the contact itself is no good.
 */
export const receiptFromRefusal = (
  body: { noticeId: string; channel: NotifyChannel },
  refusal: { permanent: boolean; reason: string },
  at: string,
): ReceiptOutcome =>
  checked({
    detailType: 'Notice Failed',
    eventId: `${PROVIDER_OF[body.channel]}:${body.noticeId}:${body.channel}:refused`,
    noticeId: body.noticeId,
    channel: body.channel,
    provider: PROVIDER_OF[body.channel],
    occurredAt: at,
    permanent: refusal.permanent,
    final: true,
    reason: withoutContactDetails(refusal.reason),
  });
