import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../lib/local/runtime.ts';
import { LOCAL_AWS } from '../../lib/local/dynamodb-local.ts';
import { impact } from '../support/cli.ts';
import { outboxLines } from '../support/outbox.ts';

const graph = `
components: [{ id: payments-db }, { id: payments-api, dependsOn: [payments-db] }, { id: net-ams }]
touchpoints:
  - { id: web-checkout, name: Website checkout, channel: web, team: digital, dependsOn: [payments-api] }
  - { id: kiosk-ams, name: Kiosks Schiphol, channel: kiosk, team: airport-ops, region: AMS, dependsOn: [net-ams] }
customers:
  - { id: C-1, locale: en-GB, contacts: { email: one@example.com }, uses: [web-checkout] }
  - { id: C-2, locale: nl-NL, channels: [sms], contacts: { phone: "+31600000002" }, uses: [web-checkout, kiosk-ams] }
  - { id: C-3, contacts: { email: three@example.com }, uses: [kiosk-ams] }
`;

const dir = mkdtempSync(join(tmpdir(), 'impact-e2e-'));
writeFileSync(join(dir, 'graph.yaml'), graph);
let runtime: LocalRuntime;
let client: EventBridgeClient;
// An HTTP subscriber to support-briefings for one team, as impact.local.json would configure it.
const hook: { attributes: Record<string, string> }[] = [];
const hookServer = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    hook.push(JSON.parse(body));
    res.end();
  });
});
let hookUrl = '';
const options = () => ({
  dataDir: join(dir, 'data'),
  eventsPort: 0,
  apiPort: 0,
  seed: { graphFiles: [join(dir, 'graph.yaml')] },
  subscriptions: [{ topic: 'support-briefings' as const, filterPolicy: { team: ['digital'] }, endpoint: hookUrl }],
  // Updates here follow their notices within seconds; merging them (5 minutes by default) is tested elsewhere.
  settings: { mergeWindowMinutes: 0 },
  log: () => {},
});
const outbox = () => outboxLines(runtime.outboxFile);
const notices = () =>
  outbox()
    .filter((m) => m.topic === 'customer-notices')
    .map((m) => m.message as { kind: string; customerId: string; subject: string });
const put = (entries: { DetailType: string; Detail: unknown; Source?: string }[]) =>
  client.send(
    new PutEventsCommand({
      Entries: entries.map((e) => ({
        EventBusName: 'impact',
        Source: e.Source ?? 'acme.changes',
        DetailType: e.DetailType,
        Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail),
      })),
    }),
  );
const scheduled = {
  changeId: 'CHG-1',
  title: 'Payments maintenance',
  window: { start: '2030-12-05T02:00:00Z', end: '2030-12-05T04:00:00Z' },
  impacts: [{ node: 'payments-db' }],
};

