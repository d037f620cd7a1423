/**
 * Intake on the local runtime, end to end: the tools' webhooks posted to /api/intake/<source> (ServiceNow
 * unsigned, PagerDuty signed, as impact.local.json would set them up) and an AWS Health event put on the
 * endpoint's default bus end as subjects with customer notices and briefings in the outbox.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS } from '../../lib/local/dynamodb-local.ts';
import { readLocalIntake } from '../../lib/local/intake.ts';
import { startLocalRuntime, type LocalRuntime } from '../../lib/local/runtime.ts';
import { outboxLines } from '../support/outbox.ts';

const graph = `
components:
  - { id: payments-db, team: payments, ci: [payments-db-01] }
  - { id: payments-api, team: payments, dependsOn: [payments-db], services: [PF9KMXH] }
  - { id: app-backend, team: digital, awsHealth: [{ service: EC2, region: eu-west-1 }] }
touchpoints:
  - { id: web-checkout, name: Website checkout, channel: web, team: digital, dependsOn: [payments-api] }
  - { id: app, name: Mobile app, channel: mobile, team: digital, dependsOn: [app-backend] }
customers:
  - { id: C-1, contacts: { email: one@example.com }, uses: [web-checkout] }
  - { id: C-2, contacts: { email: two@example.com }, uses: [web-checkout, app] }
  - { id: C-3, contacts: { email: three@example.com }, uses: [app] }
`;
const PD_SECRET = 'pd-e2e-signing-secret';
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/intake/${name}`, import.meta.url), 'utf8'));

/** ServiceNow's documented change request, scheduled on the payments database's CI in 2030. */
const serviceNowChange = () => {
  const r = fixture('servicenow-change-request.json');
  const field = (value: unknown, display = value) => ({ display_value: display, value });
  Object.assign(r.result, {
    state: field(-2, 'Scheduled'),
    start_date: field('2030-12-05 02:00:00'),
    end_date: field('2030-12-05 04:00:00'),
    cmdb_ci: field('0c3f4a5b6d7e8f901a2b3c4d5e6f7a8b', 'payments-db-01'),
    close_code: field(''),
  });
  return r;
};
/** PagerDuty's documented webhook as another event type. */
const pagerDuty = (eventType: string, id: string, occurredAt: string) => {
  const hook = fixture('pagerduty-incident-priority-updated.json');
  Object.assign(hook.event, { event_type: eventType, id, occurred_at: occurredAt });
  return hook;
};

const dir = mkdtempSync(join(tmpdir(), 'impact-intake-e2e-'));
writeFileSync(join(dir, 'graph.yaml'), graph);
let runtime: LocalRuntime;

const outbox = () => outboxLines(runtime.outboxFile);
const noticesAbout = (subject: string) =>
  outbox()
    .filter((m) => m.topic === 'customer-notices' && m.message.subject === subject)
    .map((m) => `${m.message.customerId}:${m.message.kind}`)
    .sort();
