/**
 * A source's credential (its Secrets Manager secret in AWS, `intake.secrets.<source>` in impact.local.json)
 * and the signature schemes a request of that source is checked with:
 *   "s3cr3t-value"                                   one shared secret, checked with every scheme the tool can use
 *   { "secrets": ["new", "old"], "username": "sn-integration", "header": "X-Impact-Token" }
 *                                                    several during a rotation, and our own user or header name
 * Which schemes a tool can use is AUTH_SCHEMES (auth.ts): PagerDuty signs, Jira signs or sends a header,
 * Alertmanager sends a bearer token or basic auth, ServiceNow basic auth or a header.
 */
import { z } from 'zod';
import { AUTH_SCHEMES, type AuthScheme, type AuthSchemeType } from './auth.ts';

/** The tools that post to `POST /intake/{source}` (AWS Health comes through EventBridge instead). */
export type HttpIntakeSource = keyof typeof AUTH_SCHEMES;
export const HTTP_INTAKE_SOURCES = Object.keys(AUTH_SCHEMES) as HttpIntakeSource[];

export const isHttpIntakeSource = (value: unknown): value is HttpIntakeSource => typeof value === 'string' && (HTTP_INTAKE_SOURCES as string[]).includes(value);

/** The basic-auth user name when the credential names none. */
export const DEFAULT_USERNAME = 'impact';
/** The shared-secret header when the credential names none. */
export const DEFAULT_SECRET_HEADER = 'X-Impact-Token';

const secret = z.string({ error: 'must be text: the shared secret' }).min(1, { error: 'is empty: give the shared secret' });
// RFC 9110 token characters: what a header name may be made of.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

export const intakeCredentialSchema = z.union(
  [
    secret,
    z.strictObject({
      secrets: z.array(secret, { error: 'must be a list of shared secrets, newest first' }).min(1, { error: 'is empty: give at least one secret' }),
      username: z
        .string()
        .regex(/^[^:\s]{1,128}$/, { error: 'must be a user name without ":" or spaces' })
        .optional(),
      header: z.string().regex(HEADER_NAME, { error: 'must be an HTTP header name such as X-Impact-Token' }).optional(),
    }),
  ],
  { error: 'must be the shared secret as text, or { "secrets": [...], "username"?, "header"? }' },
);
export type IntakeCredential = z.infer<typeof intakeCredentialSchema>;

export interface CredentialProblem {
  path: string;
  message: string;
}

/** Checks a credential; problems name the path (`intake.secrets.jira.header`) and never repeat a secret. */
export const checkIntakeCredential = (
  source: HttpIntakeSource,
  raw: unknown,
  where = `intake.secrets.${source}`,
): { ok: true; credential: IntakeCredential } | { ok: false; problems: CredentialProblem[] } => {
  const result = intakeCredentialSchema.safeParse(raw);
  if (result.success) return { ok: true, credential: result.data };
  return { ok: false, problems: result.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message })) };
};

/**
 * A secret as Secrets Manager holds it: the shared secret itself, or the JSON object form. Text that
 * does not start with `{` is a plain secret, so a vendor's secret is pasted as it is.
 */
export const credentialFromSecretString = (source: HttpIntakeSource, value: string, where: string) => {
  const trimmed = value.trim();
  if (!trimmed.startsWith('{')) return checkIntakeCredential(source, trimmed, where);
  try {
    return checkIntakeCredential(source, JSON.parse(trimmed), where);
  } catch {
    return {
      ok: false as const,
      problems: [{ path: where, message: 'starts with "{" but is not JSON: give the secret as plain text, or as { "secrets": [...] }' }],
    };
  }
};

const schemeOf = (type: AuthSchemeType, secrets: readonly string[], username: string, header: string): AuthScheme => {
  switch (type) {
    case 'basic':
      return { type, username, secrets };
    case 'header':
      return { type, name: header, secrets };
    default:
      return { type, secrets };
  }
};

/** Every scheme the tool can use, each with the credential's secrets. */
export const intakeSchemes = (source: HttpIntakeSource, credential: IntakeCredential): AuthScheme[] => {
  const { secrets, username = DEFAULT_USERNAME, header = DEFAULT_SECRET_HEADER } = typeof credential === 'string' ? { secrets: [credential] } : credential;
  return AUTH_SCHEMES[source].map((type) => schemeOf(type, secrets, username, header));
};

const SCHEME_TEXT: Record<AuthSchemeType, (s: AuthScheme) => string> = {
  'pagerduty-signature': () => 'X-PagerDuty-Signature (HMAC-SHA256)',
  'hub-signature': () => 'X-Hub-Signature (HMAC-SHA256)',
  bearer: () => 'Authorization: Bearer',
  basic: (s) => `basic auth as "${(s as Extract<AuthScheme, { type: 'basic' }>).username}"`,
  header: (s) => `${(s as Extract<AuthScheme, { type: 'header' }>).name} header`,
};

/** How a source's requests must be signed, for people: `basic auth as "impact" or X-Impact-Token header`. */
export const describeSchemes = (schemes: readonly AuthScheme[]): string => schemes.map((s) => SCHEME_TEXT[s.type](s)).join(' or ');
