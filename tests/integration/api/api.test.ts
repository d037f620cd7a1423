import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBridgeEvent } from 'aws-lambda';
import { buildApiHandler } from '../../../functions/handlers/api.ts';
import { submitTo } from '../../../functions/handlers/api/events.ts';
import { airlineSample } from '../../support/airline.ts';
import { context, pipeline } from '../../support/pipeline.ts';
import { caller } from './requests.ts';

const NOW = Date.parse('2026-11-28T14:00:00Z');
let p: Awaited<ReturnType<typeof pipeline>>;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  p = await pipeline(() => NOW);
  await p.deps.graph.import(await airlineSample(150));
  call = caller(buildApiHandler({ ...p.deps, submit: submitTo(p.deps.pipelineEvents) }));
  const ev = {
    version: '0',
    id: 'e1',
    'detail-type': 'Change Scheduled',
    source: 'acme',
    account: '1',
    time: new Date(NOW).toISOString(),
    region: 'eu-west-1',
    resources: [],
    detail: {
      changeId: 'CHG-5',
      title: 'Payments maintenance',
      window: { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' },
      impacts: [{ node: 'payments-db' }],
    },
  };
  await p.ingest(ev as EventBridgeEvent<string, unknown>, context);
  await p.drain();
});
afterAll(() => p.aws.restore());