/** Posts a payload as the tool sends it: these exact bytes, with the tool's headers. */
const post = async (source: string, payload: unknown, headers: (body: string) => Record<string, string> = () => ({})) => {
  const body = JSON.stringify(payload);
  const res = await fetch(`${runtime.apiUrl}/api/intake/${source}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers(body) },
    body,
  });
  return { status: res.status, body: await res.json() };
};
const signedByPagerDuty = (body: string) => ({ 'x-pagerduty-signature': `v1=${createHmac('sha256', PD_SECRET).update(body).digest('hex')}` });
const subject = (type: string, id: string) => fetch(`${runtime.apiUrl}/api/subjects/${type}/${id}`).then((r) => r.json());

beforeAll(async () => {
  // As impact.local.json would say it: PagerDuty signs, ServiceNow has no secret here (unsigned).
  const intake = readLocalIntake({ secrets: { pagerduty: PD_SECRET } });
  if (!intake.ok) throw new Error(intake.problems.join('; '));
  runtime = await startLocalRuntime({
    dataDir: join(dir, 'data'),
    eventsPort: 0,
    apiPort: 0,
    seed: { graphFiles: [join(dir, 'graph.yaml')] },
    intake: intake.intake,
    settings: { mergeWindowMinutes: 0 },
    log: () => {},
  });
}, 120_000);
afterAll(async () => {
  await runtime?.stop();
});

describe('npm start: intake from the tools', () => {
  it('a ServiceNow change request posted to /api/intake/servicenow ends as a scheduled change with customer notices and a briefing linking the console', async () => {
    const res = await post('servicenow', serviceNowChange());
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.events).toEqual([expect.objectContaining({ detailType: 'Change Scheduled', subject: 'change#CHG0000024' })]);
    await runtime.idle();
    expect(noticesAbout('change#CHG0000024')).toEqual(['C-1:change-notice', 'C-2:change-notice']);
    const change = await subject('change', 'CHG0000024');
    expect(change.state).toMatchObject({ status: 'scheduled', window: { start: Date.parse('2030-12-05T02:00:00Z'), end: Date.parse('2030-12-05T04:00:00Z') } });
    expect(change.history[0]).toMatchObject({ source: 'servicenow', actor: { type: 'tool', source: 'servicenow' } });
    const briefing = outbox().find((m) => m.topic === 'support-briefings' && m.message.subject.id === 'CHG0000024');
    expect(briefing.message.link).toBe(`${runtime.apiUrl}/#change#CHG0000024`);
  });

  it('a PagerDuty incident.triggered opens an incident, and incident.resolved closes it: notices, then the resolution, once each', async () => {
    const unsigned = await post('pagerduty', pagerDuty('incident.triggered', 'pd-e2e-1', new Date(Date.now() - 60_000).toISOString()));
    expect(unsigned.status).toBe(401);
    const triggered = await post('pagerduty', pagerDuty('incident.triggered', 'pd-e2e-1', new Date(Date.now() - 60_000).toISOString()), signedByPagerDuty);
    expect(triggered.status, JSON.stringify(triggered.body)).toBe(202);
    await runtime.idle();
    expect(noticesAbout('incident#PD-PGR0VU2')).toEqual(['C-1:incident-notice', 'C-2:incident-notice']);
    // PagerDuty retries a delivery it did not see acknowledged: the same webhook again changes nothing.
    expect((await post('pagerduty', pagerDuty('incident.triggered', 'pd-e2e-1', new Date(Date.now() - 60_000).toISOString()), signedByPagerDuty)).status).toBe(
      202,
    );
    const resolved = await post('pagerduty', pagerDuty('incident.resolved', 'pd-e2e-2', new Date().toISOString()), signedByPagerDuty);
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(202);
    await runtime.idle();
    expect(noticesAbout('incident#PD-PGR0VU2')).toEqual(['C-1:incident-notice', 'C-1:incident-resolved', 'C-2:incident-notice', 'C-2:incident-resolved']);
    const incident = await subject('incident', 'PD-PGR0VU2');
    expect(incident.state.status).toBe('resolved');
    expect(incident.history.map((h: { detailType: string }) => h.detailType)).toEqual(['Incident Opened', 'Incident Resolved']);
  });

  it('an AWS Health event put on the default bus takes the forwarding rule to ingest and opens an incident on the nodes listing the service', async () => {
    const health = fixture('aws-health-ec2-operational-issue.json');
    const detail = {
      ...health.detail,
      eventRegion: 'eu-west-1',
      eventArn: health.detail.eventArn.replace('af-south-1', 'eu-west-1'),
      endTime: undefined,
      startTime: new Date(Date.now() - 60_000).toUTCString(),
      lastUpdatedTime: new Date().toUTCString(),
    };
    const client = new EventBridgeClient({ endpoint: runtime.eventsUrl, ...LOCAL_AWS });
    const out = await client.send(
      new PutEventsCommand({ Entries: [{ Source: 'aws.health', DetailType: 'AWS Health Event', Detail: JSON.stringify(detail) }] }),
    );
    expect(out.FailedEntryCount).toBe(0);
    await runtime.idle();
    const id = 'HEALTH-eu-west-1-AWS_EC2_OPERATIONAL_ISSUE_7f35c8ae-af1f-54e6-a526-d0179ed6d68f';
    expect(noticesAbout(`incident#${id}`)).toEqual(['C-2:incident-notice', 'C-3:incident-notice']);
    expect((await subject('incident', id)).history[0]).toMatchObject({ source: 'aws.health', actor: { type: 'tool', name: 'AWS Health' } });
  });
});
