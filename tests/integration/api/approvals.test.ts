/**
 * The change manager's tools in the API, through the real handlers against DynamoDB Local: drafts
 * listed and previewed, approval by role with the caller as actor, the caller lookup's restore time.
 * Who must be told is worked out by the pure what-if from the graph and the events, never read back
 * from the pipeline.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadTemplates } from '../../../functions/adapters/template-files.ts';
import { CONSOLE_SOURCE, parseEvent } from '../../../functions/domain/events/index.ts';
import { assess } from '../../../functions/domain/impact/assess.ts';
import type { Graph } from '../../../functions/domain/model.ts';
import { renderNoticeWith } from '../../../functions/domain/notices/index.ts';
import { foldSubject } from '../../../functions/domain/subject.ts';
import { buildApiHandler } from '../../../functions/handlers/api.ts';
import { submitTo } from '../../../functions/handlers/api/events.ts';
import { airlineSample } from '../../support/airline.ts';
import { context, noticesOf, pipeline } from '../../support/pipeline.ts';
import { caller } from './requests.ts';
import { busEvent } from '../../support/events.ts';

const NOW = Date.parse('2026-11-28T14:00:00Z');
const jane = { sub: 'jane-sub-1', email: 'jane.doe@example.com' };
const envelope = (detailType: string, detail: Record<string, unknown>, id: string) => busEvent(detailType, detail, { id, source: 'acme.changes', at: NOW });
const draft = envelope(
  'Change Scheduled',
  {
    changeId: 'CHG-D',
    eventId: 'chg-d-1',
    title: 'Payments maintenance',
    window: { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' },
    impacts: [{ node: 'payments-db' }],
    notify: 'draft',
    actor: { type: 'person', id: 'drafter', source: 'console' },
  },
  'e-d1',
);

let graph: Graph;
let p: Awaited<ReturnType<typeof pipeline>>;
let call: ReturnType<typeof caller>;
const lines: string[] = [];

/** Everyone the events hit who can be reached, by the pure what-if. */
const reachable = (...events: EventBridgeEvent<string, unknown>[]) =>
  assess(graph, foldSubject(events.map((e) => parseEvent(e))))
    .customers.filter((c) => c.notify.length > 0)
    .map((c) => c.id)
    .sort();

beforeAll(async () => {
  for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const)
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
  graph = await airlineSample(150);
  p = await pipeline(() => NOW);
  await p.deps.graph.import(graph);
  call = caller(buildApiHandler({ ...p.deps, submit: submitTo(p.deps.pipelineEvents) }));
  await p.ingest(draft, context);
  expect(await p.drain()).toBe(0);
});
afterAll(() => {
  vi.restoreAllMocks();
  p.aws.restore();
});

