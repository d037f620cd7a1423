/**
 * The event catalog of DESIGN section 6 as zod schemas: one detail schema per detail-type, plus the
 * EventBridge envelope. Times stay ISO strings here; parse.ts turns them into epoch ms.
 */
import { z } from 'zod';
import { badValue, notOneOf, shown } from '../bad-value.ts';
import { ACTOR_TYPES, EFFECTS, NODE_ID_PATTERN, NOTIFY_CHANNELS, SEVERITIES, type Actor } from '../model.ts';
import { SCHEDULED_KINDS } from '../notices/kinds.ts';
import { parseNoticeId } from '../notices/notice-id.ts';

/** Free text is capped at 4 KB (UTF-8 bytes) so that one event always fits an EventBridge entry. */
export const MAX_TEXT_BYTES = 4096;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

const AN_ISO_TIME = 'give an ISO 8601 time with a zone, such as 2026-12-05T02:00:00Z';
export const isoTime = z.string({ error: badValue('a time', AN_ISO_TIME) }).refine((s) => ISO_8601.test(s) && !Number.isNaN(Date.parse(s)), {
  error: badValue('an ISO 8601 time with a zone', AN_ISO_TIME),
});

// An oversize text is not echoed: the message says how long it is.
const text = (what: string) =>
  z.string({ error: badValue(`text (${what})`, `give the ${what} as a string`, `the ${what}`) }).refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_TEXT_BYTES, {
    error: (issue) => `is ${Buffer.byteLength(String(issue.input), 'utf8')} bytes; ${what} may be at most ${MAX_TEXT_BYTES} bytes (UTF-8), shorten it`,
  });

const identifier = (what: string) => {
  const fix = `the ${what} must match ${NODE_ID_PATTERN.source} (letters, digits, . _ : -, at most 128)`;
  return z.string({ error: badValue(`a ${what}`, fix, `the ${what}`) }).regex(NODE_ID_PATTERN, { error: badValue(`a valid ${what}`, fix) });
};

export const nodeImpactSchema = z.object({
  node: identifier('graph node id (component or touchpoint)'),
  effect: z.enum(EFFECTS, { error: notOneOf('an effect', EFFECTS, ' (default outage)') }).optional(),
});

export const windowSchema = z.object({ start: isoTime, end: isoTime }).superRefine((w, ctx) => {
  if (Date.parse(w.end) <= Date.parse(w.start)) {
    ctx.addIssue({
      code: 'custom',
      path: ['end'],
      message: `must be after window.start (${shown(w.end)} is not after ${shown(w.start)}); fix the window`,
    });
  }
});

const impacts = z.array(nodeImpactSchema, { error: badValue('a list of impacts', 'give a list of { node, effect? }') });
const severity = z.enum(SEVERITIES, { error: notOneOf('a severity', SEVERITIES) });
const EVENT_ID = 'give a string of 1 to 256 characters';
const eventId = z
  .string({ error: badValue('an event id', EVENT_ID) })
  .min(1, { error: badValue('an event id', EVENT_ID) })
  .max(256, { error: badValue('an event id', EVENT_ID) });

const ACTOR_FIELD_MAX = 256;
const actorText = (what: string) =>
  z
    .string({ error: badValue(`text (${what})`, `give the ${what} as a string`) })
    .min(1, { error: `is empty: give the ${what}, or leave it out` })
    .max(ACTOR_FIELD_MAX, { error: (issue) => `is ${String(issue.input).length} characters; the ${what} may be at most ${ACTOR_FIELD_MAX}, shorten it` });
// An e-mail is a contact detail: a message about it never repeats it.
const actorEmail = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'is not an e-mail address (it must be text); give name@domain') })
  .max(320, { error: 'is longer than an e-mail address can be (320 characters); give name@domain' })
  .regex(/^[^\s@]+@[^\s@]+$/, { error: 'is not an e-mail address; give name@domain (the value is not repeated: it is a contact detail)' });
export const actorSchema = z.object(
  {
    type: z.enum(ACTOR_TYPES, { error: notOneOf('an actor type', ACTOR_TYPES) }),
    id: actorText('actor id').optional(),
    name: actorText('actor name').optional(),
    email: actorEmail.optional(),
    source: actorText('actor source').optional(),
  },
  { error: badValue('an actor', 'give { type: person|tool|system, id?, name?, email?, source? }') },
);
// The schema and the domain's Actor must stay one shape.
actorSchema satisfies z.ZodType<Actor>;

/**
 * Whether an event tells customers: `true` (send, the default), `false` (record it and tell nobody for
 * this event), `"draft"` (plan the notices and hold them until `Notices Approved`).
 */
export const NOTIFY_CHOICES = [true, false, 'draft'] as const;
export type NotifyChoice = (typeof NOTIFY_CHOICES)[number];
const notify = z.union([z.boolean(), z.literal('draft')], { error: badValue('a notify choice', 'use true, false or "draft"') });

