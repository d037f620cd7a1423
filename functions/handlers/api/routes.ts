/**
 * The support API's routes, one table: method, path (API Gateway's `{param}` syntax), who may call it
 * and the handler. It drives the api function's dispatch (router.ts), the HTTP API's routes in the CDK
 * stack (lib/constructs/support-api.ts: one route per entry, behind the JWT authorizer unless the tools
 * sign it), and so the local runtime, which hands every /api request to the same function.
 */
import { PERMISSIONS, type Role } from './access.ts';
import { approve, drafts } from './approvals.ts';
import { caller } from './customers.ts';
import { customerDeliveries, subjectDeliveries, unreachedCustomers } from './deliveries.ts';
import type { Endpoint } from './endpoint.ts';
import { putEvent } from './events.ts';
import { me } from './me.ts';
import { intake } from './intake.ts';
import { metrics } from './metrics.ts';
import { affectedCustomers, allSubjects, changes, incidents, subject } from './subjects.ts';
import { allTouchpoints, touchpoint } from './touchpoints.ts';
import { assess, whatIf } from './what-if.ts';

export type Method = 'GET' | 'POST';

export interface ApiRoute {
  readonly method: Method;
  readonly path: `/${string}`;
  /** Roles of which a caller needs one (a Cognito group; checked unless `auth` says otherwise). */
  readonly roles: readonly Role[];
  /**
   * `intake-signature`: no Cognito token and no role (the tools cannot sign in); the route checks the
   * source's signature itself, and the HTTP API has no authorizer on it.
   */
  readonly auth?: 'intake-signature';
  /** What it answers (README's API table says the same). */
  readonly summary: string;
  readonly handler: Endpoint;
}

const { read: READ, schedule: SCHEDULE, approve: APPROVE } = PERMISSIONS;

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'GET', path: '/subjects', roles: READ, summary: 'every change and incident with status, window and counts', handler: allSubjects },
  {
    method: 'GET',
    path: '/changes',
    roles: READ,
    summary: 'changes whose window overlaps a time range (`from`, `to`; either may be left out, neither: every change), on a touchpoint, of a team; by start',
    handler: changes,
  },
  { method: 'GET', path: '/incidents', roles: READ, summary: 'incidents by `status` (default open: not resolved; `all`)', handler: incidents },
  {
    method: 'GET',
    path: '/subjects/{type}/{id}',
    roles: READ,
    summary:
      'state (with the expected restore time), event history with who did what, touchpoints with paths, summary, notices sent by kind; while held, the held counts and a preview of every text',
    handler: subject,
  },
  {
    method: 'POST',
    path: '/subjects/{type}/{id}/approve',
    roles: APPROVE,
    summary:
      "send a subject's held (draft) notices: puts `Notices Approved` on the bus with you as its actor (body: optional `{ note }`; 409 when nothing is held)",
    handler: approve,
  },
  { method: 'GET', path: '/drafts', roles: READ, summary: 'subjects whose notices wait for approval, with the held counts per kind', handler: drafts },
  {
    method: 'GET',
    path: '/subjects/{type}/{id}/customers',
    roles: READ,
    summary: 'affected customers by `effect` and `segment`, a page (`limit`) at a time (`cursor`)',
    handler: affectedCustomers,
  },
  {
    method: 'GET',
    path: '/subjects/{type}/{id}/deliveries',
    roles: READ,
    summary: 'notices sent, delivered, failed and pending by channel; delivered within 5 and 15 minutes of the event',
    handler: subjectDeliveries,
  },
  {
    method: 'GET',
    path: '/subjects/{type}/{id}/unreached',
    roles: READ,
    summary: 'affected customers nobody could reach, with why (no contact details), a page (`limit`) at a time (`cursor`)',
    handler: unreachedCustomers,
  },
  { method: 'GET', path: '/customers/{id}', roles: READ, summary: 'what affects a caller and what they were told (no contact details)', handler: caller },
  { method: 'GET', path: '/customers/{id}/impacts', roles: READ, summary: 'the same as /customers/{id}', handler: caller },
  {
    method: 'GET',
    path: '/customers/{id}/deliveries',
    roles: READ,
    summary: 'every notice a caller was sent, with what became of it on each channel (no contact details)',
    handler: customerDeliveries,
  },
  { method: 'GET', path: '/touchpoints', roles: READ, summary: 'every touchpoint: status now, live and upcoming subjects', handler: allTouchpoints },
  { method: 'GET', path: '/touchpoints/{id}', roles: READ, summary: 'one touchpoint: status now, live and upcoming subjects', handler: touchpoint },
  {
    method: 'GET',
    path: '/metrics',
    roles: READ,
    summary: 'customers impacted, customer-minutes, touchpoint-minutes, detection to first notice, MTTR per touchpoint (`from`, `to`)',
    handler: metrics,
  },
  {
    method: 'POST',
    path: '/what-if',
    roles: READ,
    summary: "assess an event or one subject's history against the stored graph; nothing is stored",
    handler: whatIf,
  },
  {
    method: 'POST',
    path: '/assess',
    roles: READ,
    summary:
      'the what-if plus conflicts with other changes on shared touchpoints and a preview of the first notice per kind, locale and channel of the affected customers',
    handler: assess,
  },
  { method: 'GET', path: '/me', roles: READ, summary: 'who you are signed in as, your roles and what they let you do', handler: me },
  {
    method: 'POST',
    path: '/events',
    roles: SCHEDULE,
    summary: 'put a change or incident event on the bus, with you as its actor (checked first: 400 names every problem; 202 once the bus took it)',
    handler: putEvent,
  },
  {
    method: 'POST',
    path: '/intake/{source}',
    roles: [],
    auth: 'intake-signature',
    summary: 'a ServiceNow, Jira, PagerDuty or Alertmanager webhook, mapped to events (401 unsigned, 400 refused, 202 with the events or why it was ignored)',
    handler: intake,
  },
];

/** Who may call a route, in words (README's API table). */
export const whoMayCall = (route: ApiRoute): string => (route.auth === 'intake-signature' ? 'the tool, by its signature' : route.roles.join(', '));

/** `METHOD /path`, as API Gateway writes a route key. */
export const routeKey = (route: Pick<ApiRoute, 'method' | 'path'>): string => `${route.method} ${route.path}`;

/** Names of the `{params}` of a path, in order. */
export const pathParams = (path: string): string[] => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
