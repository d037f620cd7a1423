import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS } from '../../lib/local/dynamodb-local.ts';
import { startLocalRuntime, type LocalRuntime } from '../../lib/local/runtime.ts';
import type { CustomerDeliveriesView, SubjectDeliveriesView, UnreachedPage } from '../../functions/handlers/api/deliveries.ts';
import { outboxLines } from '../support/outbox.ts';

// Customers whose addresses make the local stand-ins behave like SES and End User Messaging SMS do for
// bad contacts (lib/local/deliverers.ts): a hard bounce, a complaint, an invalid number.
const graph = `
components: [{ id: kiosk-net }]
touchpoints:
  - { id: kiosk, name: Kiosks, channel: kiosk, dependsOn: [kiosk-net] }
customers:
  - { id: C-BOUNCE, channels: [email, sms], contacts: { email: pat@bounce.invalid, phone: "+31600000001" }, uses: [kiosk] }
  - { id: C-OK, contacts: { email: ok@example.com }, uses: [kiosk] }
  - { id: C-COMPLAIN, channels: [email, sms], contacts: { email: kim@complaint.invalid, phone: "+31600000003" }, uses: [kiosk] }
  - { id: C-NOWHERE, channels: [email, sms], contacts: { email: lost@bounce.invalid, phone: "+99900000004" }, uses: [kiosk] }
`;

const dir = mkdtempSync(join(tmpdir(), 'impact-delivery-'));
writeFileSync(join(dir, 'graph.yaml'), graph);
let runtime: LocalRuntime;
let client: EventBridgeClient;
const logged: string[] = [];

const outbox = () => outboxLines(runtime.outboxFile);
const notices = () =>
  outbox()
    .filter((m) => m.topic === 'customer-notices')
    .map((m) => m.message as { kind: string; customerId: string; channel: string; noticeId: string });
const sent = (customerId: string) =>
  notices()
    .filter((n) => n.customerId === customerId)
    .map((n) => `${n.kind}:${n.channel}`);
const api = async <T>(path: string): Promise<T> => fetch(`${runtime.apiUrl}/api${path}`).then((r) => r.json() as Promise<T>);
const put = (detailType: string, detail: Record<string, unknown>) =>
  client.send(
    new PutEventsCommand({ Entries: [{ EventBusName: 'impact', Source: 'acme.incidents', DetailType: detailType, Detail: JSON.stringify(detail) }] }),
  );

beforeAll(async () => {
  runtime = await startLocalRuntime({
    dataDir: join(dir, 'data'),
    eventsPort: 0,
    apiPort: 0,
    seed: { graphFiles: [join(dir, 'graph.yaml')] },
    settings: { mergeWindowMinutes: 0 },
    log: (line) => void logged.push(line),
  });
  client = new EventBridgeClient({ endpoint: runtime.eventsUrl, ...LOCAL_AWS });
}, 120_000);
afterAll(async () => {
  await runtime?.stop();
});

