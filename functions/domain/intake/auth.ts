/**
 * Is an intake request from the tool it claims to be? Pure checks over the raw request:
 *   pagerduty-signature  X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the raw body>[,v1=...]  (several while
 *                        PagerDuty rotates its secret; one match is enough)
 *   hub-signature        X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>  (Jira admin webhooks with a secret)
 *   bearer               Authorization: Bearer <token>  (Alertmanager http_config.authorization)
 *   basic                Authorization: Basic <base64 user:password>  (ServiceNow outbound REST basic auth,
 *                        Alertmanager http_config.basic_auth)
 *   header               <name>: <shared secret>  (a custom header set on a ServiceNow REST message or Jira automation)
 * Each scheme holds a list of secrets so ours can rotate too. Comparisons are timing-safe (both sides are
 * hashed to equal length first). Never throws; never puts a secret or a presented credential in a reason.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IntakeSource } from './contract.ts';

export type AuthScheme =
  | { type: 'pagerduty-signature'; secrets: readonly string[] }
  | { type: 'hub-signature'; secrets: readonly string[] }
  | { type: 'bearer'; secrets: readonly string[] }
  | { type: 'basic'; username: string; secrets: readonly string[] }
  | { type: 'header'; name: string; secrets: readonly string[] };
export type AuthSchemeType = AuthScheme['type'];

/** The schemes each tool can use. */
export const AUTH_SCHEMES: Record<Exclude<IntakeSource, 'aws-health'>, readonly AuthSchemeType[]> = {
  pagerduty: ['pagerduty-signature'],
  jira: ['hub-signature', 'header'],
  alertmanager: ['bearer', 'basic'],
  servicenow: ['basic', 'header'],
};

export type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface IntakeRequest {
  headers: Headers;
  /** The body exactly as received (signatures are over these bytes, not over re-serialised JSON). */
  body: string | Uint8Array;
}

export type AuthResult = { status: 'ok'; scheme: AuthSchemeType } | { status: 'missing'; reason: string } | { status: 'mismatch'; reason: string };

const digest = (value: string | Uint8Array): Buffer => createHash('sha256').update(value).digest();
/** Equal-length digests make the comparison independent of where, or whether, the lengths differ. */
const sameSecret = (a: string | Uint8Array, b: string | Uint8Array): boolean => timingSafeEqual(digest(a), digest(b));

export const headerValue = (headers: unknown, name: string): string | undefined => {
  if (!headers || typeof headers !== 'object') return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== wanted) continue;
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  }
  return undefined;
};

const bodyBytes = (body: unknown): Buffer | undefined =>
  typeof body === 'string' ? Buffer.from(body, 'utf8') : body instanceof Uint8Array ? Buffer.from(body) : undefined;

const hmacHex = (secret: string, body: Buffer): string => createHmac('sha256', secret).update(body).digest('hex');

type Check = { present: false; header: string } | { present: true; ok: boolean; header: string };

const checkSignatures = (headers: unknown, body: unknown, header: string, prefix: string, secrets: readonly string[]): Check => {
  const raw = headerValue(headers, header);
  if (raw === undefined || raw.trim() === '') return { present: false, header };
  const presented = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.toLowerCase().startsWith(prefix))
    .map((s) => s.slice(prefix.length).toLowerCase());
  const bytes = bodyBytes(body);
  if (bytes === undefined || presented.length === 0) return { present: true, ok: false, header };
  const expected = secrets.filter((s) => s !== '').map((s) => hmacHex(s, bytes));
  // Every pair is compared (no early exit), so the time does not tell which secret or signature matched.
  let ok = false;
  for (const e of expected) for (const p of presented) ok = sameSecret(e, p) || ok;
  return { present: true, ok, header };
};

const checkAuthorization = (headers: unknown, kind: 'bearer' | 'basic', expected: readonly string[]): Check => {
  const raw = headerValue(headers, 'authorization')?.trim();
  const prefix = kind === 'bearer' ? 'bearer ' : 'basic ';
  if (raw === undefined || !raw.toLowerCase().startsWith(prefix)) return { present: false, header: 'Authorization' };
  const presented = raw.slice(prefix.length).trim();
  let ok = false;
  for (const e of expected) ok = sameSecret(e, presented) || ok;
  return { present: true, ok, header: 'Authorization' };
};

const basicCredentials = (username: string, secrets: readonly string[]): string[] =>
  secrets.map((password) => Buffer.from(`${username}:${password}`, 'utf8').toString('base64'));

const checkScheme = (request: IntakeRequest, scheme: AuthScheme): Check => {
  const secrets = (Array.isArray(scheme.secrets) ? scheme.secrets : []).filter((s) => typeof s === 'string' && s !== '');
  switch (scheme.type) {
    case 'pagerduty-signature':
      return checkSignatures(request.headers, request.body, 'X-PagerDuty-Signature', 'v1=', secrets);
    case 'hub-signature':
      return checkSignatures(request.headers, request.body, 'X-Hub-Signature', 'sha256=', secrets);
    case 'bearer':
      return checkAuthorization(request.headers, 'bearer', secrets);
    case 'basic':
      return checkAuthorization(request.headers, 'basic', basicCredentials(scheme.username, secrets));
    case 'header': {
      const raw = headerValue(request.headers, scheme.name);
      if (raw === undefined || raw === '') return { present: false, header: scheme.name };
      let ok = false;
      for (const s of secrets) ok = sameSecret(s, raw) || ok;
      return { present: true, ok, header: scheme.name };
    }
    default: {
      const unknown: never = scheme;
      return { present: false, header: String((unknown as { type?: unknown }).type) };
    }
  }
};

/**
 * ok when any configured scheme accepts the request; missing when the request carries none of their
 * headers; mismatch when it carries one that does not match. No configured scheme is `missing`.
 */
export const verifyIntakeRequest = (request: IntakeRequest, schemes: readonly AuthScheme[]): AuthResult => {
  if (!request || typeof request !== 'object') return { status: 'missing', reason: 'no request to check' };
  const usable = (Array.isArray(schemes) ? schemes : []).filter((s): s is AuthScheme => !!s && typeof s === 'object');
  if (usable.length === 0) return { status: 'missing', reason: 'no secret is configured for this source' };
  const checks = usable.map((scheme) => ({ scheme, check: checkScheme(request, scheme) }));
  const passed = checks.find(({ check }) => check.present && check.ok);
  if (passed) return { status: 'ok', scheme: passed.scheme.type };
  const headers = [...new Set(checks.map(({ check }) => check.header))].join(' or ');
  return checks.some(({ check }) => check.present)
    ? { status: 'mismatch', reason: `${headers} does not match a configured secret` }
    : { status: 'missing', reason: `the request has no ${headers}` };
};
