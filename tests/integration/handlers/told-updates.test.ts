/**
 * Issue 15 through the real handlers (ingest -> stream -> assess -> notify against DynamoDB Local):
 * drafts held, previewed (the preview groups kept with the held plan) and approved; message-only updates; failed changes; the expected restore time;
 * notify:false; the approval policy; the actor. Who must hear what is worked out by the pure what-if
 * from the graph and the events, never read back from the pipeline.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventBridgeEvent } from 'aws-lambda';
import { historyEntry, parseEvent } from '../../../functions/domain/events/index.ts';
import { assess } from '../../../functions/domain/impact/assess.ts';
import type { Graph } from '../../../functions/domain/model.ts';
import { parseApprovalPolicy, previewGroups, renderPreviews, type HeldGroup } from '../../../functions/domain/notices/index.ts';
import { SUBJECT_SHARDS } from '../../../functions/adapters/dynamodb/layout.ts';
import { shardOf } from '../../../functions/domain/shards.ts';
import { planSubject } from '../../support/plan-subject.ts';
import { approve, foldSubject } from '../../../functions/domain/subject.ts';
import { buildApiHandler } from '../../../functions/handlers/api.ts';
import { airlineSample } from '../../support/airline.ts';
import { BRIEFINGS, NOTICES, context, noticesOf, pipeline } from '../../support/pipeline.ts';
import { busEvent } from '../../support/events.ts';
import { caller } from '../api/requests.ts';

const NOW = Date.parse('2026-11-28T14:00:00Z');
const MINUTE = 60_000;
const ev = (detailType: string, detail: Record<string, unknown>, id: string) => busEvent(detailType, detail, { id, source: 'acme.changes', at: NOW });
const jane = { type: 'person', id: 'jane', name: 'Jane Doe', email: 'jane.doe@example.com', source: 'console' };

let graph: Graph;
let clock = NOW;
let restore: (() => void) | undefined;
beforeAll(async () => {
  graph = await airlineSample(120);
});
afterEach(() => restore?.());
const setup = async (settings: { approvalPolicy?: string } = {}) => {
  clock = NOW;
  const p = await pipeline(() => clock);
  restore = p.aws.restore;
  if (settings.approvalPolicy) p.deps.settings.approvalPolicy = parseApprovalPolicy(settings.approvalPolicy);
  await p.deps.graph.import(graph);
  const send = async (...events: EventBridgeEvent<string, unknown>[]) => {
    for (const e of events) await p.ingest(e, context);
    expect(await p.drain()).toBe(0);
  };
  /** Moves the clock past the merge window and sends what waited in it. */
  const later = async (minutes = 6) => {
    clock += minutes * MINUTE;
    expect(await p.drain()).toBe(0);
  };
  return { ...p, send, later };
};

/** Everyone the folded events hit, and those of them who can be reached: from the graph by the pure what-if. */
const whatIf = (...events: EventBridgeEvent<string, unknown>[]) => {
  const { customers } = assess(graph, foldSubject(events.map((e) => parseEvent(e))));
  return {
    affected: customers.map((c) => c.id).sort(),
    reachable: customers
      .filter((c) => c.notify.length > 0)
      .map((c) => c.id)
      .sort(),
  };
};
/** A time as an English notice to this customer says it: in their own zone and regional format (from the graph). */
const untilText = (customerId: string, iso: string) => {
  const customer = graph.customers.get(customerId);
  const tag = customer?.locale?.includes('-') ? customer.locale : 'en-GB';
  return new Intl.DateTimeFormat(tag, { timeZone: customer?.timeZone ?? 'UTC', dateStyle: 'medium', timeStyle: 'short' }).format(Date.parse(iso));
};
/** The support API over the pipeline's stores (what the console calls). */
const api = (p: Awaited<ReturnType<typeof pipeline>>) => caller(buildApiHandler({ ...p.deps, submit: async () => {} }));
const customersOf = (notices: { customerId: string }[]) => notices.map((n) => n.customerId).sort();
const ofKind = <N extends { kind: string; subject: string }>(notices: N[], subject: string, kind: string) =>
  notices.filter((n) => n.subject === subject && n.kind === kind);

