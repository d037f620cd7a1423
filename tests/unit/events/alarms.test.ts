import { describe, expect, it } from 'vitest';
import { alarmIncidentId, alarmToIncidentEvents, isAlarmEvent, parseAlarmEvent, EventValidationError } from '../../../functions/domain/events/index.ts';
import { foldSubject } from '../../../functions/domain/subject.ts';
import { T0, iso } from '../../support/events.ts';

const alarm = (value: string, id: string, at: number) => ({
  version: '0',
  id,
  'detail-type': 'CloudWatch Alarm State Change',
  source: 'aws.cloudwatch',
  account: '123456789012',
  time: iso(at),
  region: 'eu-west-1',
  resources: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:dcs-5xx'],
  detail: { alarmName: 'dcs 5xx', state: { value, reason: 'Threshold Crossed', timestamp: iso(at) }, previousState: { value: 'OK' } },
});
const nodes = [
  { id: 'dcs-primary', alarms: ['dcs 5xx'] },
  { id: 'kiosk-ams', alarms: ['dcs 5xx', 'kiosk-down'] },
  { id: 'web', alarms: [] },
];

describe('CloudWatch alarms open and resolve incidents through the graph', () => {
  it('ALARM opens a sev2 outage incident on every node listing the alarm', () => {
    const parsed = parseAlarmEvent(alarm('ALARM', 'a1', T0));
    expect(isAlarmEvent(alarm('ALARM', 'a1', T0))).toBe(true);
    const [opened] = alarmToIncidentEvents(parsed, nodes);
    expect(opened).toMatchObject({
      detailType: 'Incident Opened',
      subjectId: 'ALARM-dcs-5xx',
      eventId: 'a1:opened',
      occurredAt: T0,
      detail: {
        severity: 'sev2',
        impacts: [
          { node: 'dcs-primary', effect: 'outage' },
          { node: 'kiosk-ams', effect: 'outage' },
        ],
      },
    });
  });

  it('OK resolves the same incident; INSUFFICIENT_DATA and unmapped alarms give nothing', () => {
    const opened = alarmToIncidentEvents(parseAlarmEvent(alarm('ALARM', 'a1', T0)), nodes);
    const resolved = alarmToIncidentEvents(parseAlarmEvent(alarm('OK', 'a2', T0 + 60_000)), nodes);
    expect(resolved[0]).toMatchObject({ detailType: 'Incident Resolved', subjectId: 'ALARM-dcs-5xx' });
    const state = foldSubject([...resolved, ...opened]);
    expect(state).toMatchObject({ status: 'resolved', window: { start: T0, end: T0 + 60_000 } });
    expect(alarmToIncidentEvents(parseAlarmEvent(alarm('INSUFFICIENT_DATA', 'a3', T0)), nodes)).toEqual([]);
    expect(alarmToIncidentEvents(parseAlarmEvent(alarm('ALARM', 'a4', T0)), [{ id: 'web' }])).toEqual([]);
  });

  it('alarm names become valid incident ids', () => {
    expect(alarmIncidentId('prod/dcs 5xx rate')).toBe('ALARM-prod-dcs-5xx-rate');
  });

  it('a malformed alarm event names the field', () => {
    const bad = alarm('RED', 'a5', T0);
    expect(() => parseAlarmEvent(bad)).toThrow(EventValidationError);
    expect(() => parseAlarmEvent(bad)).toThrow(/detail\.state\.value/);
  });
});
