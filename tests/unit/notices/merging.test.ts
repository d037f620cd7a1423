import { describe, expect, it } from 'vitest';
import { parseEvent, type ImpactEvent } from '../../../functions/domain/events/index.ts';
import { MERGE_WINDOW_MS, byQuietHours, isSuperseded, isUrgent, sendAt } from '../../../functions/domain/notices/index.ts';
import { foldSubject, toldVersion } from '../../../functions/domain/subject.ts';
import { T0, iso, rawEvent } from '../../support/events.ts';

const MIN = 60_000;
const at = (minute: number) => T0 + minute * MIN;
const ev = (type: string, detail: Record<string, unknown>, minute: number, eventId: string): ImpactEvent =>
  parseEvent(rawEvent(type, { eventId, occurredAt: iso(at(minute)), ...detail }));

describe('quiet hours that hold for updates', () => {
  // 23:30 in Amsterdam; the customer sleeps 22:00-07:00.
  const night = Date.UTC(2026, 11, 5, 22, 30);
  const sleeper = { quietHours: { start: '22:00', end: '07:00' }, timeZone: 'Europe/Amsterdam' };
  const morning = Date.parse('2026-12-06T06:00:00Z');

  it('given the first incident notice of an outage at night, then it goes now', () => {
    expect(sendAt('incident-notice', { ...sleeper, effect: 'outage' }, night)).toBe(night);
  });

  it('given an incident update at night that tells the same outage again, then it waits for the morning', () => {
    expect(sendAt('incident-update', { ...sleeper, effect: 'outage', toldEffect: 'outage' }, night)).toBe(morning);
  });

  it('given an incident update at night whose effect got worse than what the customer was told, then it goes now', () => {
    expect(sendAt('incident-update', { ...sleeper, effect: 'outage', toldEffect: 'degraded' }, night)).toBe(night);
  });

  it('given an update that is worse but only degraded, then it waits (only an outage wakes anyone)', () => {
    expect(isUrgent('incident-update', 'degraded', 'none')).toBe(false);
  });

  it('given the incident ended at night, then those told of an outage hear it now, those told of less in the morning', () => {
    expect(sendAt('incident-resolved', { ...sleeper, effect: 'none', toldEffect: 'outage' }, night)).toBe(night);
    expect(sendAt('incident-resolved', { ...sleeper, effect: 'none', toldEffect: 'degraded' }, night)).toBe(morning);
  });

  it('given a change that failed at night leaving the customer without the service, then it goes now; rolled back (effect none), in the morning', () => {
    expect(sendAt('change-failed', { ...sleeper, effect: 'outage' }, night)).toBe(night);
    expect(sendAt('change-failed', { ...sleeper, effect: 'none' }, night)).toBe(morning);
  });
});

describe('several notices within a few minutes go out as one', () => {
  const now = at(100);

  it('given news to a customer told two minutes ago, then it waits until the merge window after that notice is over', () => {
    expect(sendAt('change-update', { effect: 'outage', lastToldAt: now - 2 * MIN }, now)).toBe(now - 2 * MIN + MERGE_WINDOW_MS);
    expect(sendAt('change-update', { effect: 'outage', lastToldAt: now - 6 * MIN }, now)).toBe(now);
  });

  it('given urgent news (an outage the customer was not told of), then it does not wait', () => {
    expect(sendAt('incident-update', { effect: 'outage', toldEffect: 'degraded', lastToldAt: now - MIN }, now)).toBe(now);
  });

  it('given a reminder or a closing notice soon after another, then it does not wait (it is not news of the state)', () => {
    expect(sendAt('reminder', { effect: 'outage', lastToldAt: now - MIN }, now)).toBe(now);
    expect(sendAt('change-cancelled', { effect: 'none', lastToldAt: now - MIN }, now)).toBe(now);
  });

  it('given a job of customers, then they are split into due now and waiting, by when each may be reached', () => {
    const customers = [
      { id: 'fresh', effect: 'outage' as const },
      { id: 'just-told', effect: 'outage' as const, lastToldAt: now - MIN },
    ];
    const { due, later } = byQuietHours(
      'incident-update',
      customers.map((c) => ({ ...c, toldEffect: 'outage' as const })),
      now,
    );
    expect(due.map((c) => c.id)).toEqual(['fresh']);
    expect([...later].map(([t, list]) => [t, list.map((c) => c.id)])).toEqual([[now - MIN + MERGE_WINDOW_MS, ['just-told']]]);
  });
});

describe('superseded news: the latest state is told once', () => {
  const scheduled = ev(
    'Change Scheduled',
    { changeId: 'CHG-1', title: 'Kiosk patch', window: { start: iso(at(120)), end: iso(at(240)) }, impacts: [{ node: 'kiosk' }] },
    0,
    'c1',
  );
  const message = ev('Change Updated', { changeId: 'CHG-1', customerMessage: 'Use the app.' }, 2, 'c2');

  it('given a change notice waiting while the change moved on, then the older notice is superseded by the newer one', () => {
    const current = foldSubject([scheduled, message]);
    expect(isSuperseded({ kind: 'change-notice', version: 1 }, current)).toBe(true);
    expect(isSuperseded({ kind: 'change-notice', version: toldVersion(current) }, current)).toBe(false);
  });

  it('given the newer state came only from a notify:false event, then nothing supersedes the waiting notice (nobody planned a newer one)', () => {
    const current = foldSubject([scheduled, ev('Change Updated', { changeId: 'CHG-1', customerMessage: 'typo', notify: false }, 2, 'c2')]);
    expect(isSuperseded({ kind: 'change-notice', version: 1 }, current)).toBe(false);
  });

  it('given the change was cancelled since, then a waiting first notice or update is superseded; the closing notice is not', () => {
    const current = foldSubject([scheduled, ev('Change Cancelled', { changeId: 'CHG-1' }, 3, 'c3')]);
    expect(isSuperseded({ kind: 'change-notice', version: 1 }, current)).toBe(true);
    expect(isSuperseded({ kind: 'change-cancelled', version: 1 }, current)).toBe(false);
  });

  it('given two incident updates waiting in the merge window, then the older is superseded by the later news', () => {
    const opened = ev('Incident Opened', { incidentId: 'INC-1', title: 'Kiosks down', severity: 'sev2', impacts: [{ node: 'kiosk' }] }, 0, 'i1');
    const first = ev('Incident Updated', { incidentId: 'INC-1', status: 'identified' }, 1, 'i2');
    const second = ev('Incident Updated', { incidentId: 'INC-1', expectedResolutionAt: iso(at(60)) }, 3, 'i3');
    const current = foldSubject([opened, first, second]);
    expect(isSuperseded({ kind: 'incident-update', version: first.occurredAt }, current)).toBe(true);
    expect(isSuperseded({ kind: 'incident-update', version: second.occurredAt }, current)).toBe(false);
    // A cadence update (minute of its tick) after the last news is not superseded; one before it is.
    expect(isSuperseded({ kind: 'incident-update', version: at(30) / MIN, scheduled: true }, current)).toBe(false);
    expect(isSuperseded({ kind: 'incident-update', version: at(2) / MIN, scheduled: true }, current)).toBe(true);
  });
});