const WINDOW = { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' };
const scheduled = (extra: Record<string, unknown> = {}) =>
  ev(
    'Change Scheduled',
    {
      changeId: 'CHG-1',
      eventId: 'chg-1-s',
      title: 'Payments maintenance',
      occurredAt: '2026-11-28T13:00:00Z',
      window: WINDOW,
      impacts: [{ node: 'payments-db' }],
      team: 'payments',
      ...extra,
    },
    'e1',
  );

describe('drafts: planned, held, previewed, approved, told', () => {
  it('given a change opened as a draft, then nothing goes out, the plan is kept as counts and previewed; Notices Approved tells exactly those it hits, once', async () => {
    const p = await setup();
    const draft = scheduled({ notify: 'draft', actor: jane });
    const expected = whatIf(draft);
    expect(expected.reachable.length).toBeGreaterThan(20);

    // Given a draft: held
    await p.send(draft);
    expect(noticesOf(p.aws)).toEqual([]);
    expect(p.aws.published.filter((m) => m.topicArn === BRIEFINGS)).toEqual([]);
    const held = await p.deps.projections.getHeld('change#CHG-1');
    expect(held).toMatchObject({
      byKind: { 'change-notice': expected.affected.length },
      customers: expected.affected.length,
      unreachable: expected.affected.length - expected.reachable.length,
    });
    expect((await p.deps.projections.listHeld()).map((h) => h.subjectKey)).toEqual(['change#CHG-1']);

    // When previewed: one group per kind, locale, channel and effect, adding up to everyone reachable
    const preview = (await api(p)('GET', '/subjects/change/CHG-1')).body.held as { previews: { count: number; sampleCustomerId: string }[] };
    expect(preview.previews.reduce((n, g) => n + g.count, 0)).toBe(expected.reachable.length);
    expect(held?.groups?.map((g) => g.sampleCustomerId).sort()).toEqual(preview.previews.map((g) => g.sampleCustomerId).sort());
    expect(JSON.stringify(preview.previews[0])).toContain('Payments maintenance');

    // Then approved: told, exactly once, and briefed
    const approval = ev(
      'Notices Approved',
      { changeId: 'CHG-1', eventId: 'chg-1-ok', occurredAt: '2026-11-28T13:10:00Z', actor: { type: 'person', id: 'boss' } },
      'e2',
    );
    await p.send(approval);
    const notices = noticesOf(p.aws);
    expect(notices.every((n) => n.kind === 'change-notice')).toBe(true);
    expect(customersOf(notices)).toEqual(expected.reachable);
    expect(await p.deps.projections.getHeld('change#CHG-1')).toBeUndefined();
    expect(p.aws.published.filter((m) => m.topicArn === BRIEFINGS).length).toBeGreaterThan(0);

    // An approval sent twice sends nothing more
    await p.send(ev('Notices Approved', { changeId: 'CHG-1', eventId: 'chg-1-ok-again', occurredAt: '2026-11-28T13:20:00Z' }, 'e3'));
    expect(noticesOf(p.aws)).toHaveLength(notices.length);

    // The subject's history says who drafted and who approved
    const history = (await p.deps.events.readSubject('change#CHG-1')).map(historyEntry);
    expect(history.map((h) => [h.detailType, h.actor?.id, h.notify])).toEqual([
      ['Change Scheduled', 'jane', 'draft'],
      ['Notices Approved', 'boss', undefined],
      ['Notices Approved', undefined, undefined],
    ]);
  });

  it('given a policy that holds sev3 incidents, then a sev3 incident waits, and goes out at once when raised to sev1', async () => {
    const p = await setup({ approvalPolicy: '{"sev3":"draft","sev4":"draft","change":"draft"}' });
    const opened = ev(
      'Incident Opened',
      { incidentId: 'INC-3', eventId: 'i3-o', title: 'Login slow', severity: 'sev3', occurredAt: '2026-11-28T13:50:00Z', impacts: [{ node: 'identity-db' }] },
      'i1',
    );
    await p.send(opened);
    expect(noticesOf(p.aws)).toEqual([]);
    expect((await p.deps.projections.getHeld('incident#INC-3'))?.customers).toBe(whatIf(opened).affected.length);

    const raised = ev('Incident Updated', { incidentId: 'INC-3', eventId: 'i3-u', severity: 'sev1', occurredAt: '2026-11-28T13:55:00Z' }, 'i2');
    await p.send(raised);
    expect(customersOf(ofKind(noticesOf(p.aws), 'incident#INC-3', 'incident-notice'))).toEqual(whatIf(opened, raised).reachable);
    expect(await p.deps.projections.getHeld('incident#INC-3')).toBeUndefined();
  });
});

describe('updates that matter reach those told', () => {
  it('given a change whose customerMessage alone changes, then everyone told gets one update saying it; the same message again sends nothing', async () => {
    const p = await setup();
    await p.send(scheduled());
    const told = customersOf(noticesOf(p.aws));
    expect(told).toEqual(whatIf(scheduled()).reachable);

    const message = 'Use the app to pay; the kiosks cannot take cards.';
    await p.send(ev('Change Updated', { changeId: 'CHG-1', eventId: 'u1', occurredAt: '2026-11-28T13:30:00Z', customerMessage: message }, 'e2'));
    await p.later();
    const updates = ofKind(noticesOf(p.aws), 'change#CHG-1', 'change-update');
    expect(customersOf(updates)).toEqual(told);
    expect(updates.every((n) => n.text.includes(message))).toBe(true);

    await p.send(ev('Change Updated', { changeId: 'CHG-1', eventId: 'u2', occurredAt: '2026-11-28T13:40:00Z', customerMessage: message }, 'e3'));
    await p.later();
    expect(ofKind(noticesOf(p.aws), 'change#CHG-1', 'change-update')).toHaveLength(updates.length);
  });

  it('given an update with notify false, then nobody hears of it, not even when a later event notifies', async () => {
    const p = await setup();
    await p.send(scheduled());
    const before = noticesOf(p.aws).length;
    await p.send(
      ev(
        'Change Updated',
        { changeId: 'CHG-1', eventId: 'u1', occurredAt: '2026-11-28T13:30:00Z', customerMessage: 'internal wording fix', notify: false },
        'e2',
      ),
    );
    await p.later();
    await p.send(ev('Change Started', { changeId: 'CHG-1', eventId: 'st', occurredAt: '2026-12-05T02:00:00Z' }, 'e3'));
    await p.later();
    expect(noticesOf(p.aws)).toHaveLength(before);
  });
});

describe('failed changes reach those told', () => {
  it('given a change that fails with an expected restore time, then everyone told, and whoever it now hits, hears what is still unavailable and until when', async () => {
    const p = await setup();
    const net = (extra: Record<string, unknown>) =>
      scheduled({
        changeId: 'CHG-N',
        eventId: 'n-s',
        title: 'Airport network upgrade',
        window: { start: '2026-12-07T12:00:00Z', end: '2026-12-07T14:00:00Z' },
        impacts: [{ node: 'net-ams' }],
        ...extra,
      });
    const opened = net({});
    await p.send(opened);
    const told = customersOf(ofKind(noticesOf(p.aws), 'change#CHG-N', 'change-notice'));
    expect(told).toEqual(whatIf(opened).reachable);

    // It fails with no restore time: what it hits stays hit until further notice, whoever books later included.
    const started = ev('Change Started', { changeId: 'CHG-N', eventId: 'n-st', occurredAt: '2026-12-07T12:00:00Z' }, 'n2');
    const failed = ev('Change Failed', { changeId: 'CHG-N', eventId: 'n-f', occurredAt: '2026-12-07T14:00:00Z', note: 'switch firmware' }, 'n3');
    await p.send(started, failed);
    await p.later();
    const failures = ofKind(noticesOf(p.aws), 'change#CHG-N', 'change-failed');
    const nowHit = whatIf(opened, started, failed).reachable;
    expect(nowHit.length).toBeGreaterThan(told.length);
    expect(customersOf(failures)).toEqual([...new Set([...told, ...nowHit])].sort());
    expect(failures.filter((n) => n.locale === 'en').every((n) => n.text.endsWith('is still unavailable, until further notice.'))).toBe(true);

    // The restore time becomes known: those it still hits hear until when, the others that it is over for them.
    const eta = ev(
      'Change Updated',
      { changeId: 'CHG-N', eventId: 'n-eta', occurredAt: '2026-12-07T14:30:00Z', expectedResolutionAt: '2026-12-07T18:00:00Z' },
      'n4',
    );
    await p.send(eta);
    await p.later();
    const stillHit = whatIf(opened, started, failed, eta).reachable;
    expect(stillHit.length).toBeGreaterThan(0);
    expect(stillHit.length).toBeLessThan(customersOf(failures).length);
    const second = ofKind(noticesOf(p.aws), 'change#CHG-N', 'change-failed').slice(failures.length);
    expect(customersOf(second)).toEqual(stillHit);
    for (const n of second.filter((x) => x.locale === 'en')) expect(n.text).toContain(`until ${untilText(n.customerId, '2026-12-07T18:00:00Z')}.`);
    const cleared = ofKind(noticesOf(p.aws), 'change#CHG-N', 'all-clear');
    expect(customersOf(cleared)).toEqual(customersOf(failures).filter((id) => !stillHit.includes(id)));
    // The overrun check of the window finds nothing to send: the failure was told.
    await p.remind({ ...ev('Notice Due', { subjectKey: 'change#CHG-N', kind: 'change-overrun', version: 1 }, 'r1'), source: 'impact.pipeline' }, context);
    await p.later();
    expect(ofKind(noticesOf(p.aws), 'change#CHG-N', 'change-overrun')).toEqual([]);
  });
});

describe('the expected restore time', () => {
  it('given an incident opened with one, then notices, the subject projection, the subject list and the briefing carry it; moved, it reaches the told', async () => {
    const p = await setup();
    const opened = ev(
      'Incident Opened',
      {
        incidentId: 'INC-1',
        eventId: 'i-o',
        title: 'Login failures',
        severity: 'sev2',
        occurredAt: '2026-11-28T13:50:00Z',
        impacts: [{ node: 'identity-db' }],
        expectedResolutionAt: '2026-11-28T16:00:00Z',
      },
      'i1',
    );
    await p.send(opened);
    const first = ofKind(noticesOf(p.aws), 'incident#INC-1', 'incident-notice');
    expect(customersOf(first)).toEqual(whatIf(opened).reachable);
    for (const n of first.filter((x) => x.locale === 'en')) expect(n.text).toMatch(/fixed by (28 Nov 2026|Nov 28, 2026)/);
    const eta = Date.parse('2026-11-28T16:00:00Z');
    expect((await p.deps.projections.getSubject('incident#INC-1'))?.state.expectedResolutionAt).toBe(eta);
    expect((await p.deps.projections.listSubjects()).find((s) => s.subjectKey === 'incident#INC-1')?.expectedResolutionAt).toBe(eta);
    const briefing = p.aws.published.find((m) => m.topicArn === BRIEFINGS)?.message as { subject: { expectedResolutionAt?: string }; text: string };
    expect(briefing.subject.expectedResolutionAt).toBe('2026-11-28T16:00:00.000Z');

    await p.send(
      ev('Incident Updated', { incidentId: 'INC-1', eventId: 'i-u', occurredAt: '2026-11-28T14:00:00Z', expectedResolutionAt: '2026-11-28T18:30:00Z' }, 'i2'),
    );
    await p.later();
    const updates = ofKind(noticesOf(p.aws), 'incident#INC-1', 'incident-update');
    expect(customersOf(updates)).toEqual(customersOf(first));
    for (const n of updates.filter((x) => x.locale === 'en')) expect(n.text).toContain(`fixed by ${untilText(n.customerId, '2026-11-28T18:30:00Z')}.`);
  });
});

describe('who did it', () => {
  it('given an event with a person as actor, then the actor is stored with it and no log line holds their e-mail', async () => {
    const p = await setup();
    const lines: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))),
    );
    try {
      await p.send(scheduled({ actor: jane }));
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const [stored] = await p.deps.events.readSubject('change#CHG-1');
    expect(historyEntry(stored).actor).toEqual(jane);
    const log = lines.join('\n');
    expect(log).toMatch(/"actorType":\s*"person"/);
    expect(log).not.toContain('jane.doe@example.com');
  });
});

