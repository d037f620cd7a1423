import { describe, expect, it } from 'vitest';
import { parseEvent, type ImpactEvent } from '../../../functions/domain/events/index.ts';
import type { SubjectState } from '../../../functions/domain/model.ts';
import { planNotices, type Told } from '../../../functions/domain/notices/index.ts';
import { foldSubject, toldVersion } from '../../../functions/domain/subject.ts';
import { T0, iso, rawEvent } from '../../support/events.ts';

const MIN = 60_000;
const at = (minute: number) => T0 + minute * MIN;
const ev = (type: string, detail: Record<string, unknown>, minute: number, eventId: string): ImpactEvent =>
  parseEvent(rawEvent(type, { eventId, occurredAt: iso(at(minute)), ...detail }));
const told = (entries: Record<string, Told[]>) => new Map(Object.entries(entries));
const ids = (plan: { customerId: string; kind: string; version: number }[]) => plan.map((p) => `${p.customerId}:${p.kind}:${p.version}`).sort();
const outage = (...customers: string[]) => customers.map((id) => ({ id, effect: 'outage' as const }));

const scheduled = ev(
  'Change Scheduled',
  {
    changeId: 'CHG-1',
    title: 'Kiosk patch',
    window: { start: iso(at(120)), end: iso(at(240)) },
    impacts: [{ node: 'kiosk' }],
    customerMessage: 'Use the app.',
  },
  0,
  'c1',
);
const change = (...later: ImpactEvent[]): SubjectState => foldSubject([scheduled, ...later]);
/** C-1 was told the first notice; C-2 was never told. */
const toldFirst = told({ 'C-1': [{ kind: 'change-notice', version: 1 }] });

describe('updates that matter reach those told (changes)', () => {
  it('given a change whose customerMessage changed, when planned, then everyone told gets change-update at the new told version; the untold their first notice', () => {
    // Given
    const state = change(ev('Change Updated', { changeId: 'CHG-1', customerMessage: 'The kiosks are down; use the app.' }, 10, 'c2'));
    // When
    const plan = planNotices({ state, affected: outage('C-1', 'C-2'), told: toldFirst, at: at(10) });
    // Then
    expect(ids(plan)).toEqual(['C-1:change-update:2', 'C-2:change-notice:2']);
  });

  it('given that update was sent, when the same message comes again, then nothing is planned', () => {
    const state = change(
      ev('Change Updated', { changeId: 'CHG-1', customerMessage: 'Use the kiosks.' }, 10, 'c2'),
      ev('Change Updated', { changeId: 'CHG-1', customerMessage: 'Use the kiosks.' }, 20, 'c3'),
    );
    const history = told({
      'C-1': [
        { kind: 'change-notice', version: 1 },
        { kind: 'change-update', version: 2 },
      ],
    });
    expect(planNotices({ state, affected: outage('C-1'), told: history, at: at(20) })).toEqual([]);
  });

  it('given a ledger written before told versions (scope versions only), then a change without message changes plans exactly what it did then', () => {
    const state = change(ev('Change Updated', { changeId: 'CHG-1', window: { start: iso(at(180)), end: iso(at(300)) } }, 10, 'c2'));
    const history = told({
      'C-1': [
        { kind: 'change-notice', version: 1 },
        { kind: 'change-update', version: 2 },
      ],
    });
    expect(planNotices({ state, affected: outage('C-1'), told: history, at: at(10) })).toEqual([]);
  });
});

describe('failed changes reach those told', () => {
  const started = ev('Change Started', { changeId: 'CHG-1' }, 120, 'c2');
  const failed = ev('Change Failed', { changeId: 'CHG-1', expectedResolutionAt: iso(at(360)) }, 200, 'c3');

  it('given a failed change, then everyone told gets change-failed at the new told version, and newly affected customers hear it as their first notice', () => {
    const state = change(started, failed);
    expect(ids(planNotices({ state, affected: outage('C-1', 'C-2'), told: toldFirst, at: at(200) }))).toEqual([
      `C-1:change-failed:${toldVersion(state)}`,
      `C-2:change-failed:${toldVersion(state)}`,
    ]);
  });

  it('given the expected restore time of a failed change moves, then those told of the failure get change-failed again, once', () => {
    const moved = ev('Change Updated', { changeId: 'CHG-1', expectedResolutionAt: iso(at(420)) }, 210, 'c4');
    const before = change(started, failed);
    const state = change(started, failed, moved);
    const history = told({
      'C-1': [
        { kind: 'change-notice', version: 1 },
        { kind: 'change-failed', version: toldVersion(before) },
      ],
    });
    expect(ids(planNotices({ state, affected: outage('C-1'), told: history, at: at(210) }))).toEqual([`C-1:change-failed:${toldVersion(state)}`]);
    expect(state.window.end).toBe(at(420));
  });

  it('given a rollback, then everyone told (affected now or not) gets change-failed saying it is over, effect none; nothing else', () => {
    const state = change(started, ev('Change Failed', { changeId: 'CHG-1', rolledBack: true }, 200, 'c3'));
    const plan = planNotices({
      state,
      affected: outage('C-1', 'C-2'),
      told: told({ 'C-1': [{ kind: 'change-notice', version: 1 }], 'C-3': [{ kind: 'change-update', version: 1 }] }),
      at: at(200),
    });
    expect(ids(plan)).toEqual([`C-1:change-failed:${toldVersion(state)}`, `C-3:change-failed:${toldVersion(state)}`]);
    expect(plan.every((n) => n.effect === 'none')).toBe(true);
  });
});