describe('support API', () => {
  it('lists subjects and shows one with its touchpoints and paths', async () => {
    const list = await call('GET', '/subjects');
    expect(list.status).toBe(200);
    expect(list.body.subjects).toEqual([expect.objectContaining({ subjectKey: 'change#CHG-5', status: 'scheduled', title: 'Payments maintenance' })]);
    const one = await call('GET', '/api/subjects/change/CHG-5');
    expect(one.status).toBe(200);
    expect(one.body.touchpoints.map((t: { id: string }) => t.id)).toEqual(['app-booking', 'web-booking', 'web-my-trips']);
    expect((await call('GET', '/subjects/change/NOPE')).status).toBe(404);
  });

  it('looks a caller up: what affects this customer now', async () => {
    const subject = await call('GET', '/subjects/change/CHG-5');
    expect(subject.body.summary.customers).toBeGreaterThan(0);
    const affected = (await p.deps.projections.customersOfSubject('change#CHG-5'))[0].customerId;
    const res = await call('GET', `/customers/${affected}`);
    expect(res.body.impacts).toEqual([expect.objectContaining({ subjectKey: 'change#CHG-5', effect: expect.any(String) })]);
    expect((await call('GET', '/customers/C-NOBODY')).body.impacts).toEqual([]);
  });

  it('what-if assesses against the stored graph without storing anything; bad input is a 400 naming the field', async () => {
    const res = await call('POST', '/what-if', {
      body: {
        'detail-type': 'Change Scheduled',
        detail: { changeId: 'CHG-W', title: 'what if', window: { start: '2026-12-12T04:00:00Z', end: '2026-12-12T07:00:00Z' }, impacts: [{ node: 'net-ams' }] },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.touchpoints.length).toBeGreaterThan(0);
    expect(res.body.touchpoints.every((t: { path: string[] }) => t.path[0] === 'net-ams')).toBe(true);
    expect(await p.deps.projections.getSubject('change#CHG-W')).toBeUndefined();
    const bad = await call('POST', '/what-if', {
      body: {
        'detail-type': 'Change Scheduled',
        detail: { changeId: 'CHG-W', title: 'x', window: { start: '2026-12-12T04:00:00Z', end: '2026-12-12T03:00:00Z' }, impacts: [] },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([{ field: 'detail.window.end', message: expect.stringContaining('must be after window.start') }]);
    expect((await call('POST', '/what-if', { body: '{nope' })).status).toBe(400);
  });
});

describe('support API: the routes first-line support and change managers use', () => {
  it('changes in a window, open incidents, a subject with history and notices by kind', async () => {
    const changes = await call('GET', '/changes?from=2026-12-05T00:00:00Z&to=2026-12-06T00:00:00Z');
    expect(changes.body.subjects.map((s: { subjectKey: string }) => s.subjectKey)).toEqual(['change#CHG-5']);
    expect((await call('GET', '/changes?from=2027-01-01T00:00:00Z')).body.subjects).toEqual([]);
    expect((await call('GET', '/changes?to=2026-12-05T02:00:00Z')).body.subjects).toEqual([]);
    expect((await call('GET', '/changes?team=nobody')).body.subjects).toEqual([]);
    expect((await call('GET', '/changes?touchpoint=web-booking')).body.subjects).toHaveLength(1);
    expect((await call('GET', '/changes?touchpoint=kiosk-ams')).body.subjects).toEqual([]);
    expect((await call('GET', '/incidents')).body.subjects).toEqual([]);
    const subject = await call('GET', '/subjects/change/CHG-5');
    expect(subject.body.history).toEqual([expect.objectContaining({ version: 1, detailType: 'Change Scheduled' })]);
    expect(subject.body.noticesByKind['change-notice']).toBeGreaterThan(0);
  });

  it('affected customers page by page with a stable cursor, filtered by effect', async () => {
    const all = (await call('GET', '/subjects/change/CHG-5/customers?limit=1000')).body;
    expect(all.cursor).toBeUndefined();
    expect(all.customers).toHaveLength(all.total);
    const first = (await call('GET', '/subjects/change/CHG-5/customers?limit=40')).body;
    const second = (await call('GET', `/subjects/change/CHG-5/customers?limit=40&cursor=${first.cursor}`)).body;
    expect(first.customers).toHaveLength(40);
    expect([...first.customers, ...second.customers].map((c: { customerId: string }) => c.customerId)).toEqual(
      all.customers.slice(0, 80).map((c: { customerId: string }) => c.customerId),
    );
    const exact = (await call('GET', `/subjects/change/CHG-5/customers?limit=${all.total}`)).body;
    expect(exact.cursor).toBeUndefined();
    const degraded = (await call('GET', '/subjects/change/CHG-5/customers?effect=degraded&limit=1000')).body.customers;
    expect(degraded.every((c: { effect: string }) => c.effect === 'degraded')).toBe(true);
  });

  it('a customer with what they were told, touchpoints with upcoming changes, /assess with conflicts and drafts', async () => {
    const id = (await p.deps.projections.customersOfSubject('change#CHG-5')).find((c) => c.notify.length > 0)!.customerId;
    const customer = (await call('GET', `/customers/${id}/impacts`)).body;
    expect(customer.impacts[0].told).toEqual([expect.objectContaining({ kind: 'change-notice', status: 'sent' })]);
    expect(JSON.stringify(customer)).not.toMatch(/@example\.com|\+\d{6,}/);
    const web = (await call('GET', '/touchpoints/web-booking')).body;
    expect(web).toMatchObject({ id: 'web-booking', status: 'ok', upcoming: [expect.objectContaining({ subjectKey: 'change#CHG-5' })] });
    expect((await call('GET', '/touchpoints')).body.touchpoints.find((t: { id: string }) => t.id === 'web-booking')).toEqual(web);
    expect((await call('GET', '/touchpoints/nope')).status).toBe(404);
    const assess = await call('POST', '/assess', {
      body: {
        'detail-type': 'Change Scheduled',
        detail: {
          changeId: 'CHG-9',
          title: 'PSP upgrade',
          window: { start: '2026-12-05T03:00:00Z', end: '2026-12-05T05:00:00Z' },
          impacts: [{ node: 'psp-gateway' }],
        },
      },
    });
    expect(assess.body.conflicts).toEqual([
      expect.objectContaining({ subjectKey: 'change#CHG-5', sharedTouchpoints: expect.arrayContaining(['web-booking']) }),
    ]);
    // Previews: the first notice per kind, locale, channel and effect of the customers it hits, covering every reachable one.
    const reachable = assess.body.customers.filter((c: { notify: string[] }) => c.notify.length > 0);
    const previews = assess.body.previews as {
      kind: string;
      requestedLocale: string;
      locale: string;
      channel: string;
      count: number;
      subject?: string;
      text: string;
      segments?: number;
    }[];
    expect(reachable.length).toBeGreaterThan(0);
    expect(previews.reduce((n, p) => n + p.count, 0)).toBe(reachable.length);
    expect(new Set(previews.map((p) => p.kind))).toEqual(new Set(['change-notice']));
    const dutchMail = previews.find((p) => p.requestedLocale === 'nl-NL' && p.channel === 'email');
    expect(dutchMail).toMatchObject({ locale: 'nl', subject: 'Gepland onderhoud: PSP upgrade' });
    const sms = previews.find((p) => p.channel === 'sms');
    expect(sms?.segments).toBeGreaterThanOrEqual(1);
    const later = await call('POST', '/assess', {
      body: {
        'detail-type': 'Change Scheduled',
        detail: {
          changeId: 'CHG-9',
          title: 'PSP upgrade',
          window: { start: '2026-12-05T04:00:00Z', end: '2026-12-05T05:00:00Z' },
          impacts: [{ node: 'psp-gateway' }],
        },
      },
    });
    expect(later.body.conflicts).toEqual([]);
  });

  it('during the change window the touchpoints it hits are in outage', async () => {
    const during = caller(buildApiHandler({ ...p.deps, now: () => Date.parse('2026-12-05T03:00:00Z'), submit: async () => {} }));
    const web = (await during('GET', '/touchpoints/web-booking')).body;
    expect(web).toMatchObject({ status: 'outage', now: [expect.objectContaining({ subjectKey: 'change#CHG-5' })], upcoming: [] });
    const after = caller(buildApiHandler({ ...p.deps, now: () => Date.parse('2026-12-05T04:00:00Z'), submit: async () => {} }));
    expect((await after('GET', '/touchpoints/web-booking')).body).toMatchObject({ status: 'ok', now: [], upcoming: [] });
  });

  it('POST /events puts the event on the bus as impact.console with the signed-in caller as its actor, and answers 202', async () => {
    const before = p.aws.events.length;
    const detail = {
      changeId: 'CHG-11',
      title: 'Kiosk firmware',
      window: { start: '2026-12-10T01:00:00Z', end: '2026-12-10T02:00:00Z' },
      impacts: [{ node: 'net-ams' }],
    };
    // The body's own actor is not believed: only the token says who someone is.
    const forged = { ...detail, actor: { type: 'person', id: 'the-boss', email: 'boss@example.com' } };
    const res = await call('POST', '/events', {
      body: { 'detail-type': 'Change Scheduled', detail: forged },
      groups: ['change-manager'],
      claims: { sub: 'a1b2-c3', email: 'jane.doe@example.com' },
    });
    expect(res).toMatchObject({ status: 202, body: { accepted: true } });
    expect(p.aws.events.slice(before)).toEqual([
      {
        source: 'impact.console',
        detailType: 'Change Scheduled',
        detail: { ...detail, actor: { type: 'person', id: 'a1b2-c3', email: 'jane.doe@example.com', source: 'console' } },
      },
    ]);
  });
});

describe('metrics', () => {
  it('folds customer-minutes from the event store and the projections; bad ranges are 400', async () => {
    const res = await call('GET', '/metrics?from=2026-12-01T00:00:00Z&to=2026-12-31T00:00:00Z');
    expect(res.status).toBe(200);
    const customers = (await call('GET', '/subjects/change/CHG-5')).body.summary.customers;
    // CHG-5 is a two-hour window, but metrics count only what has happened by "now" (2026-11-28).
    expect(res.body).toMatchObject({ subjects: 0, customerMinutes: 0 });
    const later = caller(buildApiHandler({ ...p.deps, now: () => Date.parse('2026-12-06T00:00:00Z'), submit: async () => {} }));
    const out = await later('GET', '/metrics?from=2026-12-01T00:00:00Z&to=2026-12-31T00:00:00Z');
    expect(out.body).toMatchObject({ subjects: 1, customersImpacted: customers, customerMinutes: customers * 120, touchpointMinutes: 3 * 120 });
    expect((await call('GET', '/metrics?from=nope')).status).toBe(400);
    expect((await call('GET', '/metrics?from=2026-12-31T00:00:00Z&to=2026-12-01T00:00:00Z')).body.problems).toEqual([expect.objectContaining({ field: 'to' })]);
  });
});
