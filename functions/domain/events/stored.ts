/**
 * Stored events and their schema versions. What the event store keeps outlives the code that wrote
 * it, so every stored event says which shape it has, and reading validates it and upcasts older
 * shapes to the current one step by step; nothing stored is trusted with a cast.
 *
 * - version 1 (no `schemaVersion`; written until stored events were versioned): the derived event as
 *   JSON in `event`, beside copies of eventId, detailType, occurredAt and replayName.
 * - version 2 (current): `schemaVersion: 2`, the event's facts as attributes (eventId, detailType,
 *   occurredAt, source, replayName) and the detail exactly as the producer sent it, as JSON in
 *   `detail`. The typed event is derived again on read, with the catalog of the reading code.
 *
 * Storage keys (pk, sk, kind) belong to the adapter; this module reads and writes the rest.
 */
import { z } from 'zod';
import type { Actor } from '../model.ts';
import { subjectKey } from '../subject.ts';
import { EventValidationError } from './errors.ts';
import { eventFromFacts, type EventFacts, type ImpactEvent } from './parse.ts';
import type { NotifyChoice } from './schemas.ts';

export const STORED_SCHEMA_VERSION = 2;

export interface StoredEvent {
  subjectKey: string;
  version: number;
  recordedAt: number;
  event: ImpactEvent;
}

/** What `v1` items hold in `event`: the ImpactEvent of the code of that time, as JSON. */
const v1EventSchema = z.object({
  detailType: z.string(),
  detail: z.record(z.string(), z.unknown()),
  eventId: z.string().min(1),
  occurredAt: z.number(),
  source: z.string(),
  replayName: z.string().optional(),
});

const positionSchema = z.object({
  version: z.number().int().positive(),
  recordedAt: z.number(),
});

const v1Schema = z.object({ event: z.string() });

const v2Schema = z.object({
  schemaVersion: z.literal(2),
  eventId: z.string().min(1),
  detailType: z.string(),
  occurredAt: z.number(),
  source: z.string(),
  replayName: z.string().optional(),
  detail: z.string(),
});
export type StoredEventV2 = z.infer<typeof v2Schema>;

type Fail = (problem: string, options?: ErrorOptions) => never;

/** A stored event of the current version, decoded: facts plus the detail as sent. */
interface Decoded {
  facts: EventFacts;
  detail: Record<string, unknown>;
}

export const STORED_EVENT_ERROR_CODE = 'StoredEventError';

/** A stored event that cannot be read: corrupt, of an unknown schema version, or no longer valid. */
export class StoredEventError extends Error {
  readonly code = STORED_EVENT_ERROR_CODE;
  readonly subjectKey: string;
  readonly version: unknown;

  constructor(subjectKey: string, version: unknown, problem: string, options?: ErrorOptions) {
    super(`stored event ${subjectKey} v${String(version)} cannot be read: ${problem}`, options);
    this.name = 'StoredEventError';
    this.subjectKey = subjectKey;
    this.version = version;
  }
}

export const isStoredEventError = (error: unknown): error is StoredEventError =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === STORED_EVENT_ERROR_CODE;

