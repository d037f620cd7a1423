/**
 * The event catalog of DESIGN section 6 as zod schemas: one detail schema per detail-type, plus the
 * EventBridge envelope. Times stay ISO strings here; parse.ts turns them into epoch ms.
 */
import { z } from 'zod';
import { EFFECTS, NODE_ID_PATTERN, SEVERITIES } from '../model.ts';
import { SCHEDULED_KINDS } from '../notices/kinds.ts';

/** Free text is capped at 4 KB (UTF-8 bytes) so that one event always fits an EventBridge entry. */
export const MAX_TEXT_BYTES = 4096;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export const isoTime = z.string({ error: 'must be an ISO 8601 time such as 2026-12-05T02:00:00Z' }).refine(
  (s) => ISO_8601.test(s) && !Number.isNaN(Date.parse(s)),
  { error: (issue) => `must be an ISO 8601 time with a zone, such as 2026-12-05T02:00:00Z (got ${JSON.stringify(issue.input)})` },
);

const text = (what: string) =>
  z.string({ error: `must be a string (${what})` }).refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_TEXT_BYTES, {
    error: (issue) =>
      `is ${Buffer.byteLength(String(issue.input), 'utf8')} bytes; ${what} may be at most ${MAX_TEXT_BYTES} bytes (UTF-8), shorten it`,
  });

const identifier = (what: string) =>
  z.string({ error: `is required: the ${what}` }).regex(NODE_ID_PATTERN, {
    error: `must match ${NODE_ID_PATTERN.source} (letters, digits, . _ : -, at most 128): the ${what}`,
  });

export const nodeImpactSchema = z.object({
  node: identifier('graph node id (component or touchpoint)'),
  effect: z.enum(EFFECTS, { error: `must be one of ${EFFECTS.join(', ')} (default outage)` }).optional(),
});

export const windowSchema = z
  .object({ start: isoTime, end: isoTime })
  .superRefine((w, ctx) => {
    if (Date.parse(w.end) <= Date.parse(w.start)) {
      ctx.addIssue({
        code: 'custom',
        path: ['end'],
        message: `must be after window.start (${w.end} <= ${w.start}); fix the window`,
      });
    }
  });

const impacts = z.array(nodeImpactSchema, { error: 'must be a list of { node, effect? }' });
const severity = z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` });
const common = { eventId: z.string().min(1).max(256).optional(), occurredAt: isoTime.optional() };
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
    team: z.string().optional(),
    risk: z.enum(RISKS, { error: `must be one of ${RISKS.join(', ')}` }).optional(),
    customerMessage: text('customerMessage').optional(),
  }),
  'Change Updated': z.object({
    ...common,
    changeId,
    title: text('title').optional(),
    window: windowSchema.optional(),
    impacts: impacts.optional(),
    customerMessage: text('customerMessage').optional(),
  }),
  'Change Cancelled': z.object({ ...common, changeId, reason: text('reason').optional() }),
  'Change Started': z.object({ ...common, changeId, note: text('note').optional() }),
  'Change Completed': z.object({ ...common, changeId, note: text('note').optional() }),
  'Change Failed': z.object({ ...common, changeId, note: text('note').optional() }),
  'Incident Opened': z.object({
    ...common,
    incidentId,
    title: text('title'),
    severity,
    impacts,
    startedAt: isoTime.optional(),
    customerMessage: text('customerMessage').optional(),
  }),
  'Incident Updated': z.object({
    ...common,
    incidentId,
    status: z.enum(INCIDENT_PROGRESS, { error: `must be one of ${INCIDENT_PROGRESS.join(', ')}` }).optional(),
    severity: severity.optional(),
    impacts: impacts.optional(),
    customerMessage: text('customerMessage').optional(),
  }),
  'Incident Resolved': z.object({
    ...common,
    incidentId,
    resolvedAt: isoTime.optional(),
    customerMessage: text('customerMessage').optional(),
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
});
export type NoticeDue = z.infer<typeof noticeDueSchema>;

/** What the pipeline itself emits, with source `impact.pipeline`. */
export const PIPELINE_SOURCE = 'impact.pipeline';
export const PIPELINE_DETAIL_TYPES = [
  'Impact Assessed',
  'Customer Notices Sent',
  'Support Briefing Sent',
  'Event Rejected',
] as const;
export type PipelineDetailType = (typeof PIPELINE_DETAIL_TYPES)[number];

/** The EventBridge envelope; CLI event files may carry only `detail-type` and `detail`. */
export const envelopeSchema = z.object({
  version: z.string().optional(),
  id: z.string().min(1).optional(),
  'detail-type': z.string({ error: 'is required: one of the detail-types of the event catalog' }),
  source: z.string().optional(),
  account: z.string().optional(),
  time: isoTime.optional(),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: z.record(z.string(), z.unknown(), { error: 'is required: an object with the event fields' }),
  'replay-name': z.string().optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export const alarmDetailSchema = z.object({
  alarmName: z.string({ error: 'is required: the CloudWatch alarm name' }).min(1),
  state: z.object({
    value: z.enum(ALARM_STATES, { error: `must be one of ${ALARM_STATES.join(', ')}` }),
    reason: z.string().optional(),
    timestamp: z.string().optional(),
  }),
  previousState: z.object({ value: z.enum(ALARM_STATES) }).partial().optional(),
});
