/**
 * No console call reads more items than it returns, plus a constant (issue 12, section 3): every item
 * DynamoDB hands the API is counted by a middleware on the client, per call, and compared with what the
 * call returned. The subject affects many more customers than any constant allowed, so a route that
 * reads a subject's customers or its ledger fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBridgeEvent } from 'aws-lambda';
import { VIEW_SHARDS } from '../../../functions/adapters/dynamodb/layout.ts';
import type { SubjectProjection } from '../../../functions/adapters/projections.ts';
import { initialSubject } from '../../../functions/domain/subject.ts';
import { buildApiHandler } from '../../../functions/handlers/api.ts';
import { airlineSample } from '../../support/airline.ts';
import { context, pipeline } from '../../support/pipeline.ts';
import { caller } from './requests.ts';

const NOW = Date.parse('2026-11-28T14:00:00Z');
/** Items a call may read beyond what it returns: a subject's counters, its held plan, a page's look-ahead. */
const CONSTANT = 40;

let p: Awaited<ReturnType<typeof pipeline>>;
let call: ReturnType<typeof caller>;
let read = 0;
/** Of those, the items of the impacts table (projections, indexes, the ledger): what a history makes grow. */
let readOfImpacts = 0;

/** Calls the API (at `call`'s clock unless given) and says how many items DynamoDB handed over while it answered. */
const counted = async (path: string, via = () => call) => {
  read = 0;
  const res = await via()('GET', path);
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return { body: res.body, read };
};

/** Puts one event on the pipeline and runs it through. */
const send = async (id: string, detailType: string, detail: Record<string, unknown>) => {
  const ev = {
    version: '0',
    id,
    'detail-type': detailType,
    source: 'acme',
    account: '1',
    time: new Date(NOW).toISOString(),
    region: 'eu-west-1',
    resources: [],
    detail,
  };
  await p.ingest(ev as EventBridgeEvent<string, unknown>, context);
  await p.drain();
};

beforeAll(async () => {
  p = await pipeline(() => NOW);
  await p.deps.graph.import(await airlineSample(400));
  await send('e1', 'Incident Opened', {
    incidentId: 'INC-READS',
    title: 'Payments down',
    severity: 'sev1',
    start: '2026-11-28T13:50:00Z',
    impacts: [{ node: 'payments-db' }],
  });
  // Counted from here: every page of Items, every Item, every BatchGet response.
  p.client.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const o = (out.output ?? {}) as { Items?: unknown[]; Item?: unknown; Responses?: Record<string, unknown[]> };
      const items = (o.Items?.length ?? 0) + (o.Item ? 1 : 0);
      read += items + Object.values(o.Responses ?? {}).reduce((n, r) => n + r.length, 0);
      if ((args.input as { TableName?: string }).TableName === p.tables.impacts) readOfImpacts += items;
      readOfImpacts += o.Responses?.[p.tables.impacts]?.length ?? 0;
      return out;
    },
    { step: 'initialize', name: 'countItemsRead' },
  );
  call = caller(buildApiHandler({ ...p.deps, submit: async () => {} }));
});
afterAll(() => p.aws.restore());

