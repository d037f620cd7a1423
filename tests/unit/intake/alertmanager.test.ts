import { describe, expect, it } from 'vitest';
import { mapAlertmanager } from '../../../functions/domain/intake/index.ts';
import { NODE_ID_PATTERN } from '../../../functions/domain/model.ts';
import { foldSubject } from '../../../functions/domain/subject.ts';
import { catalogOf, clone, eventsOf, fixture, parsedOf, refusalOf } from './given.ts';

const documented = fixture('alertmanager-webhook.json');
const catalog = catalogOf(
  { id: 'status-site', alerts: [{ alertname: 'ProbeFailure', instance: 'https://server.example.org' }] },
  { id: 'payments-db', alerts: ['DiskFull'] },
);
const context = { catalog };

const alert = (labels: Record<string, string>, status: 'firing' | 'resolved', startsAt: string, endsAt = '0001-01-01T00:00:00Z', fingerprint?: string) => ({
  status,
  labels,
  annotations: {},
  startsAt,
  endsAt,
  generatorURL: 'http://prometheus.example.org:9090/graph',
  ...(fingerprint ? { fingerprint } : {}),
});
const diskFull = (status: 'firing' | 'resolved', endsAt?: string) =>
  alert({ alertname: 'DiskFull', instance: 'db-1:9100', severity: 'warning' }, status, '2023-02-06T13:20:00.123456789Z', endsAt, 'ffee00112233aabb');

describe('Alertmanager: the documented webhook', () => {
  it('given a firing group whose alert a node matches by labels, then Incident Opened on that node, sev1 from severity=critical', () => {
    const [event] = parsedOf(mapAlertmanager(documented, context));
    expect(event).toMatchObject({
      detailType: 'Incident Opened',
      source: 'alertmanager',
      occurredAt: Date.parse('2023-02-06T13:08:45.828Z'),
      detail: {
        title: 'BlackBox Probe Failure: https://server.example.org',
        severity: 'sev1',
        impacts: [{ node: 'status-site', effect: 'outage' }],
        startedAt: '2023-02-06T13:08:45.828Z',
      },
    });
    // One incident per group key; the key's quotes and braces cannot be in an id, so it is hashed.
    expect(event.subjectId).toMatch(/^AM-[0-9a-f]{24}$/);
    expect(NODE_ID_PATTERN.test(event.subjectId)).toBe(true);
    expect(eventsOf(mapAlertmanager(documented, context))[0].detail.actor).toEqual({ type: 'tool', source: 'alertmanager', id: 'sms', name: 'Alertmanager' });
  });

  it('given the same notification repeated (repeat_interval), then the same event id', () => {
    const a = eventsOf(mapAlertmanager(documented, context))[0].detail.eventId;
    expect(eventsOf(mapAlertmanager(clone(documented), context))[0].detail.eventId).toBe(a);
  });

  it("given a node whose matcher wants another instance, then the group is refused with the alert's labels", () => {
    const other = catalogOf({ id: 'status-site', alerts: [{ alertname: 'ProbeFailure', instance: 'https://other.example.org' }] });
    const outcome = refusalOf(mapAlertmanager(documented, { catalog: other }));
    expect(outcome).toMatchObject({
      code: 'unknown-names',
      unknownNames: [{ kind: 'alert', value: 'ProbeFailure{instance="https://server.example.org",job="http_checks",monitor="master",severity="critical"}' }],
    });
  });
});