describe('incidents: message and expected restore time', () => {
  const opened = ev(
    'Incident Opened',
    { incidentId: 'INC-1', title: 'Kiosks down', severity: 'sev2', impacts: [{ node: 'kiosk' }], expectedResolutionAt: iso(at(60)) },
    0,
    'i1',
  );
  const toldIncident = told({ 'C-1': [{ kind: 'incident-notice', version: 1 }] });

  it("given a new expected restore time, then the told customers get incident-update versioned by that event's time", () => {
    const state = foldSubject([opened, ev('Incident Updated', { incidentId: 'INC-1', expectedResolutionAt: iso(at(120)) }, 30, 'i2')]);
    expect(ids(planNotices({ state, affected: outage('C-1'), told: toldIncident, at: at(30) }))).toEqual([`C-1:incident-update:${at(30)}`]);
  });

  it("given two updates with news within the same minute, then each is its own notice (versions are the events' times)", () => {
    const first = ev('Incident Updated', { incidentId: 'INC-1', status: 'identified' }, 30, 'i2');
    const second = parseEvent(
      rawEvent('Incident Updated', { incidentId: 'INC-1', eventId: 'i3', occurredAt: iso(at(30) + 20_000), customerMessage: 'Use the app.' }),
    );
    const afterFirst = planNotices({ state: foldSubject([opened, first]), affected: outage('C-1'), told: toldIncident, at: first.occurredAt });
    const afterSecond = planNotices({ state: foldSubject([opened, first, second]), affected: outage('C-1'), told: toldIncident, at: second.occurredAt });
    expect(afterFirst[0].version).not.toBe(afterSecond[0].version);
  });

  it('given an update that repeats the message and the time, then no update is planned', () => {
    const state = foldSubject([opened, ev('Incident Updated', { incidentId: 'INC-1', expectedResolutionAt: iso(at(60)), severity: 'sev1' }, 30, 'i2')]);
    expect(planNotices({ state, affected: outage('C-1'), told: toldIncident, at: at(30) })).toEqual([]);
  });

  it('given news held by a draft and then approved, then the approval sends the update it held', () => {
    const held = ev('Incident Updated', { incidentId: 'INC-1', customerMessage: 'Use the app.', notify: 'draft' }, 30, 'i2');
    const approved = ev('Notices Approved', { incidentId: 'INC-1' }, 45, 'a1');
    const state = foldSubject([opened, held, approved]);
    expect(ids(planNotices({ state, affected: outage('C-1'), told: toldIncident, at: at(45) }))).toEqual([`C-1:incident-update:${at(45)}`]);
  });
});

describe('notify: false counts as told for later events', () => {
  const silent = ev('Change Updated', { changeId: 'CHG-1', customerMessage: 'typo fixed', notify: false }, 10, 'c2');

  it('given a silent message change, when a later event notifies, then those told before do not hear of the silent change', () => {
    const state = change(silent, ev('Change Started', { changeId: 'CHG-1' }, 120, 'c3'));
    expect(planNotices({ state, affected: outage('C-1'), told: toldFirst, at: at(120) })).toEqual([]);
  });

  it('given a customer newly affected by the silent change, then the next event that notifies tells them', () => {
    const state = change(
      ev('Change Updated', { changeId: 'CHG-1', impacts: [{ node: 'kiosk' }, { node: 'web' }], notify: false }, 10, 'c2'),
      ev('Change Started', { changeId: 'CHG-1' }, 120, 'c3'),
    );
    expect(ids(planNotices({ state, affected: outage('C-1', 'C-9'), told: toldFirst, at: at(120) }))).toEqual([`C-9:change-notice:${toldVersion(state)}`]);
  });

  it('given a later change that matters, then the told get the update, with everything it now says', () => {
    const state = change(silent, ev('Change Updated', { changeId: 'CHG-1', window: { start: iso(at(180)), end: iso(at(300)) } }, 20, 'c3'));
    expect(ids(planNotices({ state, affected: outage('C-1'), told: toldFirst, at: at(20) }))).toEqual([`C-1:change-update:${toldVersion(state)}`]);
  });

  it('given a silent cancellation, then nobody is told of it, now or later; given a silent drop, no all-clear', () => {
    const cancelled = change(ev('Change Cancelled', { changeId: 'CHG-1', notify: false }, 10, 'c2'));
    expect(planNotices({ state: cancelled, affected: [], told: toldFirst, at: at(10) })).toEqual([]);
    const dropped = change(ev('Change Updated', { changeId: 'CHG-1', impacts: [{ node: 'web' }], notify: false }, 10, 'c2'));
    expect(planNotices({ state: dropped, affected: [], told: toldFirst, at: at(10) })).toEqual([]);
  });
});