const zodProblems = (error: z.ZodError): string => error.issues.map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`).join('; ');

/** The current version's attributes of an event appended at `version`. */
export const storedEventAttributes = (event: ImpactEvent, version: number, recordedAt: number): StoredEventV2 & { version: number; recordedAt: number } => ({
  version,
  recordedAt,
  schemaVersion: STORED_SCHEMA_VERSION,
  eventId: event.eventId,
  detailType: event.detailType,
  occurredAt: event.occurredAt,
  source: event.source,
  ...(event.replayName !== undefined ? { replayName: event.replayName } : {}),
  detail: JSON.stringify(event.rawDetail),
});

const json = (text: string, what: string, fail: Fail): unknown => {
  try {
    return JSON.parse(text);
  } catch (error) {
    return fail(`${what} is not JSON`, { cause: error });
  }
};

const decodeV2 = (item: Record<string, unknown>, fail: Fail): Decoded => {
  const stored = v2Schema.safeParse(item);
  if (!stored.success) return fail(`not a version 2 stored event (${zodProblems(stored.error)})`, { cause: stored.error });
  const { schemaVersion: _v, detail, ...facts } = stored.data;
  const raw = json(detail, 'detail', fail);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return fail('detail is not a JSON object');
  return { facts, detail: raw as Record<string, unknown> };
};

/** Version 1 -> current: the facts were in the derived event; its detail (known fields) stands for the detail as sent. */
const upcastV1 = (item: Record<string, unknown>, fail: Fail): Decoded => {
  const stored = v1Schema.safeParse(item);
  if (!stored.success) return fail(`not a version 1 stored event (${zodProblems(stored.error)})`, { cause: stored.error });
  const legacy = v1EventSchema.safeParse(json(stored.data.event, 'event', fail));
  if (!legacy.success) return fail(`its version 1 event does not parse (${zodProblems(legacy.error)})`, { cause: legacy.error });
  const { detail, ...facts } = legacy.data;
  return { facts, detail };
};

/**
 * Detail fields the catalog learnt after events were first stored (issue 15). Stored details keep the
 * fields producers sent, so one written before may hold a producer's own field of that name in
 * another shape: it did not mean what the catalog means by it now, and it is dropped on read rather
 * than making the subject unreadable. Any other problem still fails the read.
 */
export const LATER_DETAIL_FIELDS = ['actor', 'notify', 'expectedResolutionAt', 'rolledBack'] as const;

const laterField = (field: string): string | undefined => LATER_DETAIL_FIELDS.find((name) => field === `detail.${name}` || field.startsWith(`detail.${name}.`));

/** The typed event from a stored detail, without the later-catalog fields that do not fit it (see LATER_DETAIL_FIELDS). */
const eventOf = (decoded: Decoded): ImpactEvent => {
  try {
    return eventFromFacts(decoded.facts, decoded.detail);
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error;
    const misfits = error.issues.map((issue) => laterField(issue.field));
    if (misfits.some((name) => name === undefined)) throw error;
    const detail = Object.fromEntries(Object.entries(decoded.detail).filter(([name]) => !misfits.includes(name as never)));
    return eventFromFacts(decoded.facts, detail);
  }
};

/** One line of a subject's history as staff see it: what happened, when, and who did it. */
export interface HistoryEntry {
  version: number;
  detailType: string;
  /** ISO 8601. */
  occurredAt: string;
  eventId: string;
  source: string;
  /** Who did it (its e-mail is for staff's eyes: never log it). */
  actor?: Actor;
  /** The event's notify choice, when it made one. */
  notify?: NotifyChoice;
}

/** The history line of a stored event (what `GET /subjects/{type}/{id}` lists). */
export const historyEntry = ({ version, event }: StoredEvent): HistoryEntry => ({
  version,
  detailType: event.detailType,
  occurredAt: new Date(event.occurredAt).toISOString(),
  eventId: event.eventId,
  source: event.source,
  ...(event.detail.actor ? { actor: event.detail.actor } : {}),
  ...(event.detail.notify !== undefined ? { notify: event.detail.notify } : {}),
});

/**
 * Reads one stored event of any schema version as the current ImpactEvent (the event store's reads and
 * the stream consumer both come here). Throws StoredEventError, with the underlying problem as cause.
 */
export const readStoredEvent = (key: string, item: Record<string, unknown>): StoredEvent => {
  const fail = (problem: string, options?: ErrorOptions): never => {
    throw new StoredEventError(key, item.version, problem, options);
  };
  const position = positionSchema.safeParse(item);
  if (!position.success) return fail(`no valid version and recordedAt (${zodProblems(position.error)})`, { cause: position.error });
  const schemaVersion = item.schemaVersion;
  let decoded: Decoded;
  if (schemaVersion === undefined) decoded = upcastV1(item, fail);
  else if (schemaVersion === STORED_SCHEMA_VERSION) decoded = decodeV2(item, fail);
  else
    return fail(
      `schemaVersion ${JSON.stringify(schemaVersion)} is unknown to this code (it reads 1 to ${STORED_SCHEMA_VERSION}); deploy the version that wrote it`,
    );
  let event: ImpactEvent;
  try {
    event = eventOf(decoded);
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error;
    return fail(`it no longer follows the event catalog (${error.message}); add an upcaster for it`, { cause: error });
  }
  if (subjectKey(event) !== key) return fail(`its detail names subject ${subjectKey(event)}`);
  return { subjectKey: key, version: position.data.version, recordedAt: position.data.recordedAt, event };
};
