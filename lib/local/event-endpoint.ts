/**
 * An EventBridge-compatible PutEvents endpoint (AWS JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`):
 * the AWS CLI and SDK work against it unchanged. It answers as EventBridge does: a request of the
 * wrong shape is a 400 with the error type EventBridge uses (SerializationException for JSON that does
 * not fit the operation, ValidationException for a broken constraint), a request over 1 MB a 413, and
 * each entry gets an EventId or its own error (MalformedDetail, InvalidArgument for a missing field, a
 * Time that is no time, or an entry over 256 KB). Valid entries are handed to `accept`, which stores
 * them; only then does the answer go out, so an EventId means the event survives a crash.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { z } from 'zod';
import { eventTime, type BusName, type NewEvent } from './bus.ts';
import { BodyTooLargeError, answerAndClose, readBody, safeServer } from './http.ts';
import type { Log } from './log.ts';

/** EventBridge's limits: 10 entries, 256 KB per entry, 1 MB per request. */
export const MAX_ENTRIES = 10;
export const MAX_ENTRY_BYTES = 256 * 1024;
export const MAX_REQUEST_BYTES = 1024 * 1024;
/** The local runtime's one custom bus (the stack's `impact:busName` default). */
export const IMPACT_BUS = 'impact';

/** Stores accepted entries, each on its bus, in one step; throws when it cannot (nothing is acknowledged then). */
export type AcceptEntries = (entries: { bus: BusName; event: NewEvent }[]) => void;

// The operation's input shape: a field of the wrong JSON type is a SerializationException in AWS JSON.
// Time is checked per entry (EventBridge answers a bad one with an entry error, not a failed request).
const entrySchema = z.object({
  Source: z.string().optional(),
  DetailType: z.string().optional(),
  Detail: z.string().optional(),
  EventBusName: z.string().optional(),
  Resources: z.array(z.string()).optional(),
  TraceHeader: z.string().optional(),
  Time: z.unknown().optional(),
});
const requestSchema = z.object({ Entries: z.array(entrySchema.nullable()).optional(), EndpointId: z.string().optional() });
type Entry = z.infer<typeof entrySchema>;

class RequestError extends Error {
  readonly status: number;
  readonly type: string;

  constructor(status: number, type: string, message: string) {
    super(message);
    this.name = 'RequestError';
    this.status = status;
    this.type = type;
  }
}

