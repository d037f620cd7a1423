/**
 * The change manager's flow on the local runtime, end to end: a change scheduled as a draft through the
 * API tells nobody, the API shows the held counts and the texts, approval through the API tells exactly
 * the customers it hits, a message-only update reaches those told, a failed change reaches them (and
 * whoever it now hits) with what is still unavailable and until when. The approval policy comes from
 * impact.local.json as `npm start` reads it. Who must hear what is worked out by the pure what-if from
 * the graph and the events, never read back from the pipeline.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGraph } from '../../functions/adapters/graph-files.ts';
import { parseEvent } from '../../functions/domain/events/index.ts';
import { assess } from '../../functions/domain/impact/assess.ts';
import type { Graph } from '../../functions/domain/model.ts';
import { foldSubject } from '../../functions/domain/subject.ts';
import { LOCAL_AWS } from '../../lib/local/dynamodb-local.ts';
import { startLocalRuntime, type LocalRuntime } from '../../lib/local/runtime.ts';
import { localConfig } from '../../lib/local/settings.ts';
import { outboxLines } from '../support/outbox.ts';

// C-5 opted out (affected, never told); C-6 books the website after the planned window: a failed change hits it.
const graph = `
components: [{ id: payments-db }, { id: payments-api, dependsOn: [payments-db] }, { id: net-ams }]
touchpoints:
  - { id: web-checkout, name: Website checkout, channel: web, team: digital, dependsOn: [payments-api] }
  - { id: kiosk-ams, name: Kiosks Schiphol, channel: kiosk, team: airport-ops, dependsOn: [net-ams] }
  - { id: app, name: Mobile app, channel: mobile, team: digital, dependsOn: [{ id: payments-api, type: soft }] }
customers:
  - { id: C-1, locale: en-GB, timeZone: Europe/London, contacts: { email: one@example.com }, uses: [web-checkout] }
  - { id: C-2, locale: nl-NL, timeZone: Europe/Amsterdam, channels: [sms], contacts: { phone: "+31600000002" }, uses: [web-checkout, kiosk-ams] }
  - { id: C-3, contacts: { email: three@example.com }, uses: [kiosk-ams] }
  - { id: C-4, locale: de-DE, timeZone: Europe/Berlin, channels: [push], contacts: { push: token-4 }, uses: [app] }
  - { id: C-5, optOut: true, contacts: { email: five@example.com }, uses: [web-checkout] }
  - { id: C-6, locale: en-GB, timeZone: Europe/London, contacts: { email: six@example.com }, uses: [{ touchpoint: web-checkout, from: "2030-12-05T05:00:00Z", to: "2030-12-05T06:00:00Z" }] }
`;
const WINDOW = { start: '2030-12-05T02:00:00Z', end: '2030-12-05T04:00:00Z' };
const RESTORE = '2030-12-05T07:00:00Z';

const dir = mkdtempSync(join(tmpdir(), 'impact-e2e-cm-'));
writeFileSync(join(dir, 'graph.yaml'), graph);
// As a user would configure npm start; the merge window is 0 because updates here follow their notices within seconds.
writeFileSync(join(dir, 'impact.local.json'), JSON.stringify({ subscriptions: [], approvalPolicy: { sev3: 'draft', sev4: 'draft' }, mergeWindowMinutes: 0 }));
let runtime: LocalRuntime;
let model: Graph;

type Notice = { kind: string; customerId: string; subject: string; channel: string; text: string; title: string };
const notices = (subject: string, kind?: string): Notice[] =>
  outboxLines(runtime.outboxFile)
    .filter((m) => m.topic === 'customer-notices' && m.message.subject === subject && (!kind || m.message.kind === kind))
    .map((m) => m.message);
const ids = (list: { customerId: string }[]) => list.map((n) => n.customerId).sort();
const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
  const res = await fetch(`${runtime.apiUrl}/api${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() };
};
const put = async (detailType: string, detail: Record<string, unknown>) => {
  const client = new EventBridgeClient({ endpoint: runtime.eventsUrl, ...LOCAL_AWS });
  const out = await client.send(
    new PutEventsCommand({ Entries: [{ EventBusName: 'impact', Source: 'acme.changes', DetailType: detailType, Detail: JSON.stringify(detail) }] }),
  );
  expect(out.FailedEntryCount).toBe(0);
};
/** The customers the events hit who can be reached, by the pure what-if over the graph file. */
const reachable = (...events: { 'detail-type': string; detail: Record<string, unknown> }[]) =>
  assess(
    model,
    foldSubject(events.map((e, i) => parseEvent({ ...e, detail: { occurredAt: new Date(Date.UTC(2030, 0, 1) + i * 60_000).toISOString(), ...e.detail } }))),
  )
    .customers.filter((c) => c.notify.length > 0)
    .map((c) => c.id)
    .sort();