describe('drafts: listed, previewed, approved by those who may', () => {
  it('given a draft, then support sees it in GET /drafts with the held counts and who drafted it', async () => {
    const expected = reachable(draft);
    expect(expected.length).toBeGreaterThan(10);
    expect(noticesOf(p.aws)).toEqual([]);
    const res = await call('GET', '/drafts', { groups: ['support'] });
    expect(res.status).toBe(200);
    expect(res.body.drafts).toEqual([
      expect.objectContaining({
        subjectKey: 'change#CHG-D',
        type: 'change',
        id: 'CHG-D',
        title: 'Payments maintenance',
        status: 'scheduled',
        draftedBy: { type: 'person', id: 'drafter', source: 'console' },
      }),
    ]);
    const [listed] = res.body.drafts;
    expect(listed.customers - listed.unreachable).toBe(expected.length);
    expect(listed.byKind).toEqual({ 'change-notice': listed.customers });
    // The list is counts: the preview groups are the subject view's.
    expect(listed.groups).toBeUndefined();
  });

  it('given a draft, then its subject view holds the counts and every text customers would get, rendered with the templates', async () => {
    const { body, status } = await call('GET', '/subjects/change/CHG-D', { groups: ['support'] });
    expect(status).toBe(200);
    expect(body.held).toMatchObject({ byKind: { 'change-notice': expect.any(Number) } });
    const previews = body.held.previews as {
      kind: string;
      requestedLocale: string;
      locale: string;
      channel: string;
      effect: 'outage' | 'degraded';
      count: number;
      sampleCustomerId: string;
      subject?: string;
      text?: string;
      segments?: number;
      title?: string;
      body?: string;
    }[];
    expect(previews.reduce((n, g) => n + g.count, 0)).toBe(reachable(draft).length);
    expect(new Set(previews.map((g) => g.channel))).toEqual(new Set(['email', 'sms', 'push']));
    // Each text is what the templates render for its sample customer, the context taken from the graph by the pure what-if.
    const shipped = loadTemplates();
    const hit = new Map(assess(graph, foldSubject([parseEvent(draft)])).customers.map((c) => [c.id, c]));
    for (const g of previews) {
      const customer = graph.customers.get(g.sampleCustomerId)!;
      expect(customer.locale).toBe(g.requestedLocale);
      const rendered = renderNoticeWith(shipped, g.kind as 'change-notice', customer.locale, {
        subjectTitle: 'Payments maintenance',
        touchpoints: hit.get(customer.id)!.touchpoints.map((t) => graph.touchpoints.get(t)?.name ?? t),
        effect: g.effect,
        start: Date.parse('2026-12-05T02:00:00Z'),
        end: Date.parse('2026-12-05T04:00:00Z'),
        timeZone: customer.timeZone,
      });
      if (g.channel === 'email') expect([g.subject, g.text]).toEqual([rendered.email.subject, rendered.email.text]);
      if (g.channel === 'push') expect([g.title, g.body]).toEqual([rendered.push.title, rendered.push.body]);
      if (g.channel === 'sms') expect([g.text, g.segments]).toEqual([rendered.sms.text, rendered.sms.segments]);
    }
    const dutch = previews.find((g) => g.requestedLocale === 'nl-NL' && g.channel === 'email');
    expect(dutch).toMatchObject({ locale: 'nl', subject: 'Gepland onderhoud: Payments maintenance' });
    expect(body.history).toEqual([
      expect.objectContaining({
        version: 1,
        detailType: 'Change Scheduled',
        source: 'acme.changes',
        notify: 'draft',
        actor: { type: 'person', id: 'drafter', source: 'console' },
      }),
    ]);
  });

  it('given a draft held before held plans kept their preview groups, then its view shows the counts and says why there are no texts', async () => {
    const kept = (await p.deps.projections.getHeld('change#CHG-D'))!;
    const { groups: _groups, previewsTruncated: _truncated, ...before } = kept;
    await p.deps.projections.putHeld(before);
    try {
      const { body, status } = await call('GET', '/subjects/change/CHG-D', { groups: ['support'] });
      expect(status).toBe(200);
      expect(body.held).toMatchObject({ byKind: before.byKind, customers: before.customers, unreachable: before.unreachable, previews: [] });
      expect(body.held.previewProblem).toMatch(/held before held plans kept their preview groups.*next assessment.*POST \/assess/);
    } finally {
      await p.deps.projections.putHeld(kept);
    }
  });

  it('bad approvals are refused with the field, and nothing goes on the bus', async () => {
    const before = p.aws.events.length;
    expect((await call('POST', '/subjects/change/CHG-D/approve', { groups: ['support'], body: {} })).status).toBe(403);
    const notText = await call('POST', '/subjects/change/CHG-D/approve', { groups: ['change-manager'], body: { note: 5 } });
    expect(notText).toMatchObject({ status: 400, body: { problems: [{ field: 'note', message: expect.stringContaining('give the note as a string') }] } });
    const unknown = await call('POST', '/subjects/change/CHG-D/approve', { groups: ['change-manager'], body: { approvedBy: 'me' } });
    expect(unknown).toMatchObject({
      status: 400,
      body: { problems: [{ field: 'approvedBy', message: expect.stringContaining('not a field of an approval') }] },
    });
    const long = await call('POST', '/subjects/change/CHG-D/approve', { groups: ['change-manager'], body: { note: 'x'.repeat(5000) } });
    expect(long).toMatchObject({ status: 400, body: { problems: [expect.objectContaining({ field: 'note' })] } });
    expect((await call('POST', '/subjects/change/CHG-D/approve', { groups: ['change-manager'], contentType: null })).status).toBe(415);
    expect((await call('POST', '/subjects/change/NOPE/approve', { groups: ['change-manager'], body: {} })).status).toBe(404);
    expect(p.aws.events.length).toBe(before);
  });

  it('GET /me tells the console what the caller may do', async () => {
    expect((await call('GET', '/me', { groups: ['support'], claims: jane })).body).toEqual({
      id: jane.sub,
      roles: ['support'],
      may: { read: true, schedule: false, approve: false },
    });
    expect((await call('GET', '/me', { groups: ['change-manager'], claims: jane })).body.may).toEqual({ read: true, schedule: true, approve: true });
  });

  it('when a change manager approves, then Notices Approved names them; once it is processed, exactly those it hits are told and nothing is held', async () => {
    const before = p.aws.events.length;
    // An empty body (with the JSON content type) is an approval without a note.
    const res = await call('POST', '/subjects/change/CHG-D/approve', { groups: ['change-manager'], claims: jane, body: '' });
    expect(res).toMatchObject({ status: 202, body: { accepted: true, subjectKey: 'change#CHG-D', held: { byKind: { 'change-notice': expect.any(Number) } } } });
    const put = p.aws.events.slice(before);
    expect(put).toEqual([
      {
        source: CONSOLE_SOURCE,
        detailType: 'Notices Approved',
        detail: { changeId: 'CHG-D', actor: { type: 'person', id: jane.sub, email: jane.email, source: 'console' } },
      },
    ]);

    // The bus delivers it to ingest, as the rule does.
    await p.ingest(envelope('Notices Approved', put[0].detail, 'e-d2'), context);
    expect(await p.drain()).toBe(0);
    expect(
      noticesOf(p.aws)
        .map((n) => n.customerId)
        .sort(),
    ).toEqual(reachable(draft));
    const after = (await call('GET', '/subjects/change/CHG-D')).body;
    expect(after.held).toBeUndefined();
    expect(after.noticesByKind).toEqual({ 'change-notice': reachable(draft).length });
    expect(after.history.map((h: { detailType: string; actor?: { id?: string } }) => [h.detailType, h.actor?.id])).toEqual([
      ['Change Scheduled', 'drafter'],
      ['Notices Approved', jane.sub],
    ]);
    expect((await call('GET', '/drafts')).body.drafts).toEqual([]);
    const again = await call('POST', '/subjects/change/CHG-D/approve', { groups: ['admin'], body: { note: 'again' } });
    expect(again).toMatchObject({ status: 409, body: { code: 'conflict', error: expect.stringContaining('has no notices waiting for approval') } });
  });

  it("no log line holds the approver's e-mail (the approval was logged, by its actor type)", () => {
    const log = lines.join('\n');
    expect(log).toMatch(/"actorType":\s*"person"/);
    expect(log).not.toContain(jane.email);
  });
});

