import { describe, expect, it } from 'vitest';
import { impact, scratch } from '../support/cli.ts';

// A small estate checked by hand against DESIGN section 5:
//  db (outage) -> api -> web (hard)                   => web outage, path db > api > web
//  kiosk depends on api and softly on seatmap          => kiosk outage via api
//  app depends softly on api                           => app degraded (soft cap)
//  ivr depends on anyOf [pbx-a, pbx-b]; only pbx-a hit => ivr untouched
//  sms channel depends on sms-gw (outage)              => sms customers rerouted to e-mail
const graph = `
components:
  - { id: db }
  - { id: api, dependsOn: [db] }
  - { id: seatmap }
  - { id: pbx-a }
  - { id: pbx-b }
  - { id: sms-gw }
touchpoints:
  - { id: web, channel: web, dependsOn: [api] }
  - { id: kiosk, channel: kiosk, dependsOn: [api, { id: seatmap, type: soft }] }
  - { id: app, channel: mobile, dependsOn: [{ id: api, type: soft }] }
  - { id: ivr, channel: ivr, dependsOn: [{ anyOf: [pbx-a, pbx-b] }] }
notificationChannels:
  - { channel: sms, dependsOn: [sms-gw] }
`;
const customers = `id,segment,locale,timeZone,email,phone,push,channels,optOut,quietStart,quietEnd
C-1,gold,nl-NL,Europe/Amsterdam,one@example.com,+31600000001,,sms|email,false,,
C-2,basic,en-GB,Europe/London,,+44700000002,,sms,false,,
C-3,basic,en-GB,Europe/London,three@example.com,,,email,true,,
C-4,basic,en-GB,Europe/London,four@example.com,,,email,false,,
C-5,silver,de-DE,Europe/Berlin,five@example.com,,,email,false,,
`;
const usage = `customerId,touchpoint,from,to
C-1,web,,
C-2,kiosk,2026-12-05T03:00:00Z,2026-12-05T05:00:00Z
C-3,app,,
C-4,kiosk,2026-12-05T04:00:00Z,2026-12-05T06:00:00Z
C-5,ivr,,
`;
const event = JSON.stringify({
  'detail-type': 'Change Scheduled',
  detail: {
    changeId: 'CHG-1',
    title: 'DB patch',
    occurredAt: '2026-12-01T00:00:00Z',
    window: { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' },
    impacts: [{ node: 'db' }, { node: 'pbx-a' }, { node: 'sms-gw' }, { node: 'mainframe', effect: 'degraded' }],
  },
});
const file = scratch({ 'graph.yaml': graph, 'customers.csv': customers, 'usage.csv': usage, 'event.json': event });
const base = ['assess', '--graph', file('graph.yaml'), '--customers', file('customers.csv'), '--usage', file('usage.csv'), '--event', file('event.json')];

describe('impact assess', () => {
  it('--format json prints exactly the DESIGN section 5 contract', async () => {
    const { code, stdout, stderr } = await impact(...base, '--format', 'json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      subject: { type: 'change', id: 'CHG-1', window: { start: '2026-12-05T02:00:00.000Z', end: '2026-12-05T04:00:00.000Z' } },
      touchpoints: [
        { id: 'app', channel: 'mobile', effect: 'degraded', path: ['db', 'api', 'app'] },
        { id: 'kiosk', channel: 'kiosk', effect: 'outage', path: ['db', 'api', 'kiosk'] },
        { id: 'web', channel: 'web', effect: 'outage', path: ['db', 'api', 'web'] },
      ],
      customers: [
        { id: 'C-1', effect: 'outage', touchpoints: ['web'], notify: ['email'] },
        { id: 'C-2', effect: 'outage', touchpoints: ['kiosk'], notify: [] },
        { id: 'C-3', effect: 'degraded', touchpoints: ['app'], notify: [] },
      ],
      unknownNodes: ['mainframe'],
      summary: {
        touchpoints: 3,
        customers: 3,
        byEffect: { outage: 2, degraded: 1 },
        byChannel: { email: 1 },
        bySegment: { gold: 1, basic: 2 },
        unreachable: 2,
      },
    });
  });

  it('--format table shows the paths, counts and first customers for people', async () => {
    const { code, stdout } = await impact(...base);
    expect(code).toBe(0);
    expect(stdout).toContain('Change CHG-1 "DB patch" (scheduled)');
    expect(stdout).toMatch(/outage\s+kiosk\s+kiosk\s+db -> api -> kiosk/);
    expect(stdout).toMatch(/Customers affected: 3/);
    expect(stdout).toMatch(/by effect:\s+degraded 1, outage 2/);
    expect(stdout).toMatch(/unreachable:\s+2/);
    expect(stdout).toContain('Unknown nodes (not in the graph): mainframe');
    expect(stdout).toMatch(/C-1\s+outage\s+email\s+web/);
  });

  it('--format csv lists affected customers with the address on the chosen channel for a mail merge', async () => {
    const { code, stdout } = await impact(...base, '--format', 'csv');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'id,effect,touchpoints,notify,to,segment,locale',
        'C-1,outage,web,email,one@example.com,gold,nl-NL',
        'C-2,outage,kiosk,,,basic,en-GB',
        'C-3,degraded,app,,,basic,en-GB',
        '',
      ].join('\n'),
    );
  });

  it('folds a history file in order: a cancelled change affects nobody', async () => {
    const cancelled = JSON.stringify([
      JSON.parse(event),
      { 'detail-type': 'Change Cancelled', detail: { changeId: 'CHG-1', occurredAt: '2026-12-02T00:00:00Z' } },
    ]);
    const f = scratch({ 'history.json': cancelled });
    const { code, stdout } = await impact('assess', '--graph', file('graph.yaml'), '--event', f('history.json'), '--format', 'json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ touchpoints: [], customers: [], summary: { customers: 0 } });
  });
});