describe('each console call reads at most what it returns plus a constant', () => {
  it('the incident affects far more customers than the constant, and they were told', async () => {
    const { body } = await counted('/subjects/incident/INC-READS');
    expect(body.summary.customers).toBeGreaterThan(5 * CONSTANT);
    expect(body.noticesByKind['incident-notice']).toBeGreaterThan(5 * CONSTANT);
  });

  it('GET /subjects/{type}/{id}: the subject, its history and its notice counters, not its ledger', async () => {
    const { body, read } = await counted('/subjects/incident/INC-READS');
    expect(read).toBeLessThanOrEqual(1 + body.history.length + CONSTANT);
  });

  it('GET /subjects/{type}/{id}/customers: a page, filtered or not, reads the page and a bounded look-ahead per partition merged', async () => {
    const { byEffectSegment, summary } = (await counted('/subjects/incident/INC-READS')).body as {
      byEffectSegment: Record<string, number>;
      summary: { customers: number };
    };
    for (const [query, effect] of [
      ['limit=10', ''],
      ['limit=25&effect=outage', 'outage'],
      ['limit=5&effect=degraded', 'degraded'],
    ]) {
      // The (effect, segment) pairs with customers, each spread over VIEW_SHARDS partitions: fixed by the estate, not the subject's size.
      const partitions = Object.keys(byEffectSegment).filter((k) => !effect || k.startsWith(`${effect}|`)).length * VIEW_SHARDS;
      const allowed = (page: number) => page + 2 * partitions + CONSTANT;
      expect(allowed(10), 'the subject is much larger than a page and its allowance').toBeLessThan(summary.customers / 2);
      const first = await counted(`/subjects/incident/INC-READS/customers?${query}`);
      expect(first.read, query).toBeLessThanOrEqual(allowed(first.body.customers.length));
      if (!first.body.cursor) continue;
      const next = await counted(`/subjects/incident/INC-READS/customers?${query}&cursor=${first.body.cursor}`);
      expect(next.read, `${query}, next page`).toBeLessThanOrEqual(allowed(next.body.customers.length));
      expect(next.body.customers[0].customerId > first.body.customers.at(-1).customerId).toBe(true);
    }
  });

  it("GET /metrics: the subjects' events and counters, not their ledgers", async () => {
    // An hour after the incident opened (metrics count what has happened by "now").
    const later = caller(buildApiHandler({ ...p.deps, now: () => NOW + 3_600_000, submit: async () => {} }));
    const { body, read } = await counted('/metrics?from=2026-11-01T00:00:00Z&to=2026-11-30T00:00:00Z', () => later);
    expect(body.subjects).toBe(1);
    expect(body.detectionToFirstNoticeMinutes.count).toBe(1);
    expect(read).toBeLessThanOrEqual(body.subjects + CONSTANT);
  });

  it('GET /changes and /incidents: one item per subject listed', async () => {
    for (const path of ['/incidents', '/changes']) {
      const { body, read } = await counted(path);
      expect(read, path).toBeLessThanOrEqual(body.subjects.length + CONSTANT);
    }
  });

  it("GET /customers/{id}: the customer's impacts with what they were told", async () => {
    const { customers } = (await counted('/subjects/incident/INC-READS/customers?limit=1')).body;
    const { body, read } = await counted(`/customers/${customers[0].customerId}`);
    expect(body.impacts).toHaveLength(1);
    expect(read).toBeLessThanOrEqual(body.impacts.length + body.impacts[0].told.length + CONSTANT);
  });
});

