import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiHandler } from '../../../functions/handlers/api.ts';
import { API_ROUTES } from '../../../functions/handlers/api/routes.ts';
import { graphOf } from '../../support/graphs.ts';
import { pipeline } from '../../support/pipeline.ts';
import { caller } from './requests.ts';

let p: Awaited<ReturnType<typeof pipeline>>;
let call: ReturnType<typeof caller>;
const submitted: unknown[] = [];

beforeAll(async () => {
  p = await pipeline(() => Date.parse('2026-11-28T14:00:00Z'));
  await p.deps.graph.import(
    graphOf({
      components: [{ id: 'db' }],
      touchpoints: [{ id: 'web', channel: 'web', dependsOn: ['db'] }],
      customers: [{ id: 'C-1', contacts: { email: 'c1@example.com' }, uses: ['web'] }],
    }),
  );
  call = caller(buildApiHandler({ ...p.deps, submit: async (e) => void submitted.push(e) }));
});
afterAll(() => p.aws.restore());

const segment = fc.oneof(fc.constantFrom('change', 'incident', 'CHG-1', 'C-1', 'web', '%', '%E0%A4%A', '..', ''), fc.string({ maxLength: 12 }));
const path = fc.oneof(
  fc.constantFrom(...API_ROUTES.map((r) => r.path)).chain((template) =>
    fc
      .tuple(
        ...template
          .split('/')
          .slice(1)
          .map((s) => (s.startsWith('{') ? segment : fc.constant(s))),
      )
      .map((parts) => `/${parts.join('/')}`),
  ),
  fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
);
const query = fc.dictionary(
  fc.constantFrom('from', 'to', 'limit', 'cursor', 'effect', 'segment', 'status', 'team', 'touchpoint', 'x'),
  fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.integer().map(String),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  ),
  { maxKeys: 4 },
);
const body = fc.oneof(
  fc.jsonValue(),
  fc.string({ maxLength: 50 }),
  fc.record({ 'detail-type': fc.constantFrom('Change Scheduled', 'Incident Opened', 'Nope'), detail: fc.jsonValue() }),
);

describe('the API under any input', () => {
  it('answers every request with a status it documents: never a 500, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        path,
        query,
        body,
        fc.constantFrom('application/json', 'text/plain', null),
        fc.boolean(),
        fc.constantFrom<string[] | null>(['admin'], ['support'], [], null),
        async (method, rawPath, params, payload, contentType, base64, groups) => {
          const search = new URLSearchParams(params).toString();
          const res = await call(method, `${rawPath}${search ? `?${search}` : ''}`, {
            ...(method === 'POST' ? { body: payload, contentType, base64 } : {}),
            groups,
          });
          expect(
            [200, 202, 400, 401, 403, 404, 405, 413, 415],
            `${method} ${rawPath}?${search} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
          ).toContain(res.status);
          if (res.status >= 400) expect(typeof res.body.error).toBe('string');
        },
      ),
      { numRuns: 300 },
    );
  });
});
