/**
 * Event routing, as plain data: which events go to which function. The CDK stack turns each route
 * into an EventBridge rule; the local runtime matches events against the same patterns (matchesPattern).
 */
import { NOTICE_TAG_PREFIX, SES_DETAIL_TYPES, SES_SOURCE } from '../functions/domain/delivery/receipts.ts';
import {
  ALARM_DETAIL_TYPE,
  ALARM_SOURCE,
  DETAIL_TYPES,
  NOTICE_DUE_DETAIL_TYPE,
  PIPELINE_SOURCE,
  RECEIPT_DETAIL_TYPES,
} from '../functions/domain/events/schemas.ts';
import { AWS_HEALTH_DETAIL_TYPE, AWS_HEALTH_SOURCE } from '../functions/domain/intake/aws-health.ts';

export type EventPattern = Record<string, unknown>;

export interface Route {
  /** Which bus the rule lives on: the pipeline's own bus, or the account's default bus. */
  bus: 'impact' | 'default';
  description: string;
  pattern: EventPattern;
  /** A function of the pipeline, or the impact bus itself (forwarding). */
  target: 'ingest' | 'remind' | 'receipts' | 'impact-bus';
  /** Only with built-in delivery (`impact:delivery` = `built-in`, the default); `topic-only` has no such rule. */
  delivery?: true;
}

/** SES events of our notices only (they carry our tag): other senders of the account are none of our business. */
const OUR_SES_EVENTS = {
  source: [SES_SOURCE],
  'detail-type': [...SES_DETAIL_TYPES],
  detail: { mail: { tags: { [`${NOTICE_TAG_PREFIX}1`]: [{ exists: true }] } } },
};

export const ROUTES = {
  /** Changes and incidents from any producer (intake's tools included), and alarms and AWS Health events forwarded from the default bus. */
  ingest: {
    bus: 'impact',
    description: 'change and incident events, CloudWatch alarm state changes and AWS Health events, to ingest',
    pattern: { 'detail-type': [...DETAIL_TYPES, ALARM_DETAIL_TYPE, AWS_HEALTH_DETAIL_TYPE] },
    target: 'ingest',
  },
  /** CloudWatch publishes alarm state changes on the default bus only. */
  forwardAlarms: {
    bus: 'default',
    description: 'CloudWatch alarm state changes from the default bus to the impact bus',
    pattern: { source: [ALARM_SOURCE], 'detail-type': [ALARM_DETAIL_TYPE] },
    target: 'impact-bus',
  },
  /** AWS Health publishes on the default bus only, and PutEvents refuses `aws.*` sources from anyone else. */
  forwardHealth: {
    bus: 'default',
    description: 'AWS Health events from the default bus to the impact bus',
    pattern: { source: [AWS_HEALTH_SOURCE], 'detail-type': [AWS_HEALTH_DETAIL_TYPE] },
    target: 'impact-bus',
  },
  /** Reminders, overrun checks and incident cadence updates fired by EventBridge Scheduler. */
  remind: {
    bus: 'impact',
    description: 'scheduled notices (reminders, overrun, incident cadence) to remind',
    pattern: { source: [PIPELINE_SOURCE], 'detail-type': [NOTICE_DUE_DETAIL_TYPE] },
    target: 'remind',
  },
  /** SES publishes a configuration set's events to the account's default bus only. */
  forwardSesEvents: {
    bus: 'default',
    description: 'SES events of customer notices (delivery, bounce, complaint, delay, reject) from the default bus to the impact bus',
    pattern: OUR_SES_EVENTS,
    target: 'impact-bus',
    delivery: true,
  },
  /** SES events become receipts (`Notice Delivered` / `Notice Failed`). */
  sesEvents: {
    bus: 'impact',
    description: 'SES events of customer notices to receipts, which maps them to receipts',
    pattern: OUR_SES_EVENTS,
    target: 'receipts',
    delivery: true,
  },
  /** Receipts from every channel move the notices' delivery state (and start fallbacks). */
  receipts: {
    bus: 'impact',
    description: 'receipts (Notice Delivered, Notice Failed) to receipts, which applies them',
    pattern: { source: [PIPELINE_SOURCE], 'detail-type': [...RECEIPT_DETAIL_TYPES] },
    target: 'receipts',
    delivery: true,
  },
} as const satisfies Record<string, Route>;

export type RouteName = keyof typeof ROUTES;

/**
 * Whether an event matches a pattern: the subset of EventBridge pattern syntax the routes use
 * (exact values in arrays, `{ exists: true|false }`, nested objects). A field with an array matches
 * when the event's value (or any element of it) is in the array.
 */
export const matchesPattern = (pattern: EventPattern, event: Record<string, unknown>): boolean =>
  Object.entries(pattern).every(([field, expected]) => {
    const actual = event[field];
    if (Array.isArray(expected)) {
      const exists = expected.find((e): e is { exists: boolean } => !!e && typeof e === 'object' && 'exists' in e);
      if (exists) return exists.exists === (actual !== undefined);
      const values = Array.isArray(actual) ? actual : [actual];
      return values.some((v) => expected.includes(v));
    }
    if (expected && typeof expected === 'object') {
      return !!actual && typeof actual === 'object' && matchesPattern(expected as EventPattern, actual as Record<string, unknown>);
    }
    return actual === expected;
  });

/** The routes whose rules live on a given bus and match the event. */
export const routesFor = (bus: Route['bus'], event: Record<string, unknown>): RouteName[] =>
  (Object.keys(ROUTES) as RouteName[]).filter((name) => ROUTES[name].bus === bus && matchesPattern(ROUTES[name].pattern, event));
