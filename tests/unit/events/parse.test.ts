import { describe, expect, it } from 'vitest';
import { MAX_TEXT_BYTES, parseEvent, DETAIL_TYPES, claimedEventId } from '../../../functions/domain/events/index.ts';
import { foldSubject } from '../../../functions/domain/subject.ts';
import { HOUR, T0, changeScheduled, iso, issuesOf, rawEvent } from '../../support/events.ts';

describe('parseEvent: valid events', () => {
  it('given a Change Scheduled event, then it is typed with subject, times in epoch ms and the producer eventId', () => {
    const event = parseEvent(changeScheduled());
    expect(event).toMatchObject({
      detailType: 'Change Scheduled',
      subjectType: 'change',
      subjectId: 'CHG-1',
      eventId: 'e-sched',
      occurredAt: T0,
      source: 'test.producer',
    });
  });

  it('accepts every detail-type of the catalog', () => {
    const details: Record<string, Record<string, unknown>> = {
      'Change Scheduled': changeScheduled().detail,
      'Change Updated': { changeId: 'CHG-1', title: 'new' },
      'Change Cancelled': { changeId: 'CHG-1', reason: 'vendor' },
      'Change Started': { changeId: 'CHG-1' },
      'Change Completed': { changeId: 'CHG-1', note: 'ok' },
      'Change Failed': { changeId: 'CHG-1' },
      'Incident Opened': { incidentId: 'INC-1', title: 'x', severity: 'sev1', impacts: [{ node: 'a', effect: 'degraded' }] },
      'Incident Updated': { incidentId: 'INC-1', status: 'identified' },
      'Incident Resolved': { incidentId: 'INC-1', resolvedAt: iso(T0) },
      'Notices Approved': { changeId: 'CHG-1' },
    };
    expect(Object.keys(details).sort()).toEqual([...DETAIL_TYPES].sort());
    for (const [type, detail] of Object.entries(details)) {
      expect(parseEvent(rawEvent(type, detail)).detailType).toBe(type);
    }
  });

  it('eventId defaults to the EventBridge id when the detail has none', () => {
    const raw = changeScheduled({ eventId: undefined });
    expect(parseEvent(raw).eventId).toBe(raw.id);
  });

  it('given an event without any id, then its id is derived from detail-type, time and detail: the same on every parse', () => {
    const { id: _id, ...noId } = changeScheduled({ eventId: undefined });
    const a = parseEvent(noId);
    expect(a.eventId).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(parseEvent(structuredClone(noId)).eventId).toBe(a.eventId);
    expect(parseEvent({ ...noId, detail: { ...noId.detail, title: 'other' } }).eventId).not.toBe(a.eventId);
  });

  it('given the same detail at another time, then it is another event; at the same instant (any notation), a resend', () => {
    const update = (time: string) => ({
      'detail-type': 'Change Updated',
      time,
      detail: { changeId: 'CHG-1', window: { start: iso(T0), end: iso(T0 + HOUR) } },
    });
    const first = parseEvent(update('2026-12-02T09:00:00Z'));
    expect(parseEvent(update('2026-12-03T12:00:00Z')).eventId).not.toBe(first.eventId);
    expect(parseEvent(update('2026-12-02T09:00:00.000Z')).eventId).toBe(first.eventId);
    expect(parseEvent(update('2026-12-02T10:00:00+01:00')).eventId).toBe(first.eventId);
  });

  it('given events with neither id nor time, then their position names them, not the clock', () => {
    const bare = { 'detail-type': 'Change Started', detail: { changeId: 'CHG-1' } };
    const today = parseEvent(bare, { receivedAt: 1_000, position: 3 });
    expect(parseEvent(bare, { receivedAt: 9_999_000, position: 3 }).eventId).toBe(today.eventId);
    expect(parseEvent(bare, { receivedAt: 1_001, position: 4 }).eventId).not.toBe(today.eventId);
  });

  it('occurredAt: detail.occurredAt, else the envelope time, else receivedAt, else an error', () => {
    expect(parseEvent(changeScheduled({ occurredAt: iso(T0 + 5) })).occurredAt).toBe(T0 + 5);
    expect(parseEvent(changeScheduled({ occurredAt: undefined })).occurredAt).toBe(T0);
    const bare = { 'detail-type': 'Change Cancelled', detail: { changeId: 'CHG-1' } };
    expect(parseEvent(bare, { receivedAt: 42 }).occurredAt).toBe(42);
    expect(issuesOf(bare)).toEqual([expect.objectContaining({ field: 'detail.occurredAt' })]);
  });

  it('keeps the replay-name so that replays rebuild projections without notifying', () => {
    expect(parseEvent(changeScheduled({}), {}).replayName).toBeUndefined();
    expect(parseEvent({ ...changeScheduled(), 'replay-name': 'rebuild-1' }).replayName).toBe('rebuild-1');
  });
});