describe('npm start: delivery with receipts, bounce to SMS, on one machine', () => {
  it('a bounced e-mail is sent once more by SMS; a complaint is an opt-out; nobody is told twice on a channel', async () => {
    // Act
    await put('Incident Opened', { incidentId: 'INC-1', title: 'Kiosks down', severity: 'sev2', impacts: [{ node: 'kiosk-net' }] });
    await runtime.idle();

    // Assess: the notice went by e-mail to everyone; the bounced ones once more by SMS, exactly once.
    expect(sent('C-OK')).toEqual(['incident-notice:email']);
    expect(sent('C-BOUNCE')).toEqual(['incident-notice:email', 'incident-notice:sms']);
    expect(sent('C-COMPLAIN')).toEqual(['incident-notice:email']);
    expect(sent('C-NOWHERE')).toEqual(['incident-notice:email', 'incident-notice:sms']);
    const ids = notices()
      .filter((n) => n.customerId === 'C-BOUNCE')
      .map((n) => n.noticeId);
    expect(new Set(ids).size, 'the SMS carries the same notice').toBe(1);
    // The receipts went round the bus as pipeline events (the topic-only runtime below has none).
    expect(readFileSync(join(dir, 'data', 'pipeline-events.jsonl'), 'utf8')).toMatch(/"Notice Failed"[^\n]*"permanent":true/);

    // The API: delivered and failed by channel, and only the customer no channel reached on the call-back list.
    const deliveries = await api<SubjectDeliveriesView>('/subjects/incident/INC-1/deliveries');
    expect(deliveries.byChannel.email).toMatchObject({ sent: 4, delivered: 2, failed: 2, pending: 0 });
    expect(deliveries.byChannel.sms).toMatchObject({ sent: 2, delivered: 1, failed: 1, pending: 0 });
    expect(deliveries.total.deliveredWithin15Minutes).toBe(3);
    const unreached = await api<UnreachedPage>('/subjects/incident/INC-1/unreached');
    expect(unreached.customers.map((c) => c.customerId)).toEqual(['C-NOWHERE']);
    expect(unreached.customers[0].reason).toMatch(/email/);
    const history = await api<CustomerDeliveriesView>('/customers/C-BOUNCE/deliveries');
    expect(history.notices).toEqual([
      expect.objectContaining({
        kind: 'incident-notice',
        outcome: 'delivered',
        channels: [
          expect.objectContaining({ channel: 'email', status: 'failed', permanent: true }),
          expect.objectContaining({ channel: 'sms', status: 'delivered' }),
        ],
      }),
    ]);
    for (const body of [deliveries, unreached, history]) {
      expect(JSON.stringify(body)).not.toMatch(/bounce\.invalid|complaint\.invalid|\+316|\+999/);
    }
  });

  it('the next notice goes on the channel that works: no more e-mail after a bounce or a complaint', async () => {
    await put('Incident Updated', { incidentId: 'INC-1', status: 'identified', customerMessage: 'Use the desks in hall 2.' });
    await runtime.idle();
    expect(sent('C-BOUNCE').filter((s) => s.startsWith('incident-update'))).toEqual(['incident-update:sms']);
    expect(sent('C-COMPLAIN').filter((s) => s.startsWith('incident-update'))).toEqual(['incident-update:sms']);
    expect(sent('C-OK').filter((s) => s.startsWith('incident-update'))).toEqual(['incident-update:email']);
    expect(sent('C-NOWHERE').filter((s) => s.startsWith('incident-update'))).toEqual([]);
    const unreached = await api<UnreachedPage>('/subjects/incident/INC-1/unreached');
    expect(unreached.customers.map((c) => c.customerId)).toEqual(['C-NOWHERE']);
  });

  it('no contact detail in any line the runtime logged', () => {
    expect(logged.join('\n')).not.toMatch(/bounce\.invalid|complaint\.invalid|example\.com|\+316|\+999/);
  });
});

describe('npm start -- --delivery topic-only', () => {
  it('notices stop at customer-notices: nothing is delivered, no receipt, no fallback', async () => {
    const own = await startLocalRuntime({
      dataDir: join(dir, 'topic-only'),
      eventsPort: 0,
      apiPort: 0,
      inMemory: true,
      delivery: 'topic-only',
      seed: { graphFiles: [join(dir, 'graph.yaml')] },
      settings: { mergeWindowMinutes: 0 },
      log: () => {},
    });
    try {
      await fetch(`${own.apiUrl}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          'detail-type': 'Incident Opened',
          detail: { incidentId: 'INC-9', title: 'Kiosks down', severity: 'sev2', impacts: [{ node: 'kiosk-net' }] },
        }),
      });
      await own.idle();
      const lines = readFileSync(own.outboxFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const told = lines
        .filter((m) => m.topic === 'customer-notices')
        .map((m) => `${m.message.customerId}:${m.message.channel}`)
        .sort();
      // Every customer once, on the planned channel: the bounced addresses are not found out, so no SMS follows.
      expect(told).toEqual(['C-BOUNCE:email', 'C-COMPLAIN:email', 'C-NOWHERE:email', 'C-OK:email']);
      const deliveries = await fetch(`${own.apiUrl}/api/subjects/incident/INC-9/deliveries`).then((r) => r.json() as Promise<SubjectDeliveriesView>);
      expect(deliveries.total).toMatchObject({ sent: 0, delivered: 0, failed: 0, pending: 0 });
      const pipelineEvents = join(dir, 'topic-only', 'pipeline-events.jsonl');
      expect(existsSync(pipelineEvents) ? readFileSync(pipelineEvents, 'utf8') : '').not.toMatch(/Notice (Delivered|Failed)/);
    } finally {
      await own.stop();
    }
  }, 120_000);
});
