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
  /** The producer's idempotency key: detail.eventId ?? envelope id ?? derivedEventId. */
  eventId: string;
  /** Epoch ms: detail.occurredAt ?? envelope time ?? opts.receivedAt. */
  occurredAt: number;
  source: string;
  subjectType: SubjectType;
  subjectId: string;
  /** Set by EventBridge archive replays: such events rebuild projections but never notify. */
  replayName?: string;
  /** The detail as the producer sent it, unknown fields included: what the event store keeps. */
  rawDetail: Record<string, unknown>;
}

export type ImpactEvent = { [K in DetailType]: EventBase & { detailType: K; detail: DetailOf<K> } }[DetailType];
export type ImpactEventOf<K extends DetailType> = Extract<ImpactEvent, { detailType: K }>;

export interface ParseOptions {
  /** Used as occurredAt when neither detail.occurredAt nor the envelope's time is given. */
  receivedAt?: number;
  /**
   * The event's position in the caller's list (a CLI file, a what-if body): what tells apart events
   * that carry neither an id nor a time, so that one file gives the same ids on every run.
   */
  position?: number;
}

const toIssues = (error: z.ZodError, prefix: string): EventIssue[] =>
  error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(event)',
    message: issue.message,
  }));

/**
 * The id of an event that carries none: a hash of its detail-type, the moment it is folded at and its
 * detail. The same detail at another moment is another event (a change moved back to an earlier
 * window); the same detail at the same moment is a resend and collapses. `moment` is the event's time
 * in epoch ms, or `#<position>` for an event without a time (see ParseOptions.position).
 */
export const derivedEventId = (detailType: string, moment: number | string, detail: unknown): string =>
  `sha256:${createHash('sha256')
    .update(`${detailType}\n${moment}\n${canonicalJson(detail)}`)
    .digest('hex')
    .slice(0, 32)}`;

const parseEnvelope = (raw: unknown): Envelope => {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new EventValidationError([{ field: '(event)', message: 'must be a JSON object with "detail-type" and "detail"' }]);
  }
  const result = envelopeSchema.safeParse(raw);
  if (!result.success) {
    const detailType = (raw as Record<string, unknown>)['detail-type'];
    throw new EventValidationError(toIssues(result.error, ''), typeof detailType === 'string' ? detailType : undefined);
  }
  return result.data;
};

const isDetailType = (value: string): value is DetailType => (DETAIL_TYPES as string[]).includes(value);

type ValidDetail = Record<string, unknown> & { eventId?: string; occurredAt?: string };

/** Checks a detail against the catalog entry of its detail-type; throws EventValidationError. */
const validDetail = (detailType: string, rawDetail: unknown): { detailType: DetailType; detail: ValidDetail } => {
  if (!isDetailType(detailType)) {
    throw new EventValidationError([
      {
        field: 'detail-type',
        message: `${JSON.stringify(detailType)} is not a detail-type of the event catalog; use one of: ${[...DETAIL_TYPES, ALARM_DETAIL_TYPE].join(', ')}`,
      },
    ]);
  }
  const result = DETAIL_SCHEMAS[detailType].safeParse(rawDetail);
  if (!result.success) throw new EventValidationError(toIssues(result.error, 'detail'), detailType);
  return { detailType, detail: result.data as ValidDetail };
};

/** What the pipeline knows of an event besides its detail: fixed once, when the event is first parsed. */
export interface EventFacts {
  detailType: string;
  eventId: string;
  occurredAt: number;
  source: string;
  replayName?: string;
}

const assemble = (facts: EventFacts, valid: { detailType: DetailType; detail: ValidDetail }, rawDetail: Record<string, unknown>): ImpactEvent => {
  const { detailType, detail } = valid;
  // Every detail names its subject by changeId or incidentId (Notices Approved by either).
  const isChange = detail.changeId !== undefined;
  return {
    detailType,
    detail,
    eventId: facts.eventId,
    occurredAt: facts.occurredAt,
    source: facts.source,
    subjectType: isChange ? 'change' : 'incident',
    subjectId: String(isChange ? detail.changeId : detail.incidentId),
    ...(facts.replayName ? { replayName: facts.replayName } : {}),
    rawDetail,
  } as ImpactEvent;
};

/** The typed event from its stored facts and the detail as sent, validated again: how stored events are read. */
export const eventFromFacts = (facts: EventFacts, rawDetail: Record<string, unknown>): ImpactEvent =>
  assemble(facts, validDetail(facts.detailType, rawDetail), rawDetail);

export const parseEvent = (raw: unknown, opts: ParseOptions = {}): ImpactEvent => {
  const envelope = parseEnvelope(raw);
  const valid = validDetail(envelope['detail-type'], envelope.detail);
  const { detailType, detail } = valid;
  const time = detail.occurredAt ?? envelope.time;
  if (time === undefined && opts.receivedAt === undefined) {
    throw new EventValidationError(
      [{ field: 'detail.occurredAt', message: 'is required when the event has no EventBridge "time"; give an ISO 8601 time' }],
      detailType,
    );
  }
  const occurredAt = time !== undefined ? Date.parse(time) : (opts.receivedAt as number);
  // Without a time, "now" differs on every run; the position in the caller's list does not.
  const moment = time === undefined && opts.position !== undefined ? `#${opts.position}` : occurredAt;
  const facts: EventFacts = {
    detailType,
    eventId: detail.eventId ?? envelope.id ?? derivedEventId(detailType, moment, envelope.detail),
    occurredAt,
    source: envelope.source ?? 'unknown',
    ...(envelope['replay-name'] ? { replayName: envelope['replay-name'] } : {}),
  };
  return assemble(facts, valid, envelope.detail);
};

/** The id a producer gave an event (detail.eventId, else the EventBridge id), read even from an event that is refused. */
export const claimedEventId = (raw: unknown): string | undefined => {
  const envelope = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const detail = envelope.detail && typeof envelope.detail === 'object' ? (envelope.detail as Record<string, unknown>) : {};
  return typeof detail.eventId === 'string' ? detail.eventId : typeof envelope.id === 'string' ? envelope.id : undefined;
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
      { field: 'detail-type', message: `${JSON.stringify(envelope['detail-type'])} is not an alarm event; an alarm event has "${ALARM_DETAIL_TYPE}"` },
    ]);
  }
  const result = alarmDetailSchema.safeParse(envelope.detail);
  if (!result.success) throw new EventValidationError(toIssues(result.error, 'detail'), ALARM_DETAIL_TYPE);
  const { alarmName, state, previousState } = result.data;
  const stamp = [state.timestamp, envelope.time].find((t) => t !== undefined && !Number.isNaN(Date.parse(t)));
  const occurredAt = stamp !== undefined ? Date.parse(stamp) : opts.receivedAt;
  if (occurredAt === undefined) {
    throw new EventValidationError([{ field: 'time', message: 'is required: the EventBridge time of the alarm state change' }], ALARM_DETAIL_TYPE);
  }
  return {
    alarmName,
    state: state.value,
    ...(previousState?.value ? { previousState: previousState.value } : {}),
    occurredAt,
    eventId: envelope.id ?? derivedEventId(ALARM_DETAIL_TYPE, occurredAt, envelope.detail),
    ...(envelope['replay-name'] ? { replayName: envelope['replay-name'] } : {}),
  };
};