/** Fields every detail may carry (DESIGN section 6, plus the actor and the notify choice of issue 15). */
const common = { eventId: eventId.optional(), occurredAt: isoTime.optional(), actor: actorSchema.optional(), notify: notify.optional() };
const team = z.string({ error: badValue('a team name', 'give the owning team as a string') });
const changeId = identifier('change id');
const incidentId = identifier('incident id');

export const RISKS = ['low', 'medium', 'high'] as const;
export const INCIDENT_PROGRESS = ['investigating', 'identified', 'monitoring'] as const;

export const DETAIL_SCHEMAS = {
  'Change Scheduled': z.object({
    ...common,
    changeId,
    title: text('title'),
    window: windowSchema,
    impacts,
    team: team.optional(),
    risk: z.enum(RISKS, { error: notOneOf('a risk', RISKS) }).optional(),
    customerMessage: text('customerMessage').optional(),
  }),
  'Change Updated': z.object({
    ...common,
    changeId,
    title: text('title').optional(),
    window: windowSchema.optional(),
    impacts: impacts.optional(),
    customerMessage: text('customerMessage').optional(),
    /** For a failed change: when the service is expected back (moves it). */
    expectedResolutionAt: isoTime.optional(),
  }),
  'Change Cancelled': z.object({ ...common, changeId, reason: text('reason').optional() }),
  'Change Started': z.object({ ...common, changeId, note: text('note').optional() }),
  'Change Completed': z.object({ ...common, changeId, note: text('note').optional() }),
  /**
   * The change failed. `rolledBack: true`: it was rolled back and the service works as before (the
   * change is over); otherwise what it hit stays hit until `expectedResolutionAt` (or until further notice).
   */
  'Change Failed': z.object({
    ...common,
    changeId,
    note: text('note').optional(),
    rolledBack: z.boolean({ error: badValue('true or false', 'give rolledBack as true or false') }).optional(),
    expectedResolutionAt: isoTime.optional(),
  }),
  'Incident Opened': z.object({
    ...common,
    incidentId,
    title: text('title'),
    severity,
    impacts,
    startedAt: isoTime.optional(),
    customerMessage: text('customerMessage').optional(),
    /** When the service is expected back (ISO 8601): what customers and callers are told. */
    expectedResolutionAt: isoTime.optional(),
  }),
  'Incident Updated': z.object({
    ...common,
    incidentId,
    status: z.enum(INCIDENT_PROGRESS, { error: notOneOf('an incident status', INCIDENT_PROGRESS) }).optional(),
    severity: severity.optional(),
    impacts: impacts.optional(),
    customerMessage: text('customerMessage').optional(),
    /** Moves the expected restore time; `null` says it is not known any more. */
    expectedResolutionAt: isoTime.nullable().optional(),
  }),
  'Incident Resolved': z.object({
    ...common,
    incidentId,
    resolvedAt: isoTime.optional(),
    customerMessage: text('customerMessage').optional(),
  }),
  /**
   * The person in charge approves what a subject's held (draft) notices say: every notice due is sent at
   * the subject's current state. Names its subject like the others: `changeId` or `incidentId`.
   */
  'Notices Approved': z
    .object({ ...common, changeId: changeId.optional(), incidentId: incidentId.optional(), note: text('note').optional() })
    .superRefine((d, ctx) => {
      if ((d.changeId === undefined) === (d.incidentId === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [d.changeId === undefined ? 'changeId' : 'incidentId'],
          message:
            d.changeId === undefined
              ? 'is required: name the subject with changeId or incidentId'
              : 'names a second subject: give changeId or incidentId, not both',
        });
      }
    }),
} as const;

export type DetailType = keyof typeof DETAIL_SCHEMAS;
export type DetailOf<T extends DetailType> = z.infer<(typeof DETAIL_SCHEMAS)[T]>;
export const DETAIL_TYPES = Object.keys(DETAIL_SCHEMAS) as DetailType[];

export const ALARM_DETAIL_TYPE = 'CloudWatch Alarm State Change';
export const ALARM_SOURCE = 'aws.cloudwatch';

/** Scheduled notices (reminders, overrun checks, incident cadence) put on the bus by EventBridge Scheduler. */
export const NOTICE_DUE_DETAIL_TYPE = 'Notice Due';

/** The detail of a `Notice Due` event (source PIPELINE_SOURCE): which scheduled notice of which subject is due. */
export const noticeDueSchema = z.object({
  subjectKey: z.string().min(1),
  kind: z.enum(SCHEDULED_KINDS),
  version: z.number().int(),
  actor: actorSchema.optional(),
});
export type NoticeDue = z.infer<typeof noticeDueSchema>;

/** What the pipeline itself emits, with source `impact.pipeline`. */
export const PIPELINE_SOURCE = 'impact.pipeline';
export const PIPELINE_DETAIL_TYPES = [
  'Impact Assessed',
  'Customer Notices Sent',
  'Support Briefing Sent',
  'Event Rejected',
  'Notice Delivered',
  'Notice Failed',
] as const;