const at = (customerId: string, iso: string) => {
  const c = model.customers.get(customerId)!;
  return new Intl.DateTimeFormat(c.locale, { timeZone: c.timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(Date.parse(iso));
};

const scheduled = {
  'detail-type': 'Change Scheduled',
  detail: { changeId: 'CHG-M1', title: 'Payments maintenance', window: WINDOW, impacts: [{ node: 'payments-db' }] },
};
const message = { 'detail-type': 'Change Updated', detail: { changeId: 'CHG-M1', customerMessage: 'Pay in the app.' } };
const failed = { 'detail-type': 'Change Failed', detail: { changeId: 'CHG-M1', note: 'migration failed', expectedResolutionAt: RESTORE } };

beforeAll(async () => {
  model = (await loadGraph({ graphFiles: [join(dir, 'graph.yaml')] })).graph;
  const config = localConfig(JSON.parse(readFileSync(join(dir, 'impact.local.json'), 'utf8')), 'impact.local.json');
  runtime = await startLocalRuntime({
    dataDir: join(dir, 'data'),
    eventsPort: 0,
    apiPort: 0,
    inMemory: true,
    seed: { graphFiles: [join(dir, 'graph.yaml')] },
    subscriptions: config.subscriptions,
    settings: config.settings,
    log: () => {},
  });
}, 120_000);
afterAll(async () => {
  await runtime?.stop();
});

describe('the change manager on the local runtime: draft, preview, approve, update, failure', () => {
  it('a change scheduled as a draft through the API tells nobody; the API shows the held counts and every text', async () => {
    const res = await api('POST', '/events', { ...scheduled, detail: { ...scheduled.detail, notify: 'draft' } });
    expect(res.status).toBe(202);
    await runtime.idle();
    expect(notices('change#CHG-M1')).toEqual([]);
    expect(reachable(scheduled)).toEqual(['C-1', 'C-2', 'C-4']);

    const drafts = (await api('GET', '/drafts')).body.drafts;
    // C-5 is affected but opted out: counted as unreachable, never sent.
    expect(drafts).toEqual([
      expect.objectContaining({
        subjectKey: 'change#CHG-M1',
        byKind: { 'change-notice': 4 },
        customers: 4,
        unreachable: 1,
        draftedBy: { type: 'person', id: 'local', source: 'console' },
      }),
    ]);
    const subject = (await api('GET', '/subjects/change/CHG-M1')).body;
    const previews = subject.held.previews as {
      requestedLocale: string;
      channel: string;
      effect: string;
      count: number;
      text?: string;
      subject?: string;
      body?: string;
    }[];
    expect(previews.map((p) => [p.requestedLocale, p.channel, p.effect, p.count])).toEqual([
      ['de-DE', 'push', 'degraded', 1],
      ['en-GB', 'email', 'outage', 1],
      ['nl-NL', 'sms', 'outage', 1],
    ]);
    expect(previews[2].text).toContain('Gepland onderhoud');
    expect(previews[1].subject).toBe('Planned maintenance: Payments maintenance');
    expect(subject.history).toEqual([
      expect.objectContaining({
        detailType: 'Change Scheduled',
        source: 'impact.console',
        notify: 'draft',
        actor: { type: 'person', id: 'local', source: 'console' },
      }),
    ]);
  });

  it('approved through the API: exactly the customers it hits are told, once, and the history says who approved', async () => {
    const res = await api('POST', '/subjects/change/CHG-M1/approve', { note: 'checked with the airport' });
    expect(res).toMatchObject({ status: 202, body: { accepted: true, subjectKey: 'change#CHG-M1' } });
    await runtime.idle();
    expect(ids(notices('change#CHG-M1'))).toEqual(reachable(scheduled));
    expect(notices('change#CHG-M1').every((n) => n.kind === 'change-notice')).toBe(true);
    const subject = (await api('GET', '/subjects/change/CHG-M1')).body;
    expect(subject.held).toBeUndefined();
    expect(subject.noticesByKind).toEqual({ 'change-notice': 3 });
    expect(subject.history.map((h: { detailType: string; actor?: { id?: string } }) => [h.detailType, h.actor?.id])).toEqual([
      ['Change Scheduled', 'local'],
      ['Notices Approved', 'local'],
    ]);
    expect((await api('GET', '/drafts')).body.drafts).toEqual([]);
    expect((await api('POST', '/subjects/change/CHG-M1/approve', {})).status).toBe(409);
  });

  it('a message-only update reaches exactly those told, with the new instructions', async () => {
    const told = ids(notices('change#CHG-M1', 'change-notice'));
    await put(message['detail-type'], message.detail);
    await runtime.idle();
    const updates = notices('change#CHG-M1', 'change-update');
    expect(ids(updates)).toEqual(told);
    expect(updates.every((n) => n.text.includes('Pay in the app.'))).toBe(true);
  });

  it('a failed change reaches those told and whoever it now hits, saying what is still unavailable and until when', async () => {
    const told = ids(notices('change#CHG-M1', 'change-notice'));
    await put(failed['detail-type'], failed.detail);
    await runtime.idle();
    const failures = notices('change#CHG-M1', 'change-failed');
    const now = reachable(scheduled, message, failed);
    expect(now).toContain('C-6');
    expect(ids(failures)).toEqual([...new Set([...told, ...now])].sort());
    const one = failures.find((n) => n.customerId === 'C-1')!;
    expect(one.text).toContain(`For now, Website checkout will remain unavailable. We expect everything to work again by ${at('C-1', RESTORE)}.`);
    expect(failures.find((n) => n.customerId === 'C-6')!.text).toContain(`We expect everything to work again by ${at('C-6', RESTORE)}.`);
    const subject = (await api('GET', '/subjects/change/CHG-M1')).body;
    expect(subject.state).toMatchObject({ status: 'failed', expectedResolutionAt: Date.parse(RESTORE) });
    const lookup = (await api('GET', '/customers/C-6')).body;
    expect(lookup.impacts).toEqual([expect.objectContaining({ subjectKey: 'change#CHG-M1', expectedResolutionAt: Date.parse(RESTORE) })]);
  });

  it('the approval policy of impact.local.json holds a sev3 incident until it is approved', async () => {
    const opened = {
      'detail-type': 'Incident Opened',
      detail: { incidentId: 'INC-M1', title: 'Kiosks slow', severity: 'sev3', impacts: [{ node: 'net-ams' }] },
    };
    await put(opened['detail-type'], opened.detail);
    await runtime.idle();
    expect(notices('incident#INC-M1')).toEqual([]);
    expect((await api('GET', '/drafts')).body.drafts).toEqual([
      expect.objectContaining({ subjectKey: 'incident#INC-M1', severity: 'sev3', byKind: { 'incident-notice': 2 } }),
    ]);
    expect((await api('POST', '/subjects/incident/INC-M1/approve')).status).toBe(415);
    expect((await api('POST', '/subjects/incident/INC-M1/approve', {})).status).toBe(202);
    await runtime.idle();
    expect(ids(notices('incident#INC-M1', 'incident-notice'))).toEqual(reachable(opened));
  });
});
