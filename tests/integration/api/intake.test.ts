/**
 * POST /intake/{source} through the api handler, with the vendors' documented payloads (tests/fixtures/intake),
 * secrets read from (mocked) Secrets Manager, the graph in DynamoDB Local, and what goes on the bus handed
 * to ingest: signed as each tool signs, refused when not (401, recorded), refused payloads (400, recorded
 * with their unknown names), ignored ones (202), and a redelivered webhook stored once.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerCredentials } from '../../../functions/adapters/intake-secrets.ts';
import { buildApiHandler } from '../../../functions/handlers/api.ts';
import { submitTo } from '../../../functions/handlers/api/events.ts';
import type { IntakeConfig } from '../../../functions/domain/intake/index.ts';
import { routesFor } from '../../../lib/routes.ts';
import { graphOf } from '../../support/graphs.ts';
import { context, pipeline } from '../../support/pipeline.ts';
import { caller, type CallOptions } from './requests.ts';

const NOW = Date.parse('2026-11-28T14:00:00Z');
const DAY = '2026-11-28';
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/intake/${name}`, import.meta.url), 'utf8'));
const arn = (source: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:impact-intake-${source}-AbCdEf`;
const SECRETS = {
  pagerduty: 'pd-signing-secret',
  servicenow: JSON.stringify({ secrets: ['sn-password'], username: 'sn-integration' }),
  alertmanager: 'am-bearer-token',
  jira: 'jira-webhook-secret',
};
const config: IntakeConfig = {
  jira: { fields: { plannedStart: 'customfield_10015', plannedEnd: 'customfield_10016', affectedServices: 'customfield_10043' } },
};

const DB_SYS_ID = 'a9c0c8d2c6112276018f7705562f9cb0';
const graph = graphOf({
  components: [
    { id: 'payments-db', ci: [DB_SYS_ID] },
    { id: 'payments-api', dependsOn: ['payments-db'], services: ['PF9KMXH'] },
    { id: 'status-site', alerts: [{ alertname: 'ProbeFailure', instance: 'https://server.example.org' }] },
    { id: 'kiosk-fleet', services: ['b2c1-kiosk'] },
  ],
  touchpoints: [
    { id: 'web', channel: 'web', dependsOn: ['payments-api', 'status-site'] },
    { id: 'kiosk', channel: 'kiosk', dependsOn: ['kiosk-fleet'] },
  ],
  customers: [
    { id: 'C-1', contacts: { email: 'c1@example.com' }, uses: ['web'] },
    { id: 'C-2', contacts: { email: 'c2@example.com' }, uses: ['kiosk'] },
  ],
});

// ---- the documented payloads, moved to the states these tests need (the files stay the vendors' examples) ----
const field = (value: unknown, display = value) => ({ display_value: display, value });
const serviceNowScheduled = () => {
  const r = fixture('servicenow-change-request.json');
  Object.assign(r.result, {
    state: field(-2, 'Scheduled'),
    start_date: field('2026-12-05 02:00:00'),
    end_date: field('2026-12-05 04:00:00'),
    cmdb_ci: field(DB_SYS_ID, 'payments-db-01'),
    close_code: field(''),
  });
  return r;
};
const pagerDuty = (eventType: string, over: Record<string, unknown> = {}) => {
  const hook = fixture('pagerduty-incident-priority-updated.json');
  Object.assign(hook.event, { event_type: eventType, id: `${eventType}-1`, occurred_at: '2026-11-28T13:55:00Z' });
  Object.assign(hook.event.data, over);
  return hook;
};
const jiraChange = () => {
  const hook = fixture('jira-issue-updated.json');
  Object.assign(hook.issue.fields, {
    status: { name: 'Awaiting implementation' },
    customfield_10015: '2026-12-06T03:00:00.000+0100',
    customfield_10016: '2026-12-06T05:00:00.000+0100',
    customfield_10043: [{ id: 'b2c1-kiosk' }],
  });
  return hook;
};
const alertmanager = () => {
  const hook = fixture('alertmanager-webhook.json');
  hook.alerts[0].startsAt = '2026-11-28T13:50:00Z';
  return hook;
};

// ---- how each tool signs ----
const hmac = (secret: string, body: string | Buffer) => createHmac('sha256', secret).update(body).digest('hex');
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const SIGNED: Record<string, (body: string) => Record<string, string>> = {
  pagerduty: (body) => ({ 'x-pagerduty-signature': `v1=${hmac('pd-signing-secret', body)}` }),
  servicenow: () => ({ authorization: basic('sn-integration', 'sn-password') }),
  alertmanager: () => ({ authorization: 'Bearer am-bearer-token' }),
  jira: (body) => ({ 'x-hub-signature': `sha256=${hmac('jira-webhook-secret', body)}` }),
};

let p: Awaited<ReturnType<typeof pipeline>>;
let call: ReturnType<typeof caller>;
let requests = 0;
/** Posts a payload as the tool sends it: the exact bytes, signed as the tool signs (unless told otherwise). */
const post = (source: string, payload: unknown, options: CallOptions & { sign?: boolean } = {}) => {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const { sign = true, ...rest } = options;
  return call('POST', `/intake/${source}`, {
    body,
    groups: null,
    requestId: `req-${++requests}`,
    ...rest,
    headers: { ...(sign ? SIGNED[source]?.(body) : {}), ...rest.headers },
  });
};
let delivered = 0;
/** What the API put on the bus, handed to ingest as the bus's rules deliver it (lib/routes.ts). */
const deliverToIngest = async () => {
  for (const end = p.aws.events.length; delivered < end; delivered++) {
    const e = p.aws.events[delivered];
    if (!routesFor('impact', { source: e.source, 'detail-type': e.detailType }).includes('ingest')) continue;
    await p.ingest(
      {
        version: '0',
        id: `bus-${delivered}`,
        'detail-type': e.detailType,
        source: e.source,
        account: '123456789012',
        time: new Date(NOW).toISOString(),
        region: 'eu-west-1',
        resources: [],
        detail: e.detail,
      } as EventBridgeEvent<string, unknown>,
      context,
    );
  }
};
const rejections = () => p.deps.projections.rejectionsOn(DAY);