describe('Alertmanager: a group over time', () => {
  const group = (status: 'firing' | 'resolved', alerts: unknown[]) => ({
    ...clone(documented),
    groupKey: '{}:{alertname="DiskFull"}',
    status,
    alerts,
    commonAnnotations: {},
  });

  it('given an alert joining the group, then a new event on the same incident with more nodes, folded after the first', () => {
    const first = group('firing', [diskFull('firing')]);
    const grown = group('firing', [diskFull('firing'), { ...documented.alerts[0], startsAt: '2023-02-06T13:30:00Z' }]);
    const a = parsedOf(mapAlertmanager(first, context));
    const b = parsedOf(mapAlertmanager(grown, context));
    expect(b[0].subjectId).toBe(a[0].subjectId);
    expect(b[0].eventId).not.toBe(a[0].eventId);
    expect(b[0].detail).toMatchObject({ severity: 'sev1', title: 'Alert DiskFull, ProbeFailure' });
    expect(foldSubject([...b, ...a]).impacts).toEqual([
      { node: 'payments-db', effect: 'outage' },
      { node: 'status-site', effect: 'outage' },
    ]);
  });

  it('given one alert resolved while another fires, then only the firing one counts, and the state folds after the grown one', () => {
    const grown = group('firing', [diskFull('firing'), { ...documented.alerts[0], startsAt: '2023-02-06T13:30:00Z' }]);
    const shrunk = group('firing', [
      diskFull('firing'),
      { ...documented.alerts[0], status: 'resolved', startsAt: '2023-02-06T13:30:00Z', endsAt: '2023-02-06T13:45:00Z' },
    ]);
    const events = [...parsedOf(mapAlertmanager(shrunk, context)), ...parsedOf(mapAlertmanager(grown, context))];
    expect(foldSubject(events).impacts).toEqual([{ node: 'payments-db', effect: 'outage' }]);
  });

  it('given the group resolved, then Incident Resolved at the last end', () => {
    const opened = parsedOf(mapAlertmanager(group('firing', [diskFull('firing')]), context));
    const resolved = parsedOf(mapAlertmanager(group('resolved', [diskFull('resolved', '2023-02-06T14:00:00.5Z')]), context));
    expect(resolved[0]).toMatchObject({ detailType: 'Incident Resolved', subjectId: opened[0].subjectId, detail: { resolvedAt: '2023-02-06T14:00:00.500Z' } });
    expect(foldSubject([...resolved, ...opened])).toMatchObject({ status: 'resolved', window: { end: Date.parse('2023-02-06T14:00:00.500Z') } });
  });

  it('reads nanosecond RFC 3339 times with offsets', () => {
    const offset = group('firing', [alert({ alertname: 'DiskFull' }, 'firing', '2018-08-03T09:52:26.739266876+02:00')]);
    expect(eventsOf(mapAlertmanager(offset, context))[0].detail).toMatchObject({ startedAt: '2018-08-03T07:52:26.739Z', severity: 'sev2' });
  });
});

describe('Alertmanager: config', () => {
  it('a custom severity label and mapping, and per-node effects apply', () => {
    const config = {
      alertmanager: { severityLabel: 'priority', severity: { p0: 'sev1' as const }, perNode: { 'payments-db': { effect: 'degraded' as const } } },
    };
    const hook = { ...clone(documented), alerts: [alert({ alertname: 'DiskFull', priority: 'P0' }, 'firing', '2023-02-06T13:20:00Z')] };
    expect(eventsOf(mapAlertmanager(hook, { catalog, config }))[0].detail).toMatchObject({
      severity: 'sev1',
      impacts: [{ node: 'payments-db', effect: 'degraded' }],
    });
  });
});

describe('Alertmanager: refusals', () => {
  it('given another webhook version, then the version is named', () => {
    expect(refusalOf(mapAlertmanager({ ...documented, version: '3' }, context)).issues[0]).toMatchObject({
      field: 'version',
      message: expect.stringMatching(/must be "4".*\(got "3"\)/),
    });
  });

  it('given a resolved alert without endsAt, or an unreadable startsAt, then the alert field is named', () => {
    const resolved = { ...clone(documented), status: 'resolved', alerts: [{ ...documented.alerts[0], status: 'resolved' }] };
    expect(refusalOf(mapAlertmanager(resolved, context)).issues).toEqual([{ field: 'alerts.0.endsAt', message: expect.stringMatching(/resolved alert/) }]);
    const words = { ...clone(documented), alerts: [{ ...documented.alerts[0], startsAt: 'a while ago' }] };
    expect(refusalOf(mapAlertmanager(words, context)).issues).toEqual([
      { field: 'alerts.0.startsAt', message: expect.stringMatching(/\(got "a while ago"\)/) },
    ]);
  });

  it('given an empty alert list, then alerts is named', () => {
    expect(refusalOf(mapAlertmanager({ ...documented, alerts: [] }, context)).issues[0]).toMatchObject({
      field: 'alerts',
      message: expect.stringMatching(/at least one alert/),
    });
  });
});
