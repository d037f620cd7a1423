/**
 * Who is calling. In AWS the HTTP API's JWT authorizer has checked the Cognito token before the
 * function runs; the caller's roles are their Cognito groups (`cognito:groups`). The route table says
 * which roles may call a route; a caller needs one of them.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { Actor } from '../../domain/model.ts';
import { ApiError } from './http.ts';

/** support reads; change-manager also schedules and approves; admin may do everything. */
export const ROLES = ['support', 'change-manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What each role is for; the Cognito groups of the stack carry these descriptions. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  support: 'first-line support: reads changes, incidents, customers, touchpoints and metrics; runs what-ifs',
  'change-manager': 'what support may, and puts changes and incidents on the bus (POST /events) and approves held notices',
  admin: 'everything the API offers',
};

/** Who may do what: the route table gives each route one of these lists. */
export const PERMISSIONS = {
  /** Reading, and what-ifs that store nothing. */
  read: ['support', 'change-manager', 'admin'],
  /** Putting changes and incidents on the bus. */
  schedule: ['change-manager', 'admin'],
  /** Sending a subject's held (draft) notices. */
  approve: ['change-manager', 'admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export interface Caller {
  roles: Role[];
  /** True for the local runtime's caller (no authorizer, trusted by configuration). */
  local: boolean;
  /** The token's subject (`sub`): who the caller is, recorded as the actor of what they do. */
  id?: string;
  /** The token's `email` claim: shown to staff with the actor, never logged. */
  email?: string;
}

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/**
 * Groups as the claim arrives: HTTP APIs hand array claims over as one string, `[support admin]`
 * (bracketed, space-separated); other integrations pass a list or a comma-separated string.
 */
export const groupsOf = (claim: unknown): string[] => {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== 'string') return [];
  return claim
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
};

/** The actor id of the local runtime's caller (no sign-in). */
export const LOCAL_CALLER_ID = 'local';

/** The caller of a request, or undefined when nobody identifiable is calling. */
export const callerOf = (event: APIGatewayProxyEventV2, options: { localAdmin?: boolean }): Caller | undefined => {
  const claims = (event as APIGatewayProxyEventV2WithJWTAuthorizer).requestContext?.authorizer?.jwt?.claims;
  if (claims) {
    const text = (claim: unknown) => (typeof claim === 'string' && claim !== '' ? claim : undefined);
    const id = text(claims.sub);
    const email = text(claims.email);
    return { roles: groupsOf(claims['cognito:groups']).filter(isRole), local: false, ...(id ? { id } : {}), ...(email ? { email } : {}) };
  }
  return options.localAdmin ? { roles: ['admin'], local: true, id: LOCAL_CALLER_ID } : undefined;
};

/**
 * The caller of a route that needs one. Every route but intake (signed by the tool) has been authorized
 * by the router, so a missing caller here is a route table mistake, answered as a refusal.
 */
export const signedIn = (caller: Caller | undefined, where: string): Caller => authorize(caller, [...ROLES], where);

/** Whether the caller has one of the roles a permission needs. */
export const may = (caller: Pick<Caller, 'roles'>, permission: Permission): boolean =>
  caller.roles.some((r) => (PERMISSIONS[permission] as readonly Role[]).includes(r));

/**
 * Who did what the caller asks the API to do, as events record it (`detail.actor`): the signed-in
 * person (the token's subject and e-mail) through the console; locally `local`.
 */
export const actorOf = (caller: Caller): Actor => ({
  type: 'person',
  ...(caller.id ? { id: caller.id } : {}),
  ...(caller.email ? { email: caller.email } : {}),
  source: 'console',
});

const listed = (roles: readonly string[]) => (roles.length === 0 ? 'none' : roles.join(', '));

/** Refuses a caller without one of the roles the route names (401 for no caller, 403 for the wrong role). */
export const authorize = (caller: Caller | undefined, roles: readonly Role[], where: string): Caller => {
  if (!caller) {
    throw new ApiError('unauthenticated', `${where} needs a signed-in caller: send a Cognito token as "authorization: Bearer <token>"`, {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  if (!caller.roles.some((r) => roles.includes(r))) {
    throw new ApiError(
      'forbidden',
      `${where} needs the role ${roles.join(' or ')}; your roles: ${listed(caller.roles)}. Ask an admin to add you to one of those Cognito groups`,
    );
  }
  return caller;
};
