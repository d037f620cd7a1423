import { describe, expect, it } from 'vitest';
import { mapServiceNow } from '../../../functions/domain/intake/index.ts';
import { foldSubject } from '../../../functions/domain/subject.ts';
import { catalogOf, clone, eventsOf, fixture, ignoredReason, parsedOf, refusalOf } from './given.ts';

const documented = fixture('servicenow-change-request.json');
const DB_SYS_ID = 'a9c0c8d2c6112276018f7705562f9cb0';
const catalog = catalogOf({ id: 'payments-db', ci: [DB_SYS_ID] }, { id: 'web-checkout', ci: ['Web Store'] }, { id: 'search' });
const context = { catalog };
const field = (value: unknown, display = value) => ({ display_value: display, value });

/** The documented record moved to another state, with planned dates (UTC, as the API's value) and a CI. */
const record = (state: number, over: Record<string, unknown> = {}) => {
  const r = clone(documented);
  Object.assign(r.result, {
    state: field(state, { '-5': 'New', '-2': 'Scheduled', '-1': 'Implement', '0': 'Review', '4': 'Canceled' }[String(state)] ?? String(state)),
    start_date: field('2026-12-05 02:00:00', '2026-12-04 18:00:00'),
    end_date: field('2026-12-05 04:00:00', '2026-12-04 20:00:00'),
    cmdb_ci: { display_value: 'payments-db-01', value: DB_SYS_ID, link: `https://instance.service-now.com/api/now/table/cmdb_ci/${DB_SYS_ID}` },
    close_code: field(''),
    close_notes: field(''),
    ...over,
  });
  return r;
};

describe('ServiceNow: the documented change request', () => {
  it('given the Closed record of the Change Management API docs, then it is one Change Completed with its close notes', () => {
    const outcome = mapServiceNow(documented, context);
    const [event] = eventsOf(outcome);
    expect(event).toEqual({
      'detail-type': 'Change Completed',
      source: 'servicenow',
      time: '2015-07-06T18:56:10.000Z',
      detail: {
        eventId: 'servicenow:b0dbda5347c12200e0ef563dbb9a718f:completed',
        occurredAt: '2015-07-06T18:56:10.000Z',
        actor: { type: 'tool', source: 'servicenow', id: 'admin', name: 'admin' },
        changeId: 'CHG0000024',
        note: 'Completed without issues',
      },
    });
    // A closing event needs no known CI: it only closes what may have been announced.
    expect(outcome).toMatchObject({ unknownNames: [] });
  });
});

describe('ServiceNow: changes by state', () => {
  it("given a Scheduled (-2) change naming a known CI, then Change Scheduled with the UTC window, the CI's node and its risk", () => {
    const [scheduled] = parsedOf(mapServiceNow(record(-2), context));
    expect(scheduled).toMatchObject({
      detailType: 'Change Scheduled',
      subjectType: 'change',
      subjectId: 'CHG0000024',
      source: 'servicenow',
      eventId: 'servicenow:b0dbda5347c12200e0ef563dbb9a718f:10:scheduled',
      occurredAt: Date.parse('2015-07-06T18:59:27Z'),
      detail: {
        title: 'Reboot the server at 6 am',
        window: { start: '2026-12-05T02:00:00.000Z', end: '2026-12-05T04:00:00.000Z' },
        impacts: [{ node: 'payments-db', effect: 'outage' }],
        risk: 'medium',
      },
    });
  });

  it('given a change first seen in Implement (-1), then it is announced and started at once', () => {
    const events = parsedOf(mapServiceNow(record(-1), context));
    expect(events.map((e) => e.detailType)).toEqual(['Change Scheduled', 'Change Started']);
    expect(events[1]).toMatchObject({ eventId: 'servicenow:b0dbda5347c12200e0ef563dbb9a718f:started', occurredAt: Date.parse('2015-07-06T18:56:04Z') });
    expect(foldSubject(events)).toMatchObject({ opened: true, status: 'started', window: { start: Date.parse('2026-12-05T02:00:00Z') } });
  });

  it('given Review (0) with close_code unsuccessful, then Change Failed', () => {
    const [failed] = parsedOf(mapServiceNow(record(0, { close_code: field('unsuccessful', 'Unsuccessful'), close_notes: field('Rolled back') }), context));
    expect(failed).toMatchObject({ detailType: 'Change Failed', detail: { note: 'Rolled back' } });
  });

  it('given Canceled (4), then Change Cancelled with the close notes as reason', () => {
    const [cancelled] = parsedOf(mapServiceNow(record(4, { close_notes: field('Vendor not ready') }), context));
    expect(cancelled).toMatchObject({
      detailType: 'Change Cancelled',
      eventId: 'servicenow:b0dbda5347c12200e0ef563dbb9a718f:cancelled',
      detail: { reason: 'Vendor not ready' },
    });
  });

  it.each([-5, -4, -3])('given state %i (not yet scheduled), then it is ignored and says why', (state) => {
    expect(ignoredReason(mapServiceNow(record(state), context))).toMatch(/CHG0000024 .*customers hear of a change once it is Scheduled/);
  });

  it('given a scheduled change whose approval was rejected, then it is not announced', () => {
    expect(ignoredReason(mapServiceNow(record(-2, { approval: field('rejected', 'Rejected') }), context))).toMatch(/rejected/);
  });

  it('given the state as its label ("Scheduled"), then it maps like -2', () => {
    const [event] = eventsOf(mapServiceNow(record(-2, { state: 'Scheduled' }), context));
    expect(event['detail-type']).toBe('Change Scheduled');
  });
});