beforeAll(async () => {
  p = await pipeline(() => NOW);
  await p.deps.graph.import(graph);
  for (const [source, value] of Object.entries(SECRETS)) p.aws.secrets.set(arn(source), value);
  const credentials = new SecretsManagerCredentials(
    new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    Object.fromEntries(Object.keys(SECRETS).map((s) => [s, arn(s)])),
  );
  call = caller(buildApiHandler({ ...p.deps, submit: submitTo(p.deps.pipelineEvents), intake: { credentials, config } }));
});
afterAll(() => p.aws.restore());

describe('POST /intake/{source}: each tool, signed as it signs', () => {
  it.each([
    ['servicenow', serviceNowScheduled, 'change#CHG0000024', 'Change Scheduled'],
    ['pagerduty', () => pagerDuty('incident.triggered'), 'incident#PD-PGR0VU2', 'Incident Opened'],
    ['alertmanager', alertmanager, undefined, 'Incident Opened'],
    ['jira', jiraChange, 'change#JRA-20002', 'Change Scheduled'],
  ] as const)(
    '%s: 202 with its events, put on the bus with the tool as source; stored with source and actor, shown in the history',
    async (source, payload, subject, detailType) => {
      // Act
      const res = await post(source, payload());
      await deliverToIngest();
      await p.drain();
      // Assess
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body).toMatchObject({ accepted: true, source, unknownNames: [] });
      const [first] = res.body.events;
      expect(first.detailType).toBe(detailType);
      if (subject) expect(first.subject).toBe(subject);
      const onBus = p.aws.events.filter((e) => e.detail.eventId === first.eventId);
      expect(onBus.map((e) => e.source)).toEqual([source]);
      const [type, id] = first.subject.split('#');
      const view = await call('GET', `/subjects/${type}/${id}`);
      expect(view.body.history[0]).toMatchObject({ detailType, eventId: first.eventId, source, actor: { type: 'tool', source } });
    },
  );

  it('the same webhook delivered twice is one event in the store', async () => {
    const payload = pagerDuty('incident.acknowledged');
    const first = await post('pagerduty', payload);
    const again = await post('pagerduty', payload);
    await deliverToIngest();
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.body.events).toEqual(first.body.events);
    const stored = await p.deps.events.readSubject('incident#PD-PGR0VU2');
    expect(stored.filter((s) => s.event.eventId === first.body.events[0].eventId)).toHaveLength(1);
  });

  it('a base64-encoded body (as API Gateway hands some over) is checked over its real bytes', async () => {
    const body = JSON.stringify(pagerDuty('incident.priority_updated'));
    const res = await call('POST', '/intake/pagerduty', { body, base64: true, groups: null, requestId: `req-${++requests}`, headers: SIGNED.pagerduty(body) });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
  });

  it('reads each secret once while it is cached, not once per request', async () => {
    const before = p.aws.secretReads();
    for (let i = 0; i < 3; i++) expect((await post('alertmanager', alertmanager())).status).toBe(202);
    expect(p.aws.secretReads()).toBe(before);
  });
});