describe("the change manager's flow of the README (examples/airline/events), through the handlers", () => {
  const example = (name: string, eventId: string, occurredAt: string) => {
    const file = JSON.parse(readFileSync(new URL(`../../../examples/airline/events/${name}`, import.meta.url), 'utf8')) as {
      'detail-type': string;
      detail: Record<string, unknown>;
    };
    return ev(file['detail-type'], { ...file.detail, eventId, occurredAt }, eventId);
  };

  it('given a draft, then approval tells those it hits; a message-only update reaches them; the failure reaches them and whoever it now hits', async () => {
    const p = await setup();
    // What `impact send change-scheduled --change CHG-3001 ... --notify draft` puts on the bus (on a node
    // every sampled customer's usage reaches: the README's net-ams window hits none of the first 120).
    const draft = ev(
      'Change Scheduled',
      {
        changeId: 'CHG-3001',
        eventId: 'f-1',
        occurredAt: '2026-11-28T13:00:00Z',
        title: 'Planned change',
        window: { start: '2026-12-12T04:00:00Z', end: '2026-12-12T06:00:00Z' },
        impacts: [{ node: 'payments-db' }],
        notify: 'draft',
      },
      'f-1',
    );
    await p.send(draft);
    expect(noticesOf(p.aws)).toEqual([]);
    expect((await api(p)('GET', '/subjects/change/CHG-3001')).body.held.previews.length).toBeGreaterThan(0);

    await p.send(ev('Notices Approved', { changeId: 'CHG-3001', eventId: 'f-2', occurredAt: '2026-11-28T13:05:00Z' }, 'f-2'));
    const told = customersOf(ofKind(noticesOf(p.aws), 'change#CHG-3001', 'change-notice'));
    expect(told).toEqual(whatIf(draft).reachable);
    expect(told.length).toBeGreaterThan(0);

    const message = example('change-message.json', 'f-3', '2026-11-28T13:30:00Z');
    await p.send(message);
    await p.later();
    const updates = ofKind(noticesOf(p.aws), 'change#CHG-3001', 'change-update');
    expect(customersOf(updates)).toEqual(told);
    // A push body holds 178 characters (templates decisions): the message rides on e-mail and SMS.
    for (const n of updates.filter((x) => x.channel !== 'push'))
      expect(n.text).toContain(String((message.detail as { customerMessage: string }).customerMessage));

    const failed = example('change-failed.json', 'f-4', '2026-12-12T06:00:00Z');
    await p.send(failed);
    await p.later();
    const failures = ofKind(noticesOf(p.aws), 'change#CHG-3001', 'change-failed');
    expect(customersOf(failures)).toEqual([...new Set([...told, ...whatIf(draft, message, failed).reachable])].sort());
    for (const n of failures.filter((x) => x.locale === 'en')) expect(n.text).toContain(untilText(n.customerId, '2026-12-12T09:00:00Z'));
  });
});