/**
 * Receipts: what became of one notice on one channel, mapped from the provider's own event (SES,
 * End User Messaging SMS, SNS mobile push; functions/domain/delivery/receipts.ts). They carry the
 * noticeId, never a contact detail. `eventId` is derived from the provider's event id, so the same
 * provider event twice is one receipt. Emitted with source PIPELINE_SOURCE; lib/routes.ts routes them.
 */
export const RECEIPT_DETAIL_TYPES = ['Notice Delivered', 'Notice Failed'] as const satisfies readonly PipelineDetailType[];
export type ReceiptDetailType = (typeof RECEIPT_DETAIL_TYPES)[number];

/** Who delivered: Amazon SES, AWS End User Messaging SMS (`sms-voice`), SNS mobile push. */
export const DELIVERY_PROVIDERS = ['ses', 'sms-voice', 'sns'] as const;

const receiptText = (what: string) =>
  z
    .string({ error: badValue(`text (${what})`, `give the ${what} as a string`) })
    .min(1)
    .max(512, { error: `is longer than 512 characters; shorten the ${what}` });
const receiptCommon = {
  eventId,
  noticeId: z.string({ error: badValue('a noticeId', 'give <subject>/<customer>/<kind>/<version>') }).refine((id) => parseNoticeId(id) !== undefined, {
    error: badValue('a noticeId', 'give <subject>/<customer>/<kind>/<version>, as in the customer-notice message'),
  }),
  channel: z.enum(NOTIFY_CHANNELS, { error: notOneOf('a channel', NOTIFY_CHANNELS) }),
  provider: z.enum(DELIVERY_PROVIDERS, { error: notOneOf('a provider', DELIVERY_PROVIDERS) }),
  providerMessageId: z.string().min(1).max(256).optional(),
  occurredAt: isoTime,
};

export const RECEIPT_SCHEMAS = {
  /** Delivered on `channel`. `optOut`: the recipient complained (SES complaint): no more notices on that channel. */
  'Notice Delivered': z.object({ ...receiptCommon, optOut: z.boolean().optional(), reason: receiptText('reason').optional() }),
  /**
   * Not delivered on `channel`. `permanent`: the contact itself is no good (hard bounce, invalid number,
   * disabled endpoint); `final: false`: the provider is still trying (an SES delivery delay).
   */
  'Notice Failed': z.object({
    ...receiptCommon,
    permanent: z.boolean({ error: badValue('true or false', 'say whether the contact itself failed (permanent)') }),
    final: z.boolean().optional(),
    reason: receiptText('reason'),
  }),
} as const satisfies Record<ReceiptDetailType, z.ZodType>;

export type NoticeDelivered = z.infer<(typeof RECEIPT_SCHEMAS)['Notice Delivered']>;
export type NoticeFailed = z.infer<(typeof RECEIPT_SCHEMAS)['Notice Failed']>;
export type NoticeReceipt = ({ detailType: 'Notice Delivered' } & NoticeDelivered) | ({ detailType: 'Notice Failed' } & NoticeFailed);
export type PipelineDetailType = (typeof PIPELINE_DETAIL_TYPES)[number];

/** The EventBridge envelope; CLI event files may carry only `detail-type` and `detail`. */
/** An envelope field that must be text when present. */
const envelopeText = (what: string) => z.string({ error: badValue('text', `give the ${what} as a string`, `the ${what}`) });

export const envelopeSchema = z.object({
  version: envelopeText('envelope version').optional(),
  id: envelopeText('event id').min(1, { error: 'is empty: give the EventBridge event id, or leave it out' }).optional(),
  'detail-type': z.string({
    error: badValue('a detail-type', 'give one of the detail-types of the event catalog as a string', 'one of the detail-types of the event catalog'),
  }),
  source: envelopeText('source').optional(),
  account: envelopeText('account').optional(),
  time: isoTime.optional(),
  region: envelopeText('region').optional(),
  resources: z.array(envelopeText('resource ARN'), { error: badValue('a list', 'give the resources as a list of ARNs') }).optional(),
  detail: z.record(z.string(), z.unknown(), { error: badValue('an object', 'give the event fields as an object', 'an object with the event fields') }),
  'replay-name': envelopeText('replay name').optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export const alarmDetailSchema = z.object({
  alarmName: z
    .string({ error: badValue('an alarm name', 'give the CloudWatch alarm name', 'the CloudWatch alarm name') })
    .min(1, { error: 'is empty: give the CloudWatch alarm name' }),
  state: z.object({
    value: z.enum(ALARM_STATES, { error: notOneOf('an alarm state', ALARM_STATES) }),
    reason: z.string().optional(),
    timestamp: z.string().optional(),
  }),
  previousState: z
    .object({ value: z.enum(ALARM_STATES) })
    .partial()
    .optional(),
});