describe('impact assess on a history without event ids', () => {
  // The minimal case: C1 uses web on 12-05 only; the last update moves the change back to 12-05.
  const estate =
    'components: [{ id: db }]\ntouchpoints: [{ id: web, channel: web, dependsOn: [db] }]\n' +
    'customers: [{ id: C1, contacts: { email: c1@example.com }, uses: [{ touchpoint: web, from: "2026-12-05T02:30:00Z", to: "2026-12-05T03:00:00Z" }] }]\n';
  const window = (day: string) => ({ start: `2026-12-${day}T02:00:00Z`, end: `2026-12-${day}T04:00:00Z` });
  const history = [
    {
      'detail-type': 'Change Scheduled',
      time: '2026-12-01T09:00:00Z',
      detail: { changeId: 'CHG-1', title: 'DB', window: window('04'), impacts: [{ node: 'db' }] },
    },
    { 'detail-type': 'Change Updated', time: '2026-12-02T09:00:00Z', detail: { changeId: 'CHG-1', window: window('05') } },
    { 'detail-type': 'Change Updated', time: '2026-12-03T09:00:00Z', detail: { changeId: 'CHG-1', window: window('06') } },
    { 'detail-type': 'Change Updated', time: '2026-12-03T12:00:00Z', detail: { changeId: 'CHG-1', window: window('05') } },
  ];

  it('an update repeating an earlier window still counts: window 12-05, C1 hit', async () => {
    const f = scratch({ 'g.yaml': estate, 'history.json': JSON.stringify(history) });
    const { code, stdout, stderr } = await impact('assess', '--graph', f('g.yaml'), '--event', f('history.json'), '--format', 'json');
    expect([code, stderr]).toEqual([0, '']);
    const result = JSON.parse(stdout);
    expect(result.subject.window).toEqual({ start: '2026-12-05T02:00:00.000Z', end: '2026-12-05T04:00:00.000Z' });
    expect(result.customers).toEqual([{ id: 'C1', effect: 'outage', touchpoints: ['web'], notify: ['email'] }]);
  });

  it('a true resend (same time, same detail) is one event, and a file without times folds the same way twice', async () => {
    const untimed = history.map(({ time: _t, ...event }) => event);
    const f = scratch({ 'g.yaml': estate, 'resent.json': JSON.stringify([...history, history[2]]), 'untimed.json': JSON.stringify(untimed) });
    const resent = await impact('assess', '--graph', f('g.yaml'), '--event', f('resent.json'), '--format', 'json');
    expect(JSON.parse(resent.stdout).customers.map((c: { id: string }) => c.id)).toEqual(['C1']);
    const runs = await Promise.all([1, 2].map(() => impact('assess', '--graph', f('g.yaml'), '--event', f('untimed.json'), '--format', 'json')));
    for (const run of runs) expect(JSON.parse(run.stdout).subject.window.start).toBe('2026-12-05T02:00:00.000Z');
    expect(runs[0].stdout).toBe(runs[1].stdout);
  });
});

