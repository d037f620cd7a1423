import type { EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiHandler } from '../../../functions/handlers/api.ts';
import { submitTo } from '../../../functions/handlers/api/events.ts';
import { BODY_LIMIT_BYTES } from '../../../functions/handlers/api/http.ts';
import { airlineSample } from '../../support/airline.ts';
import { context, pipeline } from '../../support/pipeline.ts';
import { caller } from './requests.ts';

let p: Awaited<ReturnType<typeof pipeline>>;
let call: ReturnType<typeof caller>;
const NOW = Date.parse('2026-11-28T14:00:00Z');
const change = (id: string) => ({
  'detail-type': 'Change Scheduled',
  detail: { changeId: id, title: 'Input test', window: { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' }, impacts: [{ node: 'payments-db' }] },
});
const customers = '/subjects/change/CHG-I/customers';

beforeAll(async () => {
  p = await pipeline(() => NOW);
  await p.deps.graph.import(await airlineSample(40));
  call = caller(buildApiHandler({ ...p.deps, submit: submitTo(p.deps.pipelineEvents) }));
  await p.ingest(
    {
      version: '0',
      id: 'e1',
      source: 'acme',
      account: '1',
      time: new Date(NOW).toISOString(),
      region: 'eu-west-1',
      resources: [],
      ...change('CHG-I'),
    } as EventBridgeEvent<string, unknown>,
    context,
  );
  await p.drain();
});
afterAll(() => p.aws.restore());

describe('query and path parameters: 400 naming the parameter, the bad value and the fix', () => {
  it.each([
    [`${customers}?limit=-1`, 'limit', '-1', '"-1" is not a whole number from 1 to 1000; e.g. 100'],
    [`${customers}?limit=10.5`, 'limit', '10.5', '"10.5" is not a whole number'],
    [`${customers}?limit=1001`, 'limit', '1001', '"1001" is not a whole number from 1 to 1000'],
    [`${customers}?cursor=garbage`, 'cursor', 'garbage', '"garbage" is not a cursor this API gave out; pass the `cursor` of the previous page'],
    [`${customers}?effect=none`, 'effect', 'none', '"none" is not one of outage, degraded'],
    ['/incidents?status=bogus', 'status', 'bogus', '"bogus" is not one of open, all, investigating, identified, monitoring, resolved'],
    ['/changes?from=tomorrow', 'from', 'tomorrow', '"tomorrow" is not a time: use ISO 8601'],
    ['/changes?touchpoint=a%20b', 'touchpoint', 'a b', '"a b" is not a touchpoint id: use 1-128 letters, digits'],
    ['/metrics?to=soon', 'to', 'soon', '"soon" is not a time'],
    ['/subjects?limit=5', 'limit', '5', '"limit" is not a parameter of GET /subjects; it takes none'],
    ['/changes?form=2026-12-01T00:00:00Z', 'form', '2026-12-01T00:00:00Z', '"form" is not a parameter of GET /changes; use from, to, touchpoint, team'],
    ['/subjects/problem/CHG-I', 'type', 'problem', '"problem" is not one of change, incident'],
    ['/customers/C%2F1%20x', 'id', 'C/1 x', '"C/1 x" is not a customer id'],
    ['/customers/%E0%A4%A', 'id', '%E0%A4%A', '"%E0%A4%A" is not a valid URL-encoded path segment'],
  ])('GET %s', async (path, field, value, message) => {
    const res = await call('GET', path);
    expect(res.status).toBe(400);
    expect(res.body.problems).toEqual([{ field, value, message: expect.stringContaining(message) }]);
  });

  it('a range that ends before it starts is a 400 on `to`', async () => {
    for (const path of ['/changes', '/metrics']) {
      const res = await call('GET', `${path}?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z`);
      expect(res.body.problems, path).toEqual([{ field: 'to', value: '2026-12-01T00:00:00.000Z', message: 'must be after from (2026-12-02T00:00:00.000Z)' }]);
    }
  });

  it('every bad parameter is named at once', async () => {
    const res = await call('GET', `${customers}?limit=0&effect=bad&cursor=x`);
    expect(res.body.problems.map((p: { field: string }) => p.field).sort()).toEqual(['cursor', 'effect', 'limit']);
  });

  it('an empty parameter is a parameter not given; good ones pass', async () => {
    expect((await call('GET', '/changes?from=&team=')).status).toBe(200);
    expect((await call('GET', `${customers}?limit=1&effect=outage`)).status).toBe(200);
    expect((await call('GET', '/incidents?status=all')).status).toBe(200);
  });
});

describe('request bodies', () => {
  it('POST routes refuse anything but JSON (415): a cross-site form post never reaches them', async () => {
    const before = p.aws.events.length;
    for (const contentType of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain', null]) {
      const res = await call('POST', '/events', { body: JSON.stringify(change('CHG-F')), contentType });
      expect(res.status, String(contentType)).toBe(415);
      expect(res.body.error).toContain('content-type: application/json');
    }
    expect(p.aws.events.length).toBe(before);
    expect((await call('POST', '/what-if', { body: change('CHG-F'), contentType: 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it('a body over 1 MB is 413, one just under it is read', async () => {
    const padded = (size: number) => {
      const base = JSON.stringify(change('CHG-BIG'));
      return `${base.slice(0, -1)},"pad":"${'x'.repeat(size - base.length - 9)}"}`;
    };
    expect(Buffer.byteLength(padded(BODY_LIMIT_BYTES + 1))).toBe(BODY_LIMIT_BYTES + 1);
    const big = await call('POST', '/what-if', { body: padded(BODY_LIMIT_BYTES + 1) });
    expect(big.status).toBe(413);
    expect(big.body.error).toContain(`${BODY_LIMIT_BYTES + 1} bytes; send at most ${BODY_LIMIT_BYTES}`);
    expect((await call('POST', '/what-if', { body: padded(BODY_LIMIT_BYTES) })).status).toBe(200);
    expect((await call('POST', '/what-if', { body: padded(BODY_LIMIT_BYTES + 1), base64: true })).status).toBe(413);
  });

  it('base64-encoded bodies (isBase64Encoded) are decoded on every POST route', async () => {
    const plain = await call('POST', '/what-if', { body: change('CHG-B64') });
    const encoded = await call('POST', '/what-if', { body: change('CHG-B64'), base64: true });
    expect(encoded).toMatchObject({ status: 200, body: plain.body });
    expect((await call('POST', '/events', { body: change('CHG-B64'), base64: true })).status).toBe(202);
    expect(p.aws.events.at(-1)).toEqual({
      source: 'impact.console',
      detailType: 'Change Scheduled',
      detail: { ...change('CHG-B64').detail, actor: { type: 'person', id: 'u-1', source: 'console' } },
    });
  });
});

describe('routes and headers', () => {
  it('unknown paths are 404 listing the routes; a known path with another method is 405 with Allow', async () => {
    const unknown = await call('GET', '/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toContain('GET /subjects/{type}/{id}/customers');
    const wrong = await call('DELETE', '/subjects');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET');
  });

  it('every answer, error or not, says nosniff and no-store', async () => {
    for (const res of [
      await call('GET', '/subjects'),
      await call('GET', '/nope'),
      await call('GET', '/subjects', { groups: null }),
      await call('POST', '/events', { body: 'x', contentType: 'text/plain' }),
    ]) {
      expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', 'content-type': 'application/json' });
    }
  });

  it('an unexpected failure is a 500 naming the route and the request, never the error text', async () => {
    const broken = caller(
      buildApiHandler({
        ...p.deps,
        projections: {
          listSubjects: async () => {
            throw new Error('secret@example.com');
          },
        } as never,
        submit: async () => {},
      }),
    );
    const res = await broken('GET', '/subjects');
    expect(res.status).toBe(500);
    expect(res.body.error).toContain('GET /subjects failed inside the API (request r-1)');
    expect(JSON.stringify(res.body)).not.toContain('secret');
  });
});

describe('POST /events when EventBridge does not take the event', () => {
  it('throttled entries are resent with backoff; accepted once EventBridge took it, and only once', async () => {
    const before = p.aws.events.length;
    p.aws.failNextPutEvents(2, 'ThrottlingException');
    expect((await call('POST', '/events', { body: change('CHG-T') })).status).toBe(202);
    expect(p.aws.events.slice(before).map((e) => e.detail.changeId)).toEqual(['CHG-T']);
  });

  it('still throttled after the retries: 503 with the reason and Retry-After, nothing on the bus', async () => {
    const before = p.aws.events.length;
    p.aws.failNextPutEvents(50, 'ThrottlingException');
    const res = await call('POST', '/events', { body: change('CHG-U') });
    p.aws.failNextPutEvents(0, '');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toMatchObject({ code: 'bus-unavailable', error: expect.stringContaining('ThrottlingException') });
    expect(p.aws.events.length).toBe(before);
  });

  it('refused for a reason a retry cannot fix: 502 at once with the reason', async () => {
    const before = p.aws.events.length;
    p.aws.failNextPutEvents(1, 'NotAuthorizedForSourceException');
    const res = await call('POST', '/events', { body: change('CHG-R') });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'bus-refused', error: expect.stringContaining('NotAuthorizedForSourceException') });
    // Not resent: the next event goes through on its first attempt.
    expect((await call('POST', '/events', { body: change('CHG-S') })).status).toBe(202);
    expect(p.aws.events.slice(before).map((e) => e.detail.changeId)).toEqual(['CHG-S']);
  });
});
