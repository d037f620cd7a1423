/**
 * `impact send` as a change manager runs it: the real command, against an HTTP endpoint that answers
 * PutEvents as EventBridge does and keeps what it was sent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseEvent } from '../../functions/domain/events/index.ts';
import { impact, scratch } from '../support/cli.ts';

interface Entry {
  Source: string;
  DetailType: string;
  Detail: string;
}
let server: Server;
let endpoint: string;
let received: Entry[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const entries = (JSON.parse(body) as { Entries: Entry[] }).Entries;
      received.push(...entries);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `ev-${received.length - entries.length + i}` })) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received = [];
});

const sentEvents = () => received.map((e) => parseEvent({ 'detail-type': e.DetailType, source: e.Source, detail: JSON.parse(e.Detail) }, { receivedAt: 0 }));
const me = { type: 'person', id: userInfo().username, source: 'impact-cli' };

describe('impact send', () => {
  it('given notices-approved --subject change#CHG-1, then it puts Notices Approved for that change with the OS user as actor', async () => {
    const { code, stdout } = await impact('send', 'notices-approved', '--subject', 'change#CHG-1', '--note', 'texts checked', '--endpoint', endpoint);
    expect(code).toBe(0);
    expect(stdout).toBe('event 0: accepted as ev-0\n');
    const [event] = sentEvents();
    expect(event).toMatchObject({ detailType: 'Notices Approved', subjectType: 'change', subjectId: 'CHG-1', detail: { note: 'texts checked', actor: me } });
  });

  it('given a change built from options with --notify draft, then the change is a draft, sent by the OS user', async () => {
    const { code } = await impact(
      'send',
      'change-scheduled',
      '--change',
      'CHG-D',
      '--node',
      'net-ams',
      '--start',
      '2030-12-07T02:00:00Z',
      '--end',
      '2030-12-07T03:00:00Z',
      '--notify',
      'draft',
      '--endpoint',
      endpoint,
    );
    expect(code).toBe(0);
    expect(sentEvents()[0].detail).toMatchObject({ changeId: 'CHG-D', notify: 'draft', actor: me });
  });

  it('given an event file whose events name their own actor, then that actor is kept; the others get the OS user', async () => {
    const tool = { type: 'tool', source: 'servicenow', id: 'sys-1' };
    const file = scratch({
      'events.json': JSON.stringify([
        { 'detail-type': 'Incident Opened', detail: { incidentId: 'INC-1', title: 'x', severity: 'sev2', impacts: [], actor: tool } },
        { 'detail-type': 'Incident Updated', detail: { incidentId: 'INC-1', customerMessage: 'Use the app.', notify: false } },
      ]),
    })('events.json');
    expect((await impact('send', file, '--endpoint', endpoint)).code).toBe(0);
    expect(sentEvents().map((e) => e.detail.actor)).toEqual([tool, me]);
  });

  it('given a subject that names no subject, then it exits 2 with the fix, and sends nothing', async () => {
    const { code, stdout, stderr } = await impact('send', 'notices-approved', '--subject', 'CHG-1', '--endpoint', endpoint);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--subject "CHG-1" does not name a subject; give change#<id> or incident#<id>, e.g. --subject change#CHG-1');
    expect(received).toEqual([]);
  });
});
