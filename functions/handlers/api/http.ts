/**
 * The HTTP edge of the support API: typed errors that become status codes, the headers every answer
 * carries, and the checks a request passes before a route sees it (JSON bodies: content type, size,
 * base64; parameters against the route's zod schemas, each problem naming the parameter, the bad
 * value and the fix).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { NODE_ID_PATTERN } from '../../domain/model.ts';

/** One thing wrong with a request: where, what was sent, and what to send instead. */
export interface Problem {
  field: string;
  message: string;
  value?: string;
}

/** What every error answer looks like (the console shows `error` and lists `problems`). */
export interface ErrorView {
  error: string;
  code: ApiErrorCode;
  problems?: Problem[];
}

export const STATUS_OF = {
  'bad-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  internal: 500,
  'bus-refused': 502,
  'bus-unavailable': 503,
} as const;
export type ApiErrorCode = keyof typeof STATUS_OF;

/** A request the API refuses, with the status and the reason the caller sees. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly problems: Problem[];
  readonly headers: Record<string, string>;

  constructor(code: ApiErrorCode, message: string, options: ErrorOptions & { problems?: Problem[]; headers?: Record<string, string> } = {}) {
    super(message, options);
    this.name = 'ApiError';
    this.code = code;
    this.problems = options.problems ?? [];
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return STATUS_OF[this.code];
  }
}

export const badRequest = (problems: Problem[]) => new ApiError('bad-request', 'bad request', { problems });

/** 1 MB: the most a support request needs; larger bodies are refused before they are parsed. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

// nosniff: a JSON answer is never run as a script or styled as CSS, whatever a browser guesses.
const HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export const respond = (statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { ...HEADERS, ...headers },
  body: JSON.stringify(body),
});

export const errorResponse = (error: ApiError): APIGatewayProxyStructuredResultV2 => {
  const view: ErrorView = { error: error.message, code: error.code, ...(error.problems.length > 0 ? { problems: error.problems } : {}) };
  return respond(error.status, view, error.headers);
};

export const header = (event: APIGatewayProxyEventV2, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  const found = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === wanted);
  return found?.[1];
};

/**
 * The body's bytes as the client sent them: API Gateway hands some bodies over base64-encoded
 * (isBase64Encoded). The size limit is on these real bytes; signatures are computed over them.
 */
export const bodyBytes = (event: APIGatewayProxyEventV2): Buffer => {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > BODY_LIMIT_BYTES) {
    throw new ApiError('payload-too-large', `the body is ${bytes.length} bytes; send at most ${BODY_LIMIT_BYTES} (1 MB)`);
  }
  return bytes;
};

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

/**
 * The body of a POST as JSON. Only `application/json` is taken: a cross-site form post (form-encoded,
 * multipart, text/plain) cannot be sent as JSON without a CORS preflight, so it never reaches a route.
 */
export const jsonBody = (event: APIGatewayProxyEventV2, options: { optional?: boolean } = {}): unknown => {
  const type = header(event, 'content-type');
  if (!type || !JSON_TYPE.test(type)) {
    throw new ApiError(
      'unsupported-media-type',
      `send the body as JSON with content-type: application/json; got ${type ? JSON.stringify(type) : 'no content-type'}`,
    );
  }
  // Even an optional body needs the JSON content type above: that is what keeps a cross-site post out.
  if (options.optional && (event.body ?? '').trim() === '') return undefined;
  const bytes = bodyBytes(event);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ApiError('bad-request', 'bad request', {
      cause: error,
      problems: [{ field: 'body', message: `is not JSON (${(error as Error).message}); send one event or an array of one subject's events` }],
    });
  }
};

/** Turns zod issues about path or query parameters into problems that name each one and its value. */
export const parameterProblems = (error: z.ZodError, input: Record<string, string | undefined>, allowed: readonly string[], where: string): Problem[] =>
  error.issues.flatMap((issue): Problem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: key,
        value: input[key],
        message: `${JSON.stringify(key)} is not a parameter of ${where}; ${allowed.length > 0 ? `use ${allowed.join(', ')}` : 'it takes none'}`,
      }));
    }
    const field = String(issue.path[0] ?? 'query');
    return [{ field, ...(input[field] !== undefined ? { value: input[field] } : {}), message: issue.message }];
  });

/** Parses parameters with a zod object schema; every problem at once, as a 400. */
export const parseParameters = <S extends z.ZodType>(schema: S, input: Record<string, string | undefined>, where: string): z.output<S> => {
  // A parameter left empty (`?from=`, a blank form field) is a parameter not given.
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(given);
  if (result.success) return result.data;
  const allowed = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  throw badRequest(parameterProblems(result.error, given, allowed, where));
};

/** Parameter schemas shared by the routes; each message names the bad value and what to send. */
export const param = {
  id: (what: string) =>
    z.string().regex(NODE_ID_PATTERN, {
      error: (issue) => `${JSON.stringify(issue.input)} is not ${what}: use 1-128 letters, digits or . _ : -`,
    }),
  time: (example: string) =>
    z.string().transform((value, ctx) => {
      const ms = Date.parse(value);
      if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a time: use ISO 8601, e.g. ${example}` });
      return ms;
    }),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, { error: (issue) => `${JSON.stringify(issue.input)} is not one of ${values.join(', ')}` }),
  text: (what: string) =>
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
    z.string().regex(/^[^\u0000-\u001f]{1,128}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not ${what}: use 1-128 printable characters` }),
  wholeNumber: (min: number, max: number, example: number) =>
    z.string().transform((value, ctx) => {
      const n = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
      if (!(n >= min && n <= max))
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a whole number from ${min} to ${max}; e.g. ${example}` });
      return n;
    }),
};

/** A time range from `from` and `to` parameters: `to` must come after `from` when both are given. */
export const orderedRange = <R extends { from?: number; to?: number }>(range: R): R => {
  if (range.from !== undefined && range.to !== undefined && range.to <= range.from) {
    throw badRequest([{ field: 'to', value: new Date(range.to).toISOString(), message: `must be after from (${new Date(range.from).toISOString()})` }]);
  }
  return range;
};