describe('a history without event ids folds every event (what-if)', () => {
  // The minimal case: an update moves the window back to one it had before.
  const history = [
    {
      'detail-type': 'Change Scheduled',
      time: '2026-12-01T09:00:00Z',
      detail: { changeId: 'CHG-1', title: 'DB', window: { start: '2026-12-04T02:00:00Z', end: '2026-12-04T04:00:00Z' }, impacts: [{ node: 'db' }] },
    },
    {
      'detail-type': 'Change Updated',
      time: '2026-12-02T09:00:00Z',
      detail: { changeId: 'CHG-1', window: { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' } },
    },
    {
      'detail-type': 'Change Updated',
      time: '2026-12-03T09:00:00Z',
      detail: { changeId: 'CHG-1', window: { start: '2026-12-06T02:00:00Z', end: '2026-12-06T04:00:00Z' } },
    },
    {
      'detail-type': 'Change Updated',
      time: '2026-12-03T12:00:00Z',
      detail: { changeId: 'CHG-1', window: { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' } },
    },
  ];
  const fold = (raws: unknown[]) => foldSubject(raws.map((raw, position) => parseEvent(raw, { position })));

  it('given a later update that repeats an earlier one, when folded, then the later one still counts', () => {
    expect(fold(history).window).toEqual({ start: Date.parse('2026-12-05T02:00:00Z'), end: Date.parse('2026-12-05T04:00:00Z') });
  });

  it('given a true resend (same time, same detail), when folded, then it is one event', () => {
    const state = fold([...history, structuredClone(history[2])]);
    expect(state.eventCount).toBe(4);
    expect(state.window.start).toBe(Date.parse('2026-12-05T02:00:00Z'));
  });
});

describe('parseEvent: every violation names its field', () => {
  it('given bad values, then each message names the value and the fix', () => {
    const messages = (raw: unknown) => issuesOf(raw).map((i) => `${i.field}: ${i.message}`);
    expect(messages(changeScheduled({ impacts: [{ node: 'db', effect: 'down' }] }))).toEqual([
      'detail.impacts.0.effect: "down" is not an effect; use one of none, degraded, outage (default outage)',
    ]);
    expect(messages(changeScheduled({ changeId: 'CHG 1', risk: 42 }))).toEqual([
      'detail.changeId: "CHG 1" is not a valid change id; the change id must match ^[A-Za-z0-9._:-]{1,128}$ (letters, digits, . _ : -, at most 128)',
      'detail.risk: 42 is not a risk; use one of low, medium, high',
    ]);
    expect(messages(changeScheduled({ window: { start: 'tomorrow', end: iso(T0) } }))).toEqual([
      'detail.window.start: "tomorrow" is not an ISO 8601 time with a zone; give an ISO 8601 time with a zone, such as 2026-12-05T02:00:00Z',
    ]);
    expect(messages({ ...changeScheduled(), source: 7, detail: 'x'.repeat(100) })).toEqual([
      'source: 7 is not text; give the source as a string',
      `detail: "${'x'.repeat(56)}... is not an object; give the event fields as an object`,
    ]);
    expect(messages(rawEvent('Incident Opened', { incidentId: 'I', title: 't', severity: 'p1', impacts: 'db' }))).toEqual([
      'detail.severity: "p1" is not a severity; use one of sev1, sev2, sev3, sev4',
      'detail.impacts: "db" is not a list of impacts; give a list of { node, effect? }',
    ]);
    expect(messages(rawEvent('Change Postponed', { changeId: 'C' }))[0]).toMatch(
      /^detail-type: "Change Postponed" is not a detail-type of the event catalog; use one of: Change Scheduled/,
    );
  });

  it('given a missing field, then the message says it is required', () => {
    const { title: _t, ...detail } = changeScheduled().detail;
    expect(issuesOf({ ...changeScheduled(), detail })).toEqual([{ field: 'detail.title', message: 'is required: the title' }]);
  });

  it('missing field', () => {
    const raw = changeScheduled();
    delete (raw.detail as Record<string, unknown>).title;
    expect(issuesOf(raw)).toEqual([{ field: 'detail.title', message: expect.stringContaining('title') }]);
  });

  it('bad time', () => {
    const issues = issuesOf(changeScheduled({ window: { start: 'tomorrow', end: iso(T0) } }));
    expect(issues).toEqual([{ field: 'detail.window.start', message: expect.stringContaining('ISO 8601') }]);
    expect(issuesOf(changeScheduled({ occurredAt: '2026-13-40T00:00:00Z' }))[0].field).toBe('detail.occurredAt');
  });

  it('window end before (or equal to) start', () => {
    const issues = issuesOf(changeScheduled({ window: { start: iso(T0 + 4 * HOUR), end: iso(T0 + 2 * HOUR) } }));
    expect(issues).toEqual([{ field: 'detail.window.end', message: expect.stringMatching(/must be after window.start.*fix the window/) }]);
    expect(issuesOf(changeScheduled({ window: { start: iso(T0), end: iso(T0) } }))[0].field).toBe('detail.window.end');
  });

  it('unknown effect, severity, risk and status', () => {
    expect(issuesOf(changeScheduled({ impacts: [{ node: 'a', effect: 'down' }] }))[0]).toMatchObject({
      field: 'detail.impacts.0.effect',
      message: expect.stringContaining('none, degraded, outage'),
    });
    expect(issuesOf(rawEvent('Incident Opened', { incidentId: 'I', title: 't', severity: 'p1', impacts: [] }))[0]).toMatchObject({
      field: 'detail.severity',
      message: expect.stringContaining('sev1'),
    });
    expect(issuesOf(changeScheduled({ risk: 'extreme' }))[0].field).toBe('detail.risk');
    expect(issuesOf(rawEvent('Incident Updated', { incidentId: 'I', status: 'fixed' }))[0].field).toBe('detail.status');
  });

  it('text over 4 KB (UTF-8 bytes, not characters)', () => {
    const fits = 'a'.repeat(MAX_TEXT_BYTES);
    expect(parseEvent(changeScheduled({ title: fits })).detail).toMatchObject({ title: fits });
    const euros = '€'.repeat(Math.ceil(MAX_TEXT_BYTES / 3) + 1); // 3 bytes each
    expect(issuesOf(changeScheduled({ customerMessage: euros }))).toEqual([
      { field: 'detail.customerMessage', message: expect.stringMatching(/at most 4096 bytes/) },
    ]);
    expect(issuesOf(rawEvent('Change Cancelled', { changeId: 'C', reason: 'x'.repeat(5000) }))[0].field).toBe('detail.reason');
  });

  it('unknown detail-type lists the known ones', () => {
    expect(issuesOf(rawEvent('Change Postponed', { changeId: 'C' }))).toEqual([{ field: 'detail-type', message: expect.stringContaining('Change Scheduled') }]);
  });

  it('node ids and subject ids must match the id pattern', () => {
    expect(issuesOf(changeScheduled({ impacts: [{ node: 'payments db' }] }))[0].field).toBe('detail.impacts.0.node');
    expect(issuesOf(changeScheduled({ changeId: 'CHG 1' }))[0].field).toBe('detail.changeId');
    expect(issuesOf(changeScheduled({ changeId: 'C'.repeat(129) }))[0].field).toBe('detail.changeId');
    expect(parseEvent(changeScheduled({ changeId: 'C'.repeat(128) })).subjectId).toHaveLength(128);
  });

  it('reports every problem at once', () => {
    const issues = issuesOf(changeScheduled({ title: undefined, risk: 'x', impacts: [{ node: 'a', effect: 'bad' }] }));
    expect(issues.map((i) => i.field).sort()).toEqual(['detail.impacts.0.effect', 'detail.risk', 'detail.title']);
  });

  it('given a refused event, then the id its producer gave is still known (for the rejection record)', () => {
    expect(claimedEventId({ id: 'eb-1', detail: { eventId: 'mine', window: 'bad' } })).toBe('mine');
    expect(claimedEventId({ id: 'eb-1', detail: 'not an object' })).toBe('eb-1');
    expect(claimedEventId('hello')).toBeUndefined();
  });

  it('rejects non-objects and a missing detail', () => {
    expect(issuesOf('hello')[0].field).toBe('(event)');
    expect(issuesOf({ 'detail-type': 'Change Started' })[0].field).toBe('detail');
  });

  it('the error message names each field and the fix', () => {
    expect(() => parseEvent(changeScheduled({ window: { start: iso(T0 + HOUR), end: iso(T0) } }))).toThrow(
      /invalid "Change Scheduled" event: detail\.window\.end: must be after window\.start/,
    );
  });
});
