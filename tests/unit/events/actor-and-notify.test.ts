import { describe, expect, it } from 'vitest';
import {
  DETAIL_TYPES,
  StoredEventError,
  alarmToIncidentEvents,
  historyEntry,
  parseAlarmEvent,
  parseEvent,
  readStoredEvent,
  storedEventAttributes,
} from '../../../functions/domain/events/index.ts';
import { routesFor } from '../../../lib/routes.ts';
import { HOUR, T0, changeScheduled, iso, issuesOf, rawEvent } from '../../support/events.ts';

const person = { type: 'person', id: 'u-42', name: 'Jane Doe', email: 'jane.doe@example.com', source: 'console' } as const;
const minimal: Record<string, Record<string, unknown>> = {
  'Change Scheduled': changeScheduled().detail,
  'Change Updated': { changeId: 'CHG-1' },
  'Change Cancelled': { changeId: 'CHG-1' },
  'Change Started': { changeId: 'CHG-1' },
  'Change Completed': { changeId: 'CHG-1' },
  'Change Failed': { changeId: 'CHG-1' },
  'Incident Opened': { incidentId: 'INC-1', title: 'x', severity: 'sev3', impacts: [] },
  'Incident Updated': { incidentId: 'INC-1' },
  'Incident Resolved': { incidentId: 'INC-1' },
  'Notices Approved': { incidentId: 'INC-1' },
};

describe('who did it: every event records its actor', () => {
  it('given any detail-type with an actor, when parsed, then the actor is kept with the detail', () => {
    expect(Object.keys(minimal).sort()).toEqual([...DETAIL_TYPES].sort());
    for (const [type, detail] of Object.entries(minimal)) {
      expect(parseEvent(rawEvent(type, { ...detail, actor: person })).detail.actor, type).toEqual(person);
    }
  });

  it('given an actor of an unknown type, then the problem names the field, the value and the words to use', () => {
    expect(issuesOf(rawEvent('Change Started', { changeId: 'CHG-1', actor: { type: 'robot' } }))).toEqual([
      { field: 'detail.actor.type', message: '"robot" is not an actor type; use one of person, tool, system' },
    ]);
  });

  it('given an actor whose e-mail is not an address, then the problem says so without repeating it (a contact detail)', () => {
    const issues = issuesOf(rawEvent('Change Started', { changeId: 'CHG-1', actor: { type: 'person', email: 'jane at example dot com' } }));
    expect(issues.map((i) => i.field)).toEqual(['detail.actor.email']);
    expect(issues[0].message).toMatch(/not an e-mail address; give name@domain/);
    expect(JSON.stringify(issues)).not.toContain('jane at example');
  });

  it('given a CloudWatch alarm, then the incident it opens names the pipeline (system) and the alarm as its actor', () => {
    const alarm = parseAlarmEvent({
      id: 'eb-1',
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      time: iso(T0),
      detail: { alarmName: 'dcs 5xx', state: { value: 'ALARM' } },
    });
    const [opened] = alarmToIncidentEvents(alarm, [{ id: 'dcs', alarms: ['dcs 5xx'] }]);
    expect(opened.detail.actor).toEqual({ type: 'system', source: 'aws.cloudwatch', id: 'dcs 5xx' });
  });

  it('given a stored event, then its history line shows when, what and who (the subject history the API lists)', () => {
    const event = parseEvent(rawEvent('Change Updated', { changeId: 'CHG-1', eventId: 'u-1', occurredAt: iso(T0 + HOUR), actor: person, notify: false }));
    expect(historyEntry({ subjectKey: 'change#CHG-1', version: 3, recordedAt: T0, event })).toEqual({
      version: 3,
      detailType: 'Change Updated',
      occurredAt: iso(T0 + HOUR),
      eventId: 'u-1',
      source: 'test.producer',
      actor: person,
      notify: false,
    });
  });
});

describe('notify: whether an event tells customers', () => {
  it('given notify true, false or "draft", then it is kept; anything else names the choices', () => {
    for (const notify of [true, false, 'draft']) expect(parseEvent(rawEvent('Change Updated', { changeId: 'CHG-1', notify })).detail.notify).toBe(notify);
    expect(issuesOf(rawEvent('Change Updated', { changeId: 'CHG-1', notify: 'later' }))).toEqual([
      { field: 'detail.notify', message: '"later" is not a notify choice; use true, false or "draft"' },
    ]);
  });
});

describe('Notices Approved names its subject like the other events', () => {
  it('given the event catalog, then Notices Approved is routed to ingest like every other detail-type', () => {
    expect(routesFor('impact', { 'detail-type': 'Notices Approved', source: 'impact.console' })).toEqual(['ingest']);
  });

  it('given a changeId or an incidentId, then the event belongs to that subject', () => {
    expect(parseEvent(rawEvent('Notices Approved', { changeId: 'CHG-1' }))).toMatchObject({ subjectType: 'change', subjectId: 'CHG-1' });
    expect(parseEvent(rawEvent('Notices Approved', { incidentId: 'INC-7' }))).toMatchObject({ subjectType: 'incident', subjectId: 'INC-7' });
  });

  it('given neither or both, then the event is refused with the fix', () => {
    expect(issuesOf(rawEvent('Notices Approved', {}))).toEqual([
      { field: 'detail.changeId', message: 'is required: name the subject with changeId or incidentId' },
    ]);
    expect(issuesOf(rawEvent('Notices Approved', { changeId: 'CHG-1', incidentId: 'INC-1' }))).toEqual([
      { field: 'detail.incidentId', message: 'names a second subject: give changeId or incidentId, not both' },
    ]);
  });
});

describe('expected restore time', () => {
  it('given expectedResolutionAt that is not an ISO time, then the problem names the field and the fix', () => {
    expect(issuesOf(rawEvent('Incident Opened', { ...minimal['Incident Opened'], expectedResolutionAt: 'tomorrow' }))).toEqual([
      { field: 'detail.expectedResolutionAt', message: expect.stringMatching(/^"tomorrow" is not an ISO 8601 time with a zone; give an ISO 8601 time/) },
    ]);
  });
});

describe('stored events and fields the catalog learnt later (compatibility rule)', () => {
  // A producer sent its own `actor` and `notify` before the catalog knew them; the store kept them.
  const stored = (detail: Record<string, unknown>) => {
    const event = parseEvent(rawEvent('Change Started', { changeId: 'CHG-1', eventId: 's-1', occurredAt: iso(T0) }));
    return { pk: 'change#CHG-1', sk: 'v#0000000001', ...storedEventAttributes({ ...event, rawDetail: detail }, 1, T0) };
  };

  it('given a stored detail whose later-catalog fields have a shape of their own, then they are dropped on read and the event still reads', () => {
    const read = readStoredEvent(
      'change#CHG-1',
      stored({ changeId: 'CHG-1', eventId: 's-1', occurredAt: iso(T0), actor: 'jane', notify: 'yes please', note: 'kept' }),
    );
    expect(read.event.detail).toEqual({ changeId: 'CHG-1', eventId: 's-1', occurredAt: iso(T0), note: 'kept' });
  });

  it('given any other problem in a stored detail, then the read still fails naming subject and version', () => {
    expect(() => readStoredEvent('change#CHG-1', stored({ changeId: 'CHG-1', actor: 'jane', note: 42 }))).toThrow(StoredEventError);
    expect(() => readStoredEvent('change#CHG-1', stored({ changeId: 'CHG-1', actor: 'jane', note: 42 }))).toThrow(/change#CHG-1 v1 .*detail\.note/);
  });
});
