/**
 * Turns a raw EventBridge event (or the `{ detail-type, detail }` of a CLI event file) into a typed
 * ImpactEvent, or throws EventValidationError naming every offending field.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { SubjectType } from '../model.ts';
import { canonicalJson } from '../canonical.ts';
import { EventValidationError, type EventIssue } from './errors.ts';
import {
  ALARM_DETAIL_TYPE,
  DETAIL_SCHEMAS,
  DETAIL_TYPES,
  alarmDetailSchema,
  envelopeSchema,
  type DetailOf,
  type DetailType,
  type Envelope,
} from './schemas.ts';

interface EventBase {
  /** The producer's idempotency key: detail.eventId ?? envelope id ?? hash of detail-type + detail. */
  eventId: string;
  /** Epoch ms: detail.occurredAt ?? envelope time ?? opts.receivedAt. */
  occurredAt: number;
  source: string;
  subjectType: SubjectType;
  subjectId: string;
  /** Set by EventBridge archive replays: such events rebuild projections but never notify. */
  replayName?: string;
}

export type ImpactEvent = { [K in DetailType]: EventBase & { detailType: K; detail: DetailOf<K> } }[DetailType];
export type ImpactEventOf<K extends DetailType> = Extract<ImpactEvent, { detailType: K }>;

export interface ParseOptions {
  /** Used as occurredAt when neither detail.occurredAt nor the envelope's time is given. */
  receivedAt?: number;
}

const toIssues = (error: z.ZodError, prefix: string): EventIssue[] =>
  error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(event)',
    message: issue.message,
  }));

export const contentHash = (detailType: string, detail: unknown): string =>
  `sha256:${createHash('sha256').update(`${detailType}\n${canonicalJson(detail)}`).digest('hex').slice(0, 32)}`;

const parseEnvelope = (raw: unknown): Envelope => {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new EventValidationError([
      { field: '(event)', message: 'must be a JSON object with "detail-type" and "detail"' },
    ]);
  }
  const result = envelopeSchema.safeParse(raw);
  if (!result.success) {
    const detailType = (raw as Record<string, unknown>)['detail-type'];
    throw new EventValidationError(toIssues(result.error, ''), typeof detailType === 'string' ? detailType : undefined);
  }
  return result.data;
};

const isDetailType = (value: string): value is DetailType => (DETAIL_TYPES as string[]).includes(value);

export const parseEvent = (raw: unknown, opts: ParseOptions = {}): ImpactEvent => {
  const envelope = parseEnvelope(raw);
  const detailType = envelope['detail-type'];
  if (!isDetailType(detailType)) {
    throw new EventValidationError([
      {
        field: 'detail-type',
        message: `unknown detail-type ${JSON.stringify(detailType)}; use one of: ${[...DETAIL_TYPES, ALARM_DETAIL_TYPE].join(', ')}`,
      },
    ]);
  }
  const result = DETAIL_SCHEMAS[detailType].safeParse(envelope.detail);
  if (!result.success) throw new EventValidationError(toIssues(result.error, 'detail'), detailType);
  const detail = result.data as Record<string, unknown> & { eventId?: string; occurredAt?: string };

  const occurredAt = detail.occurredAt ?? envelope.time;
  if (occurredAt === undefined && opts.receivedAt === undefined) {
    throw new EventValidationError(
      [{ field: 'detail.occurredAt', message: 'is required when the event has no EventBridge "time"; give an ISO 8601 time' }],
      detailType,
    );
  }
  const isChange = detailType.startsWith('Change ');
  return {
    detailType,
    detail,
    eventId: detail.eventId ?? envelope.id ?? contentHash(detailType, envelope.detail),
    occurredAt: occurredAt !== undefined ? Date.parse(occurredAt) : (opts.receivedAt as number),
    source: envelope.source ?? 'unknown',
    subjectType: isChange ? 'change' : 'incident',
    subjectId: String(isChange ? detail.changeId : detail.incidentId),
    ...(envelope['replay-name'] ? { replayName: envelope['replay-name'] } : {}),
  } as ImpactEvent;
};

/** Whether a raw event is a CloudWatch alarm state change (routed to alarmToIncidentEvents). */
export const isAlarmEvent = (raw: unknown): boolean =>
  !!raw && typeof raw === 'object' && (raw as Record<string, unknown>)['detail-type'] === ALARM_DETAIL_TYPE;

export interface AlarmStateChange {
  alarmName: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  previousState?: string;
  occurredAt: number;
  eventId: string;
  replayName?: string;
}

export const parseAlarmEvent = (raw: unknown, opts: ParseOptions = {}): AlarmStateChange => {
  const envelope = parseEnvelope(raw);
  if (envelope['detail-type'] !== ALARM_DETAIL_TYPE) {
    throw new EventValidationError([
      { field: 'detail-type', message: `must be "${ALARM_DETAIL_TYPE}" for an alarm event` },
    ]);
  }
  const result = alarmDetailSchema.safeParse(envelope.detail);
  if (!result.success) throw new EventValidationError(toIssues(result.error, 'detail'), ALARM_DETAIL_TYPE);
  const { alarmName, state, previousState } = result.data;
  const stamp = [state.timestamp, envelope.time].find((t) => t !== undefined && !Number.isNaN(Date.parse(t)));
  const occurredAt = stamp !== undefined ? Date.parse(stamp) : opts.receivedAt;
  if (occurredAt === undefined) {
    throw new EventValidationError(
      [{ field: 'time', message: 'is required: the EventBridge time of the alarm state change' }],
      ALARM_DETAIL_TYPE,
    );
  }
  return {
    alarmName,
    state: state.value,
    ...(previousState?.value ? { previousState: previousState.value } : {}),
    occurredAt,
    eventId: envelope.id ?? contentHash(ALARM_DETAIL_TYPE, envelope.detail),
    ...(envelope['replay-name'] ? { replayName: envelope['replay-name'] } : {}),
  };
};
