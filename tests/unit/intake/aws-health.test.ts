import { describe, expect, it } from 'vitest';
import { mapAwsHealth } from '../../../functions/domain/intake/index.ts';
import { foldSubject } from '../../../functions/domain/subject.ts';
import { catalogOf, clone, eventsOf, fixture, ignoredReason, parsedOf, refusalOf } from './given.ts';

const issue = fixture('aws-health-ec2-operational-issue.json');
const retirement = fixture('aws-health-ec2-instance-retirement.json');
const catalog = catalogOf(
  { id: 'dcs-cape-town', awsHealth: [{ service: 'EC2', region: 'af-south-1' }] },
  { id: 'batch-east', awsHealth: [{ service: 'ec2', region: 'us-east-1' }] },
  { id: 'global-dns', awsHealth: [{ service: 'ROUTE53' }] },
);
const context = { catalog };
const withDetail = (event: Record<string, any>, detail: Record<string, unknown>, envelope: Record<string, unknown> = {}) => {
  const copy = clone(event);
  Object.assign(copy.detail, detail);
  return Object.assign(copy, envelope);
};

describe('AWS Health: issues', () => {
  it('given the documented EC2 operational issue (open), then Incident Opened, degraded, on the node listing EC2 in af-south-1', () => {
    const outcome = mapAwsHealth(issue, context);
    const [event] = parsedOf(outcome);
    expect(event).toMatchObject({
      detailType: 'Incident Opened',
      source: 'aws.health',
      subjectId: 'HEALTH-af-south-1-AWS_EC2_OPERATIONAL_ISSUE_7f35c8ae-af1f-54e6-a526-d0179ed6d68f',
      occurredAt: Date.parse('2023-01-27T09:01:22Z'),
      detail: {
        title: 'AWS Health: AWS_EC2_OPERATIONAL_ISSUE (EC2, af-south-1)',
        severity: 'sev2',
        impacts: [{ node: 'dcs-cape-town', effect: 'degraded' }],
        startedAt: '2023-01-27T06:02:51.000Z',
      },
    });
    expect(eventsOf(outcome)[0].detail.actor).toEqual({ type: 'tool', source: 'aws.health', id: 'account:123456789012', name: 'AWS Health' });
  });

  it('given the same issue closed, then Incident Resolved at its end time, folding to resolved', () => {
    const closed = withDetail(issue, { statusCode: 'closed', lastUpdatedTime: 'Fri, 27 Jan 2023 09:30:00 GMT' });
    const events = [...parsedOf(mapAwsHealth(closed, context)), ...parsedOf(mapAwsHealth(issue, context))];
    expect(events[0]).toMatchObject({ detailType: 'Incident Resolved', detail: { resolvedAt: '2023-01-27T09:01:22.000Z' } });
    expect(foldSubject(events)).toMatchObject({ status: 'resolved' });
  });

  it('given the copy sent to the backup region (another EventBridge id and region), then the same event id', () => {
    const backup = withDetail(issue, { backupEvent: 'true' }, { id: 'another-id', region: 'eu-west-1' });
    expect(eventsOf(mapAwsHealth(backup, context))[0].detail.eventId).toBe(eventsOf(mapAwsHealth(issue, context))[0].detail.eventId);
  });

  it('given a node listing the service without region, then it matches every region', () => {
    const dns = withDetail(issue, { service: 'ROUTE53', eventRegion: 'eu-central-1' });
    expect(eventsOf(mapAwsHealth(dns, context))[0].detail).toMatchObject({ impacts: [{ node: 'global-dns', effect: 'degraded' }] });
  });

  it('given a service and region no node lists, then it is refused with both', () => {
    const outcome = refusalOf(mapAwsHealth(withDetail(issue, { eventRegion: 'eu-west-3' }), context));
    expect(outcome).toMatchObject({ code: 'unknown-names', unknownNames: [{ kind: 'awsHealth', value: 'EC2 in eu-west-3' }] });
    expect(outcome.issues[0].message).toMatch(/\{ service: EC2, region: eu-west-3 \}.*awsHealth/);
  });

  it('given an event without lastUpdatedTime, then its EventBridge time is when it happened', () => {
    const { lastUpdatedTime: _dropped, ...detail } = issue.detail;
    const elbStyle = { ...clone(issue), detail };
    expect(parsedOf(mapAwsHealth(elbStyle, context))[0].occurredAt).toBe(Date.parse('2023-01-27T09:01:22Z'));
  });

  it('severity by event type code from config', () => {
    const config = { 'aws-health': { severity: { AWS_EC2_OPERATIONAL_ISSUE: 'sev1' as const }, effect: 'outage' as const } };
    expect(eventsOf(mapAwsHealth(issue, { catalog, config }))[0].detail).toMatchObject({ severity: 'sev1', impacts: [{ effect: 'outage' }] });
  });
});

describe('AWS Health: scheduled changes', () => {
  it('given the documented instance retirement (open, start months ahead), then Change Scheduled with a default one-hour window, not started', () => {
    const events = parsedOf(mapAwsHealth(retirement, context));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      detailType: 'Change Scheduled',
      subjectId: 'HEALTH-us-east-1-AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_90353408594353983',
      detail: {
        window: { start: '2026-08-27T13:19:03.000Z', end: '2026-08-27T14:19:03.000Z' },
        impacts: [{ node: 'batch-east', effect: 'degraded' }],
      },
    });
  });

  it('given a configured window length, then it is used', () => {
    const [event] = eventsOf(mapAwsHealth(retirement, { catalog, config: { 'aws-health': { scheduledChangeMinutes: 120 } } }));
    expect(event.detail).toMatchObject({ window: { end: '2026-08-27T15:19:03.000Z' } });
  });

  it('given the change open after its start, then it is announced and started; closed, then completed', () => {
    const started = withDetail(retirement, { lastUpdatedTime: 'Thu, 27 Aug 2026 13:20:00 GMT' });
    const events = parsedOf(mapAwsHealth(started, context));
    expect(events.map((e) => e.detailType)).toEqual(['Change Scheduled', 'Change Started']);
    const closed = withDetail(retirement, { statusCode: 'closed', lastUpdatedTime: 'Thu, 27 Aug 2026 14:00:00 GMT' });
    const all = [...events, ...parsedOf(mapAwsHealth(closed, context))];
    expect(all[2]).toMatchObject({ detailType: 'Change Completed' });
    expect(foldSubject(all)).toMatchObject({ status: 'completed' });
  });
});

describe('AWS Health: ignored and refused', () => {
  it('given an account notification or an abuse event, then it is ignored', () => {
    expect(ignoredReason(mapAwsHealth(withDetail(issue, { eventTypeCategory: 'accountNotification' }), context))).toMatch(/accountNotification/);
    expect(ignoredReason(mapAwsHealth({ ...clone(issue), 'detail-type': 'AWS Health Abuse Event' }, context))).toMatch(/Abuse/);
  });

  it('given another source or no start time on an open issue, then the field is named', () => {
    expect(refusalOf(mapAwsHealth({ ...clone(issue), source: 'aws.ec2' }, context)).issues[0]).toMatchObject({ field: 'source' });
    expect(refusalOf(mapAwsHealth(withDetail(issue, { startTime: '27/01/2023' }), context)).issues).toEqual([
      { field: 'detail.startTime', message: expect.stringMatching(/RFC 1123.*\(got "27\/01\/2023"\)/) },
    ]);
  });
});