/** The request's entries, or the RequestError EventBridge would answer with. */
export const parseRequest = (body: string): Entry[] => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new RequestError(400, 'SerializationException', 'the request body is not JSON: send {"Entries": [...]} with 1 to 10 entries');
  }
  const parsed = requestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : 'the request body';
    throw new RequestError(
      400,
      'SerializationException',
      `${where} does not fit PutEvents: ${issue.message}; send {"Entries": [{"Source", "DetailType", "Detail", ...}]} with string fields`,
    );
  }
  const entries = parsed.data.Entries;
  if (!entries)
    throw new RequestError(
      400,
      'ValidationException',
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    );
  if (entries.length < 1 || entries.length > MAX_ENTRIES) {
    throw new RequestError(
      400,
      'ValidationException',
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES} (got ${entries.length} entries)`,
    );
  }
  const nullAt = entries.indexOf(null);
  if (nullAt >= 0)
    throw new RequestError(
      400,
      'ValidationException',
      `1 validation error detected: Value null at 'entries.${nullAt + 1}.member' failed to satisfy constraint: Member must not be null`,
    );
  return entries as Entry[];
};

/** A Time as the JSON protocol sends it (epoch seconds) or as RFC 3339 text; undefined when it is no time. */
const parseTime = (time: unknown): number | undefined => {
  const ms = typeof time === 'number' ? time * 1000 : typeof time === 'string' ? Date.parse(time) : Number.NaN;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : undefined;
};

/** EventBridge's entry size: Time counts 14 bytes, then the UTF-8 bytes of Source, DetailType, Detail and Resources. */
const entryBytes = (e: Entry): number =>
  (e.Time !== undefined ? 14 : 0) + [e.Source, e.DetailType, e.Detail, ...(e.Resources ?? [])].reduce((n, s) => n + Buffer.byteLength(s ?? ''), 0);

/** Which local bus an entry's EventBusName (a name or an ARN) names; undefined for a bus that does not exist. */
const busOf = (name: string | undefined): BusName | undefined => {
  const bare = name?.replace(/^arn:aws:events:[^:]*:[^:]*:event-bus\//, '');
  return !bare || bare === 'default' ? 'default' : bare === IMPACT_BUS ? 'impact' : undefined;
};

type EntryResult = { ok: true; bus: BusName; event: NewEvent & { id: string } } | { ok: false; ErrorCode: string; ErrorMessage: string };

export const checkEntry = (entry: Entry): EntryResult => {
  const invalid = (message: string): EntryResult => ({ ok: false, ErrorCode: 'InvalidArgument', ErrorMessage: message });
  for (const field of ['Source', 'DetailType', 'Detail'] as const)
    if (!entry[field]) return invalid(`Parameter ${field} is not valid. Reason: ${field} is a required argument.`);
  const bytes = entryBytes(entry);
  if (bytes > MAX_ENTRY_BYTES)
    return invalid(`Entry is ${bytes} bytes; EventBridge takes at most 256 KB (${MAX_ENTRY_BYTES} bytes) per entry: send less detail`);
  const time = entry.Time === undefined ? Date.now() : parseTime(entry.Time);
  if (time === undefined)
    return invalid(
      `Parameter Time is not valid: ${JSON.stringify(entry.Time).slice(0, 60)} is not a time; give epoch seconds or an RFC 3339 timestamp such as 2026-12-05T02:00:00Z, or leave it out for now`,
    );
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail!);
  } catch {
    return { ok: false, ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed: it is not valid JSON.' };
  }
  if (!detail || typeof detail !== 'object' || Array.isArray(detail))
    return { ok: false, ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed: it must be a JSON object.' };
  const bus = busOf(entry.EventBusName);
  if (!bus)
    return {
      ok: false,
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Event bus ${entry.EventBusName} does not exist: the local runtime has "${IMPACT_BUS}" and "default"`,
    };
  return {
    ok: true,
    bus,
    event: { id: randomUUID(), source: entry.Source!, detailType: entry.DetailType!, detail, time: eventTime(time), resources: entry.Resources ?? [] },
  };
};

const HEADERS = { 'content-type': 'application/x-amz-json-1.1' };
const awsError = (type: string, message: string) => JSON.stringify({ __type: type, message });

export const eventEndpoint = (accept: AcceptEntries, log: Log): Server =>
  safeServer(
    'events endpoint',
    async (req, res) => {
      const headers = { ...HEADERS, 'x-amzn-requestid': randomUUID() };
      const reply = (status: number, body: string) => {
        res.writeHead(status, headers);
        res.end(body);
      };
      if (req.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        return reply(
          400,
          awsError(
            'UnknownOperationException',
            `only AWSEvents.PutEvents is served here (X-Amz-Target was ${JSON.stringify(req.headers['x-amz-target'] ?? null)})`,
          ),
        );
      }
      let body: Buffer;
      try {
        body = await readBody(req, MAX_REQUEST_BYTES);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        return answerAndClose(
          res,
          413,
          headers,
          awsError(
            'RequestEntityTooLargeException',
            `the request is over 1 MB (${MAX_REQUEST_BYTES} bytes), the PutEvents limit: send fewer entries per request`,
          ),
        );
      }
      let entries: Entry[];
      try {
        entries = parseRequest(body.toString('utf8'));
      } catch (error) {
        if (!(error instanceof RequestError)) throw error;
        return reply(error.status, awsError(error.type, error.message));
      }
      const results = entries.map(checkEntry);
      // Stored before the answer: an entry acknowledged with an EventId is durable.
      const accepted = results.flatMap((r) => (r.ok ? [r] : []));
      if (accepted.length > 0) accept(accepted);
      reply(
        200,
        JSON.stringify({
          FailedEntryCount: results.length - accepted.length,
          Entries: results.map((r) => (r.ok ? { EventId: r.event.id } : { ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage })),
        }),
      );
    },
    log,
    (message) => ({ headers: HEADERS, body: awsError('InternalException', message) }),
  );