describe('POST /intake/{source}: refused', () => {
  it('no signature: 401, recorded as "missing" naming the source, nothing on the bus but the rejection', async () => {
    const busBefore = p.aws.events.length;
    const res = await post('pagerduty', pagerDuty('incident.triggered'), { sign: false });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/pagerduty request refused \(missing\): the request has no X-PagerDuty-Signature; sign it with X-PagerDuty-Signature/);
    expect(res.headers['www-authenticate']).toBeTruthy();
    expect(p.aws.events.slice(busBefore).map((e) => e.detailType)).toEqual(['Event Rejected']);
    const recorded = (await rejections()).find((r) => r.eventId === `intake:pagerduty:req-${requests}`);
    expect(recorded).toMatchObject({ source: 'pagerduty', code: 'missing', reasons: ['the request has no X-PagerDuty-Signature'], raw: '' });
  });

  it('a wrong signature or password: 401 "mismatch", and neither the response nor the record holds what was presented', async () => {
    const body = JSON.stringify(pagerDuty('incident.triggered'));
    const forged = hmac('guessed-secret', body);
    const res = await post('pagerduty', body, { sign: false, headers: { 'x-pagerduty-signature': `v1=${forged}` } });
    const password = await post('servicenow', serviceNowScheduled(), { sign: false, headers: { authorization: basic('sn-integration', 'hunter2-guess') } });
    expect([res.status, password.status]).toEqual([401, 401]);
    const records = (await rejections()).filter((r) => r.code === 'mismatch');
    expect(records.map((r) => r.source).sort()).toEqual(['pagerduty', 'servicenow']);
    const everything = JSON.stringify([res.body, password.body, records, p.aws.events]);
    expect(everything).not.toContain(forged);
    expect(everything).not.toContain('hunter2-guess');
    expect(everything).not.toContain(Buffer.from('sn-integration:hunter2-guess').toString('base64'));
  });

  it('a signature of another body (the payload changed on the way): 401 mismatch', async () => {
    const signedFor = JSON.stringify(pagerDuty('incident.triggered'));
    const sent = JSON.stringify(pagerDuty('incident.resolved'));
    const res = await post('pagerduty', sent, { sign: false, headers: SIGNED.pagerduty(signedFor) });
    expect(res.status).toBe(401);
    expect(res.body.error).toContain('(mismatch)');
  });

  it('a payload naming nothing the graph knows: 400 with the reasons, recorded with its unknown names', async () => {
    const res = await post(
      'pagerduty',
      pagerDuty('incident.triggered', { id: 'PNEW001', service: { id: 'PZZZ999', summary: 'Billing', type: 'service_reference' } }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/pagerduty payload refused \(unknown-names\); names no graph node lists: service "Billing \(PZZZ999\)"/);
    expect(res.body.problems).toEqual([{ field: 'event.data.service', message: expect.stringMatching(/names nothing known to the graph/) }]);
    const recorded = (await rejections()).find((r) => r.eventId === `intake:pagerduty:req-${requests}`);
    expect(recorded).toMatchObject({ source: 'pagerduty', code: 'unknown-names', unknownNames: [{ kind: 'service', value: 'Billing (PZZZ999)' }] });
    expect(recorded?.raw).toContain('PZZZ999');
    expect(p.aws.events.find((e) => e.detailType === 'Event Rejected' && e.detail.eventId === recorded?.eventId)?.detail).toMatchObject({
      code: 'unknown-names',
    });
  });

  it('a body that is not JSON: 400 naming the body, recorded', async () => {
    const res = await post('alertmanager', 'status=firing&alertname=DiskFull');
    expect(res.status).toBe(400);
    expect(res.body.problems).toEqual([{ field: 'body', message: expect.stringMatching(/^is not JSON/) }]);
    expect((await rejections()).find((r) => r.eventId === `intake:alertmanager:req-${requests}`)).toMatchObject({
      code: 'invalid-payload',
      source: 'alertmanager',
    });
  });

  it('a payload that says nothing about customers is ignored: 202 with the reason, nothing on the bus, nothing recorded', async () => {
    const busBefore = p.aws.events.length;
    const rejectedBefore = (await rejections()).length;
    const r = serviceNowScheduled();
    r.result.state = field(-4, 'Assess');
    const res = await post('servicenow', r);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: false, source: 'servicenow', ignored: expect.stringMatching(/Assess/) });
    expect(p.aws.events.length).toBe(busBefore);
    expect((await rejections()).length).toBe(rejectedBefore);
  });

  it('an unknown source is a 404 naming the sources; AWS Health is told it comes through EventBridge', async () => {
    const res = await post('opsgenie', { alert: {} });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatch(/^no intake source "opsgenie"; post to \/intake\/<source> with one of /);
    for (const source of ['servicenow', 'jira', 'pagerduty', 'alertmanager']) expect(res.body.error).toContain(source);
    const health = await post('aws-health', fixture('aws-health-ec2-operational-issue.json'));
    expect(health.status).toBe(404);
    expect(health.body.error).toContain('come through EventBridge');
  });

  it("no Cognito token is needed, and a console user's token does not stand in for the signature", async () => {
    const res = await post('pagerduty', pagerDuty('incident.triggered'), { sign: false, groups: ['admin'] });
    expect(res.status).toBe(401);
  });
});