type Pipeline = Awaited<ReturnType<typeof setup>>;

// A held plan keeps its preview groups (issue 12, section 3): the planner's shards group their notices, the
// fan-in merges them into the held item, the subject view renders from them. Checked two ways: the groups
// equal what planning every affected customer again gives (what the view did before, across planner
// shards), and they are what approving then sends (counted from the notices published, locales from the graph).

const keyOf = (g: Pick<HeldGroup, 'kind' | 'locale' | 'channel' | 'effect'>) => `${g.kind} ${g.locale} ${g.channel} ${g.effect}`;
const countsOf = (groups: readonly HeldGroup[]) => Object.fromEntries(groups.map((g) => [keyOf(g), g.count]));

/** The held item's groups, with the published notices counted from here on. */
const heldGroupsOf = async (p: Pipeline, subjectKey: string): Promise<HeldGroup[]> => {
  const held = await p.deps.projections.getHeld(subjectKey);
  expect(held?.groups, 'the held plan keeps its preview groups').toBeDefined();
  return held!.groups!;
};

/** The notices approval published for the subject, grouped as previews are: the locale the customer has in the graph. */
const sentGroups = (p: Pipeline, subjectKey: string, from: number): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const m of p.aws.published.slice(from)) {
    const body = m.message as { subject: string; customerId: string };
    if (m.topicArn !== NOTICES || body.subject !== subjectKey) continue;
    const a = m.attributes as Record<string, string>;
    const key = keyOf({
      kind: a.kind as HeldGroup['kind'],
      locale: graph.customers.get(body.customerId)?.locale ?? 'en',
      channel: a.channel as HeldGroup['channel'],
      effect: a.effect as HeldGroup['effect'],
    });
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
};