describe('impact: bad input exits 2 with nothing on stdout and every problem on stderr', () => {
  it('a bad event names each field', async () => {
    const f = scratch({
      'bad.json': JSON.stringify({
        'detail-type': 'Change Scheduled',
        detail: { changeId: 'C', window: { start: '2026-12-05T04:00:00Z', end: '2026-12-05T02:00:00Z' }, impacts: [{ node: 'db', effect: 'down' }] },
      }),
    });
    const { code, stdout, stderr } = await impact('assess', '--graph', file('graph.yaml'), '--event', f('bad.json'));
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toContain('detail.title');
    expect(stderr).toContain('detail.window.end: must be after window.start');
    expect(stderr).toContain('detail.impacts.0.effect');
  });

  it('a bad graph lists every problem with file, path and id', async () => {
    const f = scratch({ 'g.yaml': 'components: [{ id: a, dependsOn: [ghost] }, { id: a }]\ntouchpoints: [{ id: t, channel: telepathy }]' });
    const { code, stdout, stderr } = await impact('graph', 'validate', f('g.yaml'));
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toContain('components[0].dependsOn[0] (a): dependsOn names unknown node "ghost"');
    expect(stderr).toContain('components[1] (a): id repeats');
    expect(stderr).toContain('touchpoints[0].channel (t): "telepathy" is not a channel; use one of web, mobile, kiosk');
  });

  it('bad tool names on nodes (ci, services, alerts, awsHealth) are named with the file, the node, the value and the fix', async () => {
    const f = scratch({
      'names.yaml':
        'components: [{ id: db, ci: db-01, awsHealth: [{ service: RDS, region: Dublin }] }]\ntouchpoints: [{ id: t, channel: web, dependsOn: [db], alerts: [""] }]',
    });
    const { code, stdout, stderr } = await impact('graph', 'validate', f('names.yaml'));
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toContain('names.yaml: components[0].ci (db): "db-01" must be a list of ServiceNow CI sys_ids or names');
    expect(stderr).toContain('names.yaml: components[0].awsHealth[0].region (db): "Dublin" must be an AWS Region such as eu-west-1');
    expect(stderr).toContain(
      'names.yaml: touchpoints[0].alerts[0] (t): "" must be a non-empty Prometheus alert name (e.g. DiskFull) of at most 256 characters',
    );
  });

  it('a missing file, invalid JSON and an unknown format', async () => {
    const missing = await impact('assess', '--graph', 'nope.yaml', '--event', file('event.json'));
    expect([missing.code, missing.stdout]).toEqual([2, '']);
    expect(missing.stderr).toContain('nope.yaml: (file): cannot read the file: ENOENT');
    const f = scratch({ 'e.json': '{ not json' });
    const invalid = await impact('assess', '--graph', file('graph.yaml'), '--event', f('e.json'));
    expect([invalid.code, invalid.stdout]).toEqual([2, '']);
    expect(invalid.stderr).toContain('not valid JSON');
    const format = await impact(...base, '--format', 'xml');
    expect([format.code, format.stdout]).toEqual([2, '']);
    expect(format.stderr).toMatch(/--format.*xml.*(table|choices)/s);
  });
});

describe('impact graph validate and --help', () => {
  it('prints counts for a valid graph and warns about cycles on stderr', async () => {
    const f = scratch({
      'g.yaml': 'components: [{ id: a, dependsOn: [b] }, { id: b, dependsOn: [a] }]\ntouchpoints: [{ id: t, channel: web, dependsOn: [a] }]',
    });
    const { code, stdout, stderr } = await impact('graph', 'validate', f('g.yaml'));
    expect(code).toBe(0);
    expect(stdout).toBe('valid: 2 components, 1 touchpoints, 0 notification channels, 0 customers, 0 usages, 1 warning(s)\n');
    expect(stderr).toContain('warning: dependency cycle: a -> b -> a');
  });

  it('an empty graph file is refused with exit code 2: it says there is nothing in it', async () => {
    const f = scratch({ 'empty.yaml': '' });
    const { code, stdout, stderr } = await impact('graph', 'validate', f('empty.yaml'));
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toContain('empty.yaml: (file): the file defines nothing');
  });

  it('every command has --help', async () => {
    for (const args of [['--help'], ['assess', '--help'], ['graph', '--help'], ['graph', 'validate', '--help']]) {
      const { code, stdout } = await impact(...args);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^Usage: impact/);
    }
  });
});

describe('installed as the `impact` command', () => {
  it('npx impact runs bin/impact.ts from package.json "bin"', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { stdout } = await promisify(execFile)('npx', ['--no-install', 'impact', '--help'], { cwd: new URL('../../', import.meta.url).pathname });
    expect(stdout).toMatch(/^Usage: impact/);
    expect(stdout).toContain('assess');
  });
});
