/**
 * How intake turns what a mapper decided into the pipeline's events and outcomes: stable ids from the
 * vendor's ids (a webhook delivered twice is one event), texts clipped to what the schemas accept, the
 * actor without contact details, and refusals that name the field, the value and the fix.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { MAX_TEXT_BYTES, type DetailType } from '../events/schemas.ts';
import { NODE_ID_PATTERN } from '../model.ts';
import type { IntakeActor, IntakeEvent, IntakeEventOf, IntakeIssue, IntakeOutcome, IntakeSource, RefusalCode, UnknownName } from './contract.ts';
import { EVENT_SOURCES } from './contract.ts';

export const shortHash = (text: string, length = 24): string => createHash('sha256').update(text).digest('hex').slice(0, length);

/**
 * A subject id (change or incident id, a DynamoDB key) from a vendor id: kept as it is when it fits the
 * node id pattern; otherwise the characters outside it become '-' and a hash of the original keeps two
 * different vendor ids apart.
 */
export const subjectIdFrom = (prefix: string, vendorId: string): string => {
  const direct = `${prefix}${vendorId}`;
  if (NODE_ID_PATTERN.test(direct)) return direct;
  const cleaned = vendorId.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 100);
  return `${prefix}${cleaned}-${shortHash(vendorId, 12)}`;
};

const MAX_EVENT_ID = 256;

/** An event id from the vendor's ids; long ones keep their head and hash the rest (the schema allows 256). */
export const eventIdFrom = (source: IntakeSource, ...parts: string[]): string => {
  const id = [source, ...parts].join(':');
  return id.length <= MAX_EVENT_ID ? id : `${source}:${shortHash(parts.join(':'), 40)}`;
};

/** Clips text to the byte limit of the event schema (on a character boundary) rather than refusing a long title. */
export const clipText = (text: string, maxBytes = MAX_TEXT_BYTES): string => {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const chars = [...text];
  let bytes = Buffer.byteLength('…', 'utf8');
  let end = 0;
  while (end < chars.length && bytes + Buffer.byteLength(chars[end], 'utf8') <= maxBytes) bytes += Buffer.byteLength(chars[end++], 'utf8');
  return `${chars.slice(0, end).join('')}…`;
};

// Actor names and ids are logged and shown; tools sometimes use e-mail addresses or phone numbers as
// user names, and those are contact details, which no log line may carry.
const CONTACT_LIKE = /@|^\+?[\d\s().-]{7,}$/;
const safeName = (value: unknown): string | undefined => {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  return text === '' || CONTACT_LIKE.test(text) ? undefined : text.slice(0, 256);
};

export const toolActor = (source: IntakeSource, id?: unknown, name?: unknown): IntakeActor => {
  const safeId = safeName(id);
  const safeLabel = safeName(name);
  return { type: 'tool', source: EVENT_SOURCES[source], ...(safeId ? { id: safeId } : {}), ...(safeLabel ? { name: safeLabel } : {}) };
};

/** One event as parseEvent accepts it; `time` mirrors detail.occurredAt. */
export const intakeEvent = <K extends DetailType>(source: IntakeSource, detailType: K, detail: IntakeEventOf<K>['detail']): IntakeEventOf<K> =>
  ({ 'detail-type': detailType, source: EVENT_SOURCES[source], time: detail.occurredAt, detail }) as IntakeEventOf<K>;

export const produced = (source: IntakeSource, events: IntakeEvent[], unknownNames: UnknownName[] = []): IntakeOutcome => ({
  kind: 'events',
  source,
  events,
  unknownNames,
});

export const ignored = (source: IntakeSource, reason: string): IntakeOutcome => ({ kind: 'ignored', source, reason });

export const refused = (
  source: IntakeSource,
  issues: IntakeIssue[],
  code: RefusalCode = 'invalid-payload',
  unknownNames: UnknownName[] = [],
): IntakeOutcome => ({
  kind: 'refused',
  source,
  code,
  issues,
  unknownNames,
});

/** A refusal because nothing the payload names is known to the graph. */
export const unknownNamesRefusal = (source: IntakeSource, field: string, unknownNames: UnknownName[], fix: string): IntakeOutcome =>
  refused(
    source,
    [{ field, message: `names nothing known to the graph (${unknownNames.map((u) => JSON.stringify(u.value)).join(', ')}); ${fix}` }],
    'unknown-names',
    unknownNames,
  );

/** The nodes a payload's names matched, with the names that matched nothing; or the refusal when none matched. */
export const knownNodes = (
  source: IntakeSource,
  match: { nodes: string[]; unknown: string[] },
  kind: UnknownName['kind'],
  refusal: { field: string; fix: string },
): { nodes: string[]; unknownNames: UnknownName[] } | { refusal: IntakeOutcome } => {
  const unknownNames = match.unknown.map((value) => ({ kind, value }));
  return match.nodes.length > 0 ? { nodes: match.nodes, unknownNames } : { refusal: unknownNamesRefusal(source, refusal.field, unknownNames, refusal.fix) };
};

const pathOf = (prefix: string, segments: readonly PropertyKey[]): string => [prefix, ...segments.map(String)].filter(Boolean).join('.') || '(payload)';

const valueAt = (root: unknown, segments: readonly PropertyKey[]): unknown =>
  segments.reduce<unknown>((v, s) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[s] : undefined), root);

/** Zod issues as refusal reasons, each with the value found (when there was one). */
export const issuesFrom = (error: z.ZodError, payload: unknown, prefix = ''): IntakeIssue[] =>
  error.issues.map((issue) => {
    const value = valueAt(payload, issue.path);
    const got = value === undefined ? '' : ` (got ${JSON.stringify(value)?.slice(0, 120)})`;
    return { field: pathOf(prefix, issue.path), message: `${issue.message}${got}` };
  });
