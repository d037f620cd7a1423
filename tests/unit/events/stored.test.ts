import { readFileSync } from 'node:fs';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  STORED_SCHEMA_VERSION,
  type StoredEventError,
  isStoredEventError,
  parseEvent,
  readStoredEvent,
  storedEventAttributes,
} from '../../../functions/domain/events/index.ts';
import { foldSubject } from '../../../functions/domain/subject.ts';
import { changeScheduled } from '../../support/events.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/event-store/${name}`, import.meta.url), 'utf8'));
const v1Items = (fixture('v1-items.json') as Record<string, AttributeValue>[]).map((item) => unmarshall(item));
const v1StreamImages = (fixture('v1-stream-records.json') as { dynamodb: { NewImage: Record<string, AttributeValue> } }[]).map((r) =>
  unmarshall(r.dynamodb.NewImage),
);
const read = (item: Record<string, unknown>) => readStoredEvent(String(item.pk), item);
const ms = (iso: string) => Date.parse(iso);

// What the four frozen events are, written out by hand from the inputs that produced them
// (tests/fixtures/event-store/README.md), not from what the reader returns.
const scheduledDetail = {
  changeId: 'CHG-2041',
  eventId: 'chg-2041-scheduled',
  occurredAt: '2026-11-28T13:00:00Z',
  title: 'Payments database maintenance',
  window: { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' },
  impacts: [{ node: 'payments-db' }, { node: 'fraud-scoring', effect: 'degraded' }],
  team: 'payments',
  risk: 'medium',
  customerMessage: 'Pay later in the app.',
};
const expected = [
  {
    subjectKey: 'change#CHG-2041',
    version: 1,
    recordedAt: ms('2026-11-30T23:59:00Z'),
    event: {
      detailType: 'Change Scheduled',
      eventId: 'chg-2041-scheduled',
      occurredAt: ms('2026-11-28T13:00:00Z'),
      source: 'acme.changes',
      subjectType: 'change',
      subjectId: 'CHG-2041',
      detail: scheduledDetail,
    },
  },
  {
    subjectKey: 'change#CHG-2041',
    version: 2,
    recordedAt: ms('2026-11-30T23:59:00Z'),
    event: {
      detailType: 'Change Updated',
      eventId: 'eb-0002',
      occurredAt: ms('2026-11-29T08:15:00Z'),
      source: 'acme.changes',
      subjectType: 'change',
      subjectId: 'CHG-2041',
      detail: { changeId: 'CHG-2041', window: { start: '2026-12-06T02:00:00Z', end: '2026-12-06T04:30:00Z' } },
    },
  },
  {
    subjectKey: 'incident#ALARM-dcs-5xx',
    version: 1,
    recordedAt: ms('2026-11-30T23:59:00Z'),
    event: {
      detailType: 'Incident Opened',
      eventId: 'eb-alarm-7:opened',
      occurredAt: ms('2026-11-30T21:40:00Z'),
      source: 'aws.cloudwatch',
      subjectType: 'incident',
      subjectId: 'ALARM-dcs-5xx',
      detail: {
        eventId: 'eb-alarm-7:opened',
        occurredAt: '2026-11-30T21:40:00.000Z',
        incidentId: 'ALARM-dcs-5xx',
        title: 'Alarm dcs 5xx',
        severity: 'sev2',
        impacts: [{ node: 'dcs-primary', effect: 'outage' }],
        startedAt: '2026-11-30T21:40:00.000Z',
      },
    },
  },
  {
    subjectKey: 'incident#ALARM-dcs-5xx',
    version: 2,
    recordedAt: ms('2026-11-30T23:59:00Z'),
    event: {
      detailType: 'Incident Resolved',
      eventId: 'eb-0009',
      occurredAt: ms('2026-11-30T23:05:00Z'),
      source: 'acme.incidents',
      subjectType: 'incident',
      subjectId: 'ALARM-dcs-5xx',
      replayName: 'rebuild-2026-12',
      detail: { incidentId: 'ALARM-dcs-5xx', resolvedAt: '2026-11-30T23:00:00Z', customerMessage: 'All kiosks work again.' },
    },
  },
];

describe('events stored before schema versions still read as the current version', () => {
  it('given the items as the event store wrote them, when read, then each is the event it was, typed and validated', () => {
    expect(v1Items.map(read)).toEqual(expected.map((e) => ({ ...e, event: { ...e.event, rawDetail: e.event.detail } })));
  });

  it('given the same events as the stream delivered them (NEW_IMAGE), when read, then they are the same events', () => {
    expect(v1StreamImages.map(read)).toEqual(v1Items.map(read));
  });

  it('given the old events, when folded, then the subjects have the state those events describe', () => {
    const events = v1Items.map((item) => read(item).event);
    expect(foldSubject(events.filter((e) => e.subjectType === 'change'))).toMatchObject({
      status: 'scheduled',
      window: { start: ms('2026-12-06T02:00:00Z'), end: ms('2026-12-06T04:30:00Z') },
      impacts: [
        { node: 'fraud-scoring', effect: 'degraded' },
        { node: 'payments-db', effect: 'outage' },
      ],
      scopeVersion: 2,
      team: 'payments',
    });
    expect(foldSubject(events.filter((e) => e.subjectType === 'incident'))).toMatchObject({
      status: 'resolved',
      window: { start: ms('2026-11-30T21:40:00Z'), end: ms('2026-11-30T23:00:00Z') },
      severity: 'sev2',
    });
  });
});

describe('stored events of the current version', () => {
  it('given a parsed event, when stored and read, then it is the same event and the detail is kept as the producer sent it', () => {
    const event = parseEvent(changeScheduled({ ticket: 'CAB-9' }));
    const item = { pk: 'change#CHG-1', ...storedEventAttributes(event, 3, 1_000) };
    expect(item.schemaVersion).toBe(STORED_SCHEMA_VERSION);
    expect(JSON.parse(item.detail)).toMatchObject({ ticket: 'CAB-9', changeId: 'CHG-1' });
    const stored = readStoredEvent('change#CHG-1', item);
    expect(stored).toEqual({ subjectKey: 'change#CHG-1', version: 3, recordedAt: 1_000, event });
    expect(stored.event.detail).not.toHaveProperty('ticket');
  });

  it('given items that cannot be read, then a StoredEventError names subject, version and problem, with the cause', () => {
    const good = { pk: 'change#CHG-1', ...storedEventAttributes(parseEvent(changeScheduled()), 1, 1_000) };
    const problemOf = (item: Record<string, unknown>) => {
      try {
        readStoredEvent('change#CHG-1', item);
      } catch (error) {
        expect(isStoredEventError(error)).toBe(true);
        return error as StoredEventError;
      }
      throw new Error('expected the item to be refused');
    };
    expect(problemOf({ ...good, schemaVersion: 3 }).message).toMatch(
      /change#CHG-1 v1 cannot be read: schemaVersion 3 is unknown to this code \(it reads 1 to 2\)/,
    );
    const corrupt = problemOf({ ...good, detail: '{"changeId":' });
    expect(corrupt.message).toMatch(/detail is not JSON/);
    expect(corrupt.cause).toBeInstanceOf(SyntaxError);
    expect(problemOf({ ...good, detail: JSON.stringify({ changeId: 'CHG-1', title: 'x' }) }).message).toMatch(
      /no longer follows the event catalog.*detail\.window/,
    );
    expect(problemOf({ ...good, detail: JSON.stringify({ ...JSON.parse(good.detail), changeId: 'CHG-2' }) }).message).toMatch(/names subject change#CHG-2/);
    expect(problemOf({ ...good, version: 'one' }).message).toMatch(/no valid version/);
    expect(problemOf({ pk: 'change#CHG-1', version: 1, recordedAt: 1, event: '{"detailType":"Change Started"}' }).message).toMatch(
      /version 1 event does not parse/,
    );
    expect(isStoredEventError(new Error('other'))).toBe(false);
  });
});