/** What the view did before the groups were kept: every affected customer planned again as approving now would. */
const plannedAgain = async (p: Pipeline, subjectKey: string) => {
  const projection = (await p.deps.projections.getSubject(subjectKey))!;
  const impacts = await p.deps.projections.customersOfSubject(subjectKey);
  const { plan, source } = await planSubject(p.deps, {
    subjectKey,
    state: approve(projection.state, clock),
    eventVersion: projection.eventVersion,
    affected: impacts.map((c) => ({ ...c, id: c.customerId })),
    profiles: impacts,
    touchpoints: projection.touchpoints,
    at: clock,
  });
  return previewGroups(plan, source);
};

describe('a held plan keeps its preview groups', () => {
  it('given a draft change with customers of several locales, channels and effects in many planner shards, then its groups are those planning them all again gives, and the view renders the same texts', async () => {
    const p = await setup();
    await p.send(scheduled({ changeId: 'CHG-H', eventId: 'h-1', notify: 'draft' }));
    const kept = await heldGroupsOf(p, 'change#CHG-H');
    const reference = await plannedAgain(p, 'change#CHG-H');

    // The data is varied enough to mean something: locales, channels, effects, and groups spread over shards.
    expect(new Set(kept.map((g) => g.locale)).size).toBeGreaterThan(2);
    expect(new Set(kept.map((g) => g.channel)).size).toBeGreaterThan(1);
    expect(new Set(kept.map((g) => g.effect))).toEqual(new Set(['outage', 'degraded']));
    const impacts = await p.deps.projections.customersOfSubject('change#CHG-H');
    const shardsOf = (g: HeldGroup) =>
      new Set(
        impacts
          .filter((c) => (c.locale ?? 'en') === g.locale && c.effect === g.effect && c.notify.find((ch) => ['email', 'sms', 'push'].includes(ch)) === g.channel)
          .map((c) => shardOf(c.customerId, SUBJECT_SHARDS)),
      ).size;
    expect(
      kept.some((g) => shardsOf(g) > 1),
      'a group adds counts from more than one planner shard',
    ).toBe(true);

    expect(countsOf(kept)).toEqual(countsOf(reference));
    expect(Object.fromEntries(kept.map((g) => [keyOf(g), g.sampleCustomerId]))).toEqual(
      Object.fromEntries(reference.map((g) => [keyOf(g), g.sampleCustomerId])),
    );
    expect((await p.deps.projections.getHeld('change#CHG-H'))?.previewsTruncated).toBeUndefined();

    // The view renders from the kept groups what rendering the full plan's groups gives.
    const view = await api(p)('GET', '/subjects/change/CHG-H');
    expect(view.status).toBe(200);
    expect(view.body.held.previewProblem).toBeUndefined();
    expect(view.body.held.groups).toBeUndefined();
    expect(view.body.held.previews).toEqual(renderPreviews(p.deps.templates(), reference));

    // And approving sends exactly what the groups said.
    const before = p.aws.published.length;
    await p.send(ev('Notices Approved', { changeId: 'CHG-H', eventId: 'h-ok', occurredAt: '2026-11-28T13:10:00Z' }, 'e2'));
    await p.later();
    expect(sentGroups(p, 'change#CHG-H', before)).toEqual(countsOf(kept));
  });

  it('given an incident held as a draft after its first notices, with news while held and a later update that brings none, then the groups include the update approval sends to those told', async () => {
    const p = await setup();
    const incident = (detailType: string, detail: Record<string, unknown>, id: string) => ev(detailType, { incidentId: 'INC-H', eventId: id, ...detail }, id);
    await p.send(
      incident('Incident Opened', { title: 'Payments slow', severity: 'sev2', occurredAt: '2026-11-28T13:00:00Z', impacts: [{ node: 'payments-db' }] }, 'i-1'),
    );
    // News while held (the status), then an update without news (the scope grows): approval tells those told of the news.
    await p.send(incident('Incident Updated', { status: 'identified', occurredAt: '2026-11-28T13:20:00Z', notify: 'draft' }, 'i-2'));
    await p.send(incident('Incident Updated', { occurredAt: '2026-11-28T13:40:00Z', impacts: [{ node: 'payments-db' }, { node: 'net-ams' }] }, 'i-3'));
    const kept = await heldGroupsOf(p, 'incident#INC-H');
    expect(new Set(kept.map((g) => g.kind))).toEqual(new Set(['incident-notice', 'incident-update']));

    clock = Date.parse('2026-11-28T14:30:00Z');
    const before = p.aws.published.length;
    await p.send(incident('Notices Approved', { occurredAt: '2026-11-28T14:30:00Z' }, 'i-ok'));
    await p.later();
    expect(sentGroups(p, 'incident#INC-H', before)).toEqual(countsOf(kept));
  });
});