describe('GET /changes reads the changes of its range, not the whole history', () => {
  const DAY = 86_400_000;
  const PAST_CHANGES = 150;
  const INCIDENTS = 60;
  const keys = (body: { subjects: { subjectKey: string }[] }) => body.subjects.map((s) => s.subjectKey);
  /** A projection as the pipeline stores it, written through the same writer (history the range must skip). */
  const projection = (type: 'change' | 'incident', id: string, start: number, end: number | undefined): SubjectProjection => ({
    subjectKey: `${type}#${id}`,
    eventVersion: 1,
    state: {
      ...initialSubject(type, id),
      opened: true,
      status: type === 'change' ? 'completed' : end === undefined ? 'investigating' : 'resolved',
      title: id,
      team: 'payments',
      window: { start, ...(end !== undefined ? { end } : {}) },
    },
    summary: { touchpoints: 1, customers: 3, byEffect: {}, byChannel: {}, bySegment: {}, unreachable: 0 },
    touchpoints: [{ id: 'web-booking', channel: 'web', effect: 'outage', path: ['payments-api', 'web-booking'] }],
    touchpointTeams: { 'web-booking': 'digital' },
    unknownNodes: [],
    graphVersion: 1,
    updatedAt: NOW,
  });

  beforeAll(async () => {
    // History: changes every few days from 2025 on (some longer than a day), and incidents, a few still open.
    const past = Date.parse('2025-01-01T02:00:00Z');
    for (let i = 0; i < PAST_CHANGES; i++) {
      const start = past + i * 4 * DAY;
      await p.deps.projections.putSubject(projection('change', `CHG-OLD-${i}`, start, start + (i % 10 === 0 ? 3 * DAY : 2 * 3_600_000)));
    }
    for (let i = 0; i < INCIDENTS; i++) {
      const start = past + i * 9 * DAY;
      await p.deps.projections.putSubject(projection('incident', `INC-OLD-${i}`, start, i % 20 === 0 ? undefined : start + 3_600_000));
    }
    // The changes of the week asked for, through the pipeline: one of more than a day that started before it.
    await send('c1', 'Change Scheduled', {
      changeId: 'CHG-LONG',
      title: 'Loyalty migration',
      team: 'loyalty',
      window: { start: '2026-11-25T00:00:00Z', end: '2026-12-03T00:00:00Z' },
      impacts: [{ node: 'lounge-access' }],
    });
    await send('c2', 'Change Scheduled', {
      changeId: 'CHG-PAY',
      title: 'Payments maintenance',
      team: 'payments',
      window: { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' },
      impacts: [{ node: 'payments-db' }],
    });
    await send('c3', 'Change Scheduled', {
      changeId: 'CHG-AMS',
      title: 'Schiphol network',
      team: 'network',
      window: { start: '2026-12-06T04:00:00Z', end: '2026-12-06T06:00:00Z' },
      impacts: [{ node: 'net-ams' }],
    });
  });

  it('a week: only its changes, whatever the history', async () => {
    const { body, read } = await counted('/changes?from=2026-12-01T00:00:00Z&to=2026-12-08T00:00:00Z');
    expect(keys(body)).toEqual(['change#CHG-LONG', 'change#CHG-PAY', 'change#CHG-AMS']);
    expect(read).toBeLessThanOrEqual(body.subjects.length + CONSTANT);
  });

  it('from only, and to only', async () => {
    const from = await counted('/changes?from=2026-12-04T00:00:00Z');
    expect(keys(from.body)).toEqual(['change#CHG-PAY', 'change#CHG-AMS']);
    expect(from.read).toBeLessThanOrEqual(from.body.subjects.length + CONSTANT);
    const to = await counted('/changes?to=2025-01-10T00:00:00Z');
    expect(keys(to.body)).toEqual(['change#CHG-OLD-0', 'change#CHG-OLD-1', 'change#CHG-OLD-2']);
    expect(to.read).toBeLessThanOrEqual(to.body.subjects.length + CONSTANT);
  });

  it('no range: every change in start order, no incident read', async () => {
    const { body, read } = await counted('/changes');
    expect(body.subjects).toHaveLength(PAST_CHANGES + 3);
    expect(keys(body).slice(0, 2)).toEqual(['change#CHG-OLD-0', 'change#CHG-OLD-1']);
    expect(keys(body).slice(-3)).toEqual(['change#CHG-LONG', 'change#CHG-PAY', 'change#CHG-AMS']);
    expect(read).toBeLessThanOrEqual(body.subjects.length + CONSTANT);
  });

  it('on a touchpoint, of a team: filtered from what the range read, no subject read per change', async () => {
    const week = 'from=2026-12-01T00:00:00Z&to=2026-12-08T00:00:00Z';
    for (const [query, expected] of [
      ['touchpoint=kiosk-ams', ['change#CHG-AMS']],
      ['touchpoint=web-booking', ['change#CHG-PAY']],
      // a team owning a hit touchpoint, and a team owning the change
      ['team=airport-ops', ['change#CHG-AMS']],
      ['team=loyalty', ['change#CHG-LONG', 'change#CHG-AMS']],
      ['team=network', ['change#CHG-AMS']],
      ['team=payments', ['change#CHG-PAY']],
    ] as const) {
      const { body, read } = await counted(`/changes?${week}&${query}`);
      expect(keys(body), query).toEqual(expected);
      expect(read, query).toBeLessThanOrEqual(body.subjects.length + CONSTANT);
    }
    const all = await counted('/changes?team=payments');
    expect(all.body.subjects).toHaveLength(PAST_CHANGES + 1);
    expect(all.read).toBeLessThanOrEqual(all.body.subjects.length + CONSTANT);
  });

  it("POST /assess: the conflicting changes from the changes index, not the history's subjects", async () => {
    readOfImpacts = 0;
    const res = await call('POST', '/assess', {
      body: {
        'detail-type': 'Change Scheduled',
        detail: {
          changeId: 'CHG-NEW',
          title: 'PSP upgrade',
          window: { start: '2026-12-05T03:00:00Z', end: '2026-12-05T05:00:00Z' },
          impacts: [{ node: 'payments-db' }],
        },
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.conflicts.map((c: { subjectKey: string }) => c.subjectKey)).toEqual(['change#CHG-PAY']);
    expect(readOfImpacts).toBeLessThanOrEqual(res.body.conflicts.length + CONSTANT);
  });
});

describe('GET /metrics reads the subjects of its range, not the whole history', () => {
  const DAY = 86_400_000;
  const PAST_CHANGES = 150;
  const PAST_INCIDENTS = 60;
  /** Every 20th past incident is still open: it overlaps every range after its start. */
  const OPEN_EVERY = 20;
  const MONTH = 'from=2026-11-01T00:00:00Z&to=2026-11-30T00:00:00Z';
  const later = () => caller(buildApiHandler({ ...p.deps, now: () => NOW + 3_600_000, submit: async () => {} }));
  /** A subject's metrics facts as the assessment's fan-in writes them, with the notice that told its first customer. */
  const pastSubject = async (type: 'change' | 'incident', id: string, start: number, end: number | undefined) => {
    const subjectKey = `${type}#${id}`;
    const state = {
      ...initialSubject(type, id),
      opened: true,
      status: type === 'change' ? ('completed' as const) : end === undefined ? ('investigating' as const) : ('resolved' as const),
      title: id,
      window: { start, ...(end !== undefined ? { end } : {}) },
    };
    await p.deps.projections.putMetricsFacts({ subjectKey, state, customers: 7, touchpoints: ['web-booking'], eventVersion: 1 });
    await p.deps.projections.markSentCounted(
      subjectKey,
      [{ subjectKey, customerId: 'C-1', kind: `${type}-notice`, version: 1, channel: 'email', sentAt: start + 5 * 60_000 }],
      start + 5 * 60_000,
    );
  };

  beforeAll(async () => {
    const past = Date.parse('2025-01-01T02:00:00Z');
    for (let i = 0; i < PAST_CHANGES; i++) {
      const start = past + i * 4 * DAY;
      await pastSubject('change', `CHG-M-${i}`, start, start + (i % 10 === 0 ? 3 * DAY : 2 * 3_600_000));
    }
    for (let i = 0; i < PAST_INCIDENTS; i++) {
      const start = past + i * 9 * DAY;
      await pastSubject('incident', `INC-M-${i}`, start, i % OPEN_EVERY === 0 ? undefined : start + 3_600_000);
    }
  });

  it('a month: the subjects overlapping it (its incident, the long change begun in it, the incidents still open), whatever the history', async () => {
    const open = PAST_INCIDENTS / OPEN_EVERY;
    const { body, read } = await counted(`/metrics?${MONTH}`, later);
    // INC-READS, CHG-LONG (from 25 Nov, scheduled above) and the open incidents.
    expect(body.subjects).toBe(2 + open);
    // Each open incident's first notice went out five minutes after it started; INC-READS's too was sent.
    expect(body.detectionToFirstNoticeMinutes.count).toBe(1 + open);
    expect(read).toBeLessThanOrEqual(body.subjects + CONSTANT);
  });

  it('a month of the history: its changes and incidents with their first notices', async () => {
    // January 2025: changes 0-7 (start 1, 5, ..., 29 Jan), incidents 0-3 (1, 10, 19, 28 Jan), INC-M-0 open, plus the open ones started by then.
    const { body, read } = await counted('/metrics?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z', later);
    expect(body.subjects).toBe(8 + 4);
    expect(body.detectionToFirstNoticeMinutes).toEqual({ count: 4, mean: 5, max: 5 });
    expect(read).toBeLessThanOrEqual(body.subjects + CONSTANT);
  });
});

describe('GET /incidents and /touchpoints read the live subjects, not the whole history', () => {
  const DAY = 86_400_000;
  const RESOLVED = 120;
  /** The subjects live at NOW: stored above (INC-READS, the three past incidents still open, the three changes of the /changes test). */
  const OPEN_INCIDENTS = ['incident#INC-READS', 'incident#INC-OLD-0', 'incident#INC-OLD-20', 'incident#INC-OLD-40'];
  const LIVE_CHANGES = ['change#CHG-LONG', 'change#CHG-PAY', 'change#CHG-AMS'];
  const keys = (body: { subjects: { subjectKey: string }[] }) => body.subjects.map((s) => s.subjectKey).sort();
  /** The subjects a /touchpoints answer names, now or upcoming. */
  const named = (touchpoints: { now: { subjectKey: string }[]; upcoming: { subjectKey: string }[] }[]) =>
    [...new Set(touchpoints.flatMap((t) => [...t.now, ...t.upcoming].map((h) => h.subjectKey)))].sort();

  beforeAll(async () => {
    // More history: incidents opened and resolved through the pipeline (each also a past hit on a touchpoint).
    const past = Date.parse('2026-06-01T08:00:00Z');
    for (let i = 0; i < RESOLVED; i++) {
      const start = past + i * DAY;
      await p.deps.projections.putSubject({
        subjectKey: `incident#INC-R-${i}`,
        eventVersion: 2,
        state: {
          ...initialSubject('incident', `INC-R-${i}`),
          opened: true,
          status: 'resolved',
          title: `INC-R-${i}`,
          severity: 'sev3',
          window: { start, end: start + 3_600_000 },
        },
        summary: { touchpoints: 1, customers: 3, byEffect: {}, byChannel: {}, bySegment: {}, unreachable: 0 },
        touchpoints: [{ id: 'kiosk-ams', channel: 'kiosk', effect: 'outage', path: ['net-ams', 'kiosk-ams'] }],
        unknownNodes: [],
        graphVersion: 1,
        updatedAt: NOW,
      });
    }
    // The topology is read once per graph version: the first call of an instance reads it, later ones do not.
    await counted('/touchpoints');
  });

  it('GET /incidents (open, the default): the open incidents only', async () => {
    const { body, read } = await counted('/incidents');
    expect(keys(body)).toEqual([...OPEN_INCIDENTS].sort());
    expect(read).toBeLessThanOrEqual(body.subjects.length + CONSTANT);
    const investigating = await counted('/incidents?status=investigating');
    expect(keys(investigating.body)).toEqual(OPEN_INCIDENTS.filter((k) => k !== 'incident#INC-READS').sort());
    expect(investigating.read).toBeLessThanOrEqual(investigating.body.subjects.length + CONSTANT);
  });

  it('GET /incidents?status=all: every incident, no change read', async () => {
    const { body, read } = await counted('/incidents?status=all');
    // INC-READS, the 60 past incidents of the /changes test and the resolved ones above.
    expect(body.subjects).toHaveLength(1 + 60 + RESOLVED);
    expect(body.subjects.every((s: { type: string }) => s.type === 'incident')).toBe(true);
    expect(read).toBeLessThanOrEqual(body.subjects.length + CONSTANT);
  });

  it('GET /touchpoints: the live subjects that hit them, none of the past', async () => {
    const { body, read } = await counted('/touchpoints');
    expect(named(body.touchpoints)).toEqual([...OPEN_INCIDENTS, ...LIVE_CHANGES].sort());
    expect(body.touchpoints.find((t: { id: string }) => t.id === 'kiosk-ams')).toMatchObject({
      status: 'ok',
      now: [],
      upcoming: [expect.objectContaining({ subjectKey: 'change#CHG-AMS', effect: 'outage' })],
    });
    expect(read).toBeLessThanOrEqual(named(body.touchpoints).length + CONSTANT);
  });

  it('GET /touchpoints/{id}: the same reads for one touchpoint', async () => {
    const { body, read } = await counted('/touchpoints/web-booking');
    expect(body.status).toBe('outage');
    expect(named([body])).toEqual(expect.arrayContaining(['incident#INC-OLD-0', 'incident#INC-OLD-20', 'incident#INC-OLD-40']));
    // Every live subject is read (seven here), whichever touchpoint is asked for.
    expect(read).toBeLessThanOrEqual(OPEN_INCIDENTS.length + LIVE_CHANGES.length + CONSTANT);
  });
});

describe('GET /subjects/{type}/{id} of a held (draft) subject reads its preview groups, not its customers', () => {
  beforeAll(async () => {
    // After the other describes: they count the live changes. Far in the future, so no range above finds it.
    await send('d1', 'Change Scheduled', {
      changeId: 'CHG-DRAFT',
      title: 'Payments upgrade',
      team: 'payments',
      window: { start: '2027-03-06T02:00:00Z', end: '2027-03-06T04:00:00Z' },
      impacts: [{ node: 'payments-db' }],
      notify: 'draft',
    });
  });

  it("the held plan, the stored impact of each previewed group's sample, the subject and its history", async () => {
    const { body, read } = await counted('/subjects/change/CHG-DRAFT');
    const { held } = body as { held: { customers: number; unreachable: number; previews: { count: number }[] }; history: unknown[] };
    expect(held.customers, 'the draft reaches far more customers than the allowance').toBeGreaterThan(5 * CONSTANT);
    expect(held.previews.length).toBeGreaterThan(1);
    expect(held.previews.reduce((n, g) => n + g.count, 0)).toBe(held.customers - held.unreachable);
    expect(read).toBeLessThanOrEqual(1 + body.history.length + held.previews.length + CONSTANT);
  });
});