describe('the expected restore time reaches support', () => {
  it('given an incident with an expected restore time, then the incident list and the caller lookup show it', async () => {
    const opened = envelope(
      'Incident Opened',
      {
        incidentId: 'INC-R',
        eventId: 'inc-r-1',
        title: 'Kiosks down',
        severity: 'sev2',
        startedAt: '2026-11-28T13:30:00Z',
        expectedResolutionAt: '2026-11-28T18:00:00Z',
        impacts: [{ node: 'net-ams' }],
      },
      'e-r1',
    );
    await p.ingest(opened, context);
    expect(await p.drain()).toBe(0);
    const restore = Date.parse('2026-11-28T18:00:00Z');
    expect((await call('GET', '/incidents')).body.subjects).toEqual([expect.objectContaining({ subjectKey: 'incident#INC-R', expectedResolutionAt: restore })]);
    const hit = assess(graph, foldSubject([parseEvent(opened)])).customers[0].id;
    const lookup = (await call('GET', `/customers/${hit}`, { groups: ['support'] })).body;
    const bySubject = new Map(lookup.impacts.map((i: { subjectKey: string; expectedResolutionAt?: number }) => [i.subjectKey, i.expectedResolutionAt]));
    expect(bySubject.get('incident#INC-R')).toBe(restore);
    // A subject without a restore time says nothing of one.
    for (const [key, at] of bySubject) if (key !== 'incident#INC-R') expect(at).toBeUndefined();
    expect((await call('GET', '/subjects/incident/INC-R')).body.state.expectedResolutionAt).toBe(restore);
  });
});
