import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiHandler } from '../../../functions/handlers/api.ts';
import { submitTo } from '../../../functions/handlers/api/events.ts';
import { API_ROUTES } from '../../../functions/handlers/api/routes.ts';
import { ROLES } from '../../../functions/handlers/api/access.ts';
import { airlineSample } from '../../support/airline.ts';
import { pipeline } from '../../support/pipeline.ts';
import { caller } from './requests.ts';

let p: Awaited<ReturnType<typeof pipeline>>;
let call: ReturnType<typeof caller>;
const NOW = Date.parse('2026-11-28T14:00:00Z');
const change = {
  'detail-type': 'Change Scheduled',
  detail: {
    changeId: 'CHG-A',
    title: 'Access test',
    window: { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' },
    impacts: [{ node: 'payments-db' }],
  },
};
/** A concrete path for a route: path params filled with values that exist or are at least well formed. */
const concrete = (path: string) => path.replace('{type}', 'change').replace('{id}', 'X-1');

beforeAll(async () => {
  p = await pipeline(() => NOW);
  await p.deps.graph.import(await airlineSample(10));
  call = caller(buildApiHandler({ ...p.deps, submit: submitTo(p.deps.pipelineEvents) }));
});
afterAll(() => p.aws.restore());

/** The routes a console user signs in for; intake routes are signed by the tools instead (tests/integration/api/intake.test.ts). */
const SIGNED_IN = API_ROUTES.filter((r) => r.auth !== 'intake-signature');

describe('roles from the route table, enforced by the api function', () => {
  it('support reads but may not put events on the bus: 403 naming the roles that may', async () => {
    expect((await call('GET', '/subjects', { groups: ['support'] })).status).toBe(200);
    expect((await call('POST', '/what-if', { groups: ['support'], body: change })).status).toBe(200);
    const refused = await call('POST', '/events', { groups: ['support'], body: change });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'forbidden', error: expect.stringContaining('needs the role change-manager or admin; your roles: support') });
    expect(p.aws.events).toEqual([]);
  });

  it('change managers and admins may schedule', async () => {
    expect((await call('POST', '/events', { groups: ['change-manager'], body: change })).status).toBe(202);
    expect((await call('POST', '/events', { groups: ['admin'], body: change })).status).toBe(202);
    expect(p.aws.events).toHaveLength(2);
  });

  it('a caller in no known group gets 403 on every route behind sign-in, whatever the group is called', async () => {
    for (const route of SIGNED_IN) {
      const res = await call(route.method, concrete(route.path), { groups: ['Support', 'admins'], ...(route.method === 'POST' ? { body: change } : {}) });
      expect(res.status, `${route.method} ${route.path}`).toBe(403);
      expect(res.body.error).toContain('your roles: none');
    }
  });

  it('every route behind sign-in lets in exactly the roles the table names', async () => {
    for (const route of SIGNED_IN) {
      for (const role of ROLES) {
        const res = await call(route.method, concrete(route.path), { groups: [role], ...(route.method === 'POST' ? { body: change } : {}) });
        expect(res.status === 403, `${role} on ${route.method} ${route.path}: ${res.status}`).toBe(!route.roles.includes(role));
      }
    }
  });

  it('groups arrive as a list too (other integrations); one matching group is enough', async () => {
    const api = buildApiHandler({ ...p.deps, submit: async () => {} });
    const res = await api(
      {
        rawPath: '/subjects',
        headers: {},
        isBase64Encoded: false,
        requestContext: { http: { method: 'GET' }, requestId: 'r', authorizer: { jwt: { claims: { 'cognito:groups': ['guests', 'support'] }, scopes: null } } },
      } as never,
      {} as never,
    );
    expect(res.statusCode).toBe(200);
  });

  it('a request without an authorizer context is refused (401) unless the deployment says it is local', async () => {
    const refused = await call('GET', '/subjects', { groups: null });
    expect(refused).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });
    expect(refused.headers['www-authenticate']).toBe('Bearer');
    const local = caller(buildApiHandler({ ...p.deps, submit: async () => {}, localAdmin: true }));
    expect((await local('GET', '/subjects', { groups: null })).status).toBe(200);
    expect((await local('POST', '/events', { groups: null, body: change })).status).toBe(202);
    // A token's groups still count when localAdmin is set: it only stands in for a missing authorizer.
    expect((await local('POST', '/events', { groups: ['support'], body: change })).status).toBe(403);
  });
});