describe('ServiceNow: the same webhook twice, and a modification', () => {
  it('given the same delivery twice, then the same event ids; given a modification, then a new announcement and the same start', () => {
    const first = eventsOf(mapServiceNow(record(-1), context));
    const again = eventsOf(mapServiceNow(record(-1), context));
    expect(again.map((e) => e.detail.eventId)).toEqual(first.map((e) => e.detail.eventId));

    const moved = record(-1, { sys_mod_count: field(11, '11'), sys_updated_on: field('2015-07-06 19:30:00'), end_date: field('2026-12-05 05:00:00') });
    const second = eventsOf(mapServiceNow(moved, context));
    expect(second[0].detail.eventId).not.toBe(first[0].detail.eventId);
    expect(second[1].detail.eventId).toBe(first[1].detail.eventId);
    const state = foldSubject(parsedOf(mapServiceNow(record(-1), context)).concat(parsedOf(mapServiceNow(moved, context))));
    expect(state).toMatchObject({ scopeVersion: 2, window: { end: Date.parse('2026-12-05T05:00:00Z') }, eventCount: 3 });
  });
});

describe('ServiceNow: CIs and names', () => {
  it('given a bare outbound-message record with plain values, CI names and affected CIs, then names match case-insensitively', () => {
    const bare = {
      sys_id: 'c0ffee00c0ffee00c0ffee00c0ffee00',
      number: 'CHG0030002',
      short_description: 'Web store release',
      state: '-2',
      start_date: '2026-12-05 02:00:00',
      end_date: '2026-12-05 03:00:00',
      cmdb_ci: 'web store',
      affected_cis: [{ value: DB_SYS_ID, display_value: 'payments-db-01' }, 'mainframe-7'],
      sys_updated_on: '2026-11-30 10:00:00',
      sys_updated_by: 'change.manager',
    };
    const outcome = mapServiceNow(bare, context);
    const [event] = parsedOf(outcome);
    expect(event.detail).toMatchObject({
      impacts: [
        { node: 'payments-db', effect: 'outage' },
        { node: 'web-checkout', effect: 'outage' },
      ],
    });
    // Without sys_mod_count the update time tells deliveries apart.
    expect(event.eventId).toBe('servicenow:c0ffee00c0ffee00c0ffee00c0ffee00:2026-11-30 10:00:00:scheduled');
    expect(outcome).toMatchObject({ unknownNames: [{ kind: 'ci', value: 'mainframe-7' }] });
  });

  it('given CIs that no node lists, then it is refused with the unknown names', () => {
    const outcome = refusalOf(mapServiceNow(record(-2, { cmdb_ci: field('0123456789abcdef0123456789abcdef', 'legacy-crm') }), context));
    expect(outcome).toMatchObject({ code: 'unknown-names', unknownNames: [{ kind: 'ci', value: 'legacy-crm (0123456789abcdef0123456789abcdef)' }] });
    expect(outcome.issues[0]).toMatchObject({ field: 'cmdb_ci', message: expect.stringMatching(/legacy-crm.*under `ci`/) });
  });

  it('given no CI at all, then it is refused and says where CIs go', () => {
    expect(refusalOf(mapServiceNow(record(-2, { cmdb_ci: field('') }), context)).issues).toEqual([
      { field: 'cmdb_ci', message: expect.stringMatching(/names no CI.*under `ci`/) },
    ]);
  });

  it('per-node effects from config apply', () => {
    const [event] = eventsOf(
      mapServiceNow(record(-2), { catalog, config: { servicenow: { effect: 'degraded', perNode: { 'payments-db': { effect: 'outage' } } } } }),
    );
    expect(event.detail).toMatchObject({ impacts: [{ node: 'payments-db', effect: 'outage' }] });
    const [degraded] = eventsOf(mapServiceNow(record(-2), { catalog, config: { servicenow: { effect: 'degraded' } } }));
    expect(degraded.detail).toMatchObject({ impacts: [{ node: 'payments-db', effect: 'degraded' }] });
  });
});

describe('ServiceNow: refusals name the field, the value and the fix', () => {
  it('given no number, an unknown state and no update time, then all three are named', () => {
    const outcome = refusalOf(mapServiceNow({ state: 7 }, context));
    expect(outcome.code).toBe('invalid-payload');
    expect(outcome.issues.map((i) => i.field)).toEqual(['number', 'state', 'sys_updated_on']);
    expect(outcome.issues[1].message).toMatch(/-2 Scheduled.*\(got 7\)/);
  });

  it('given a start date in words, then the start date is named with the formats it may take', () => {
    const outcome = refusalOf(mapServiceNow(record(-2, { start_date: field('next Tuesday') }), context));
    expect(outcome.issues).toEqual([{ field: 'start_date', message: expect.stringMatching(/YYYY-MM-DD HH:MM:SS.*\(got "next Tuesday"\)/) }]);
  });

  it('given an end before the start, then the end is named', () => {
    const outcome = refusalOf(mapServiceNow(record(-2, { end_date: field('2026-12-05 01:00:00') }), context));
    expect(outcome.issues).toEqual([{ field: 'end_date', message: expect.stringMatching(/must be after start_date/) }]);
  });

  it('given something that is not a record, then the payload is named', () => {
    expect(refusalOf(mapServiceNow([1, 2], context)).issues[0].message).toMatch(/change_request record/);
  });
});