beforeAll(async () => {
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hookServer.address() as { port: number }).port}/hook`;
  runtime = await startLocalRuntime(options());
  client = new EventBridgeClient({ endpoint: runtime.eventsUrl, ...LOCAL_AWS });
}, 120_000);
afterAll(async () => {
  await runtime?.stop();
  hookServer.close();
});

describe('npm start: the local runtime end to end', () => {
  it('a change through the PutEvents endpoint reaches the outbox; a bad entry gets its own error, the good one still goes', async () => {
    const out = await put([
      { DetailType: 'Change Scheduled', Detail: scheduled },
      { DetailType: 'Change Scheduled', Detail: 'not json' },
    ]);
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries?.[0].EventId).toBeTruthy();
    expect(out.Entries?.[1].ErrorCode).toBeTruthy();
    await runtime.idle();
    expect(
      notices()
        .map((n) => `${n.customerId}:${n.kind}`)
        .sort(),
    ).toEqual(['C-1:change-notice', 'C-2:change-notice']);
    const briefings = outbox().filter((m) => m.topic === 'support-briefings');
    expect(briefings.map((b) => b.attributes.team)).toContain('digital');
    await expect.poll(() => hook.length).toBeGreaterThan(0);
    expect(hook.every((m) => m.attributes.team === 'digital')).toBe(true);
    const api = await fetch(`${runtime.apiUrl}/api/subjects`).then((r) => r.json());
    expect(api.subjects).toEqual([expect.objectContaining({ subjectKey: 'change#CHG-1', customers: 2 })]);
    const caller = await fetch(`${runtime.apiUrl}/api/customers/C-2`).then((r) => r.json());
    expect(caller.impacts).toEqual([expect.objectContaining({ subjectKey: 'change#CHG-1' })]);
  });

  it('an incident lifecycle: opened then resolved, each customer told once of each', async () => {
    await put([{ DetailType: 'Incident Opened', Detail: { incidentId: 'INC-1', title: 'Kiosks down', severity: 'sev2', impacts: [{ node: 'net-ams' }] } }]);
    await runtime.idle();
    await put([{ DetailType: 'Incident Resolved', Detail: { incidentId: 'INC-1' } }]);
    await runtime.idle();
    const incident = notices()
      .filter((n) => n.subject === 'incident#INC-1')
      .map((n) => `${n.customerId}:${n.kind}`)
      .sort();
    expect(incident).toEqual(['C-2:incident-notice', 'C-2:incident-resolved', 'C-3:incident-notice', 'C-3:incident-resolved']);
    // The airport team's briefing went out, but the HTTP subscriber filters on team=digital.
    expect(outbox().some((m) => m.topic === 'support-briefings' && m.attributes.team === 'airport-ops')).toBe(true);
    expect(hook.every((m) => m.attributes.team === 'digital')).toBe(true);
  });

  it('a restart resumes from its stream position: nothing skipped, nothing sent twice', async () => {
    await put([{ DetailType: 'Change Updated', Detail: { changeId: 'CHG-1', window: { start: '2030-12-06T02:00:00Z', end: '2030-12-06T04:00:00Z' } } }]);
    await runtime.stop();
    runtime = await startLocalRuntime(options());
    client = new EventBridgeClient({ endpoint: runtime.eventsUrl, ...LOCAL_AWS });
    await runtime.idle();
    const change = notices()
      .filter((n) => n.subject === 'change#CHG-1')
      .map((n) => `${n.customerId}:${n.kind}`)
      .sort();
    expect(change).toEqual(['C-1:change-notice', 'C-1:change-update', 'C-2:change-notice', 'C-2:change-update']);
  });

  it('impact send puts a change on the local endpoint from the command line', async () => {
    const { code, stdout } = await impact(
      'send',
      'change-scheduled',
      '--change',
      'CHG-S',
      '--node',
      'net-ams',
      '--start',
      '2030-12-07T02:00:00Z',
      '--end',
      '2030-12-07T03:00:00Z',
      '--endpoint',
      runtime.eventsUrl,
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/event 0: accepted as /);
    await runtime.idle();
    expect(
      notices()
        .filter((n) => n.subject === 'change#CHG-S')
        .map((n) => n.customerId)
        .sort(),
    ).toEqual(['C-2', 'C-3']);
  });

  it('the console answers while the pipeline keeps its thread busy (a fan-out): the API has a thread of its own', async () => {
    // A caller in another process asks for the subjects while this thread (the pipeline's) does not
    // yield at all; an API on this thread could only answer once it does.
    const marks = mkdtempSync(join(tmpdir(), 'impact-busy-'));
    const [started, answered] = [join(marks, 'started'), join(marks, 'answered')];
    const caller = `
      const { writeFileSync } = require('node:fs');
      writeFileSync(${JSON.stringify(started)}, '');
      fetch(${JSON.stringify(`${runtime.apiUrl}/api/subjects`)}).then(async (r) => writeFileSync(${JSON.stringify(answered)}, r.status + ' ' + (await r.text())));
    `;
    const child = spawn(process.execPath, ['-e', caller], { stdio: 'ignore' });
    const busyUntil = (done: () => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (!done() && Date.now() < end);
    };
    busyUntil(() => existsSync(started), 30_000);
    expect(existsSync(started)).toBe(true);
    busyUntil(() => existsSync(answered), 10_000);
    const answeredWhileBusy = existsSync(answered);
    await new Promise((r) => child.once('exit', r));
    expect(answeredWhileBusy).toBe(true);
    const [status, ...body] = readFileSync(answered, 'utf8').split(' ');
    expect(status).toBe('200');
    expect(JSON.parse(body.join(' ')).subjects.map((s: { subjectKey: string }) => s.subjectKey)).toContain('change#CHG-1');
  });
});
