import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEvent, type ImpactEvent } from '../../../functions/domain/events/index.ts';
import { foldSubject, isLive, toldVersion } from '../../../functions/domain/subject.ts';
import { HOUR, T0, iso, rawEvent } from '../../support/events.ts';

const at = (minute: number) => iso(T0 + minute * 60_000);
const ev = (type: string, detail: Record<string, unknown>, minute: number, eventId: string): ImpactEvent =>
  parseEvent(rawEvent(type, { eventId, occurredAt: at(minute), ...detail }));
const scheduled = (extra: Record<string, unknown> = {}) =>
  ev(
    'Change Scheduled',
    { changeId: 'CHG-1', title: 'DB patch', window: { start: at(120), end: at(240) }, impacts: [{ node: 'db' }], customerMessage: 'Use the app.', ...extra },
    0,
    'c1',
  );
const opened = (extra: Record<string, unknown> = {}) =>
  ev('Incident Opened', { incidentId: 'INC-1', title: 'Kiosks down', severity: 'sev2', impacts: [{ node: 'kiosk' }], ...extra }, 0, 'i1');
const person = { type: 'person' as const, id: 'jane' };

describe('the told version: what a customer told about a subject knows', () => {
  it('given a change updated with a new customerMessage only, then the told version moves and the scope version does not', () => {
    const state = foldSubject([scheduled(), ev('Change Updated', { changeId: 'CHG-1', customerMessage: 'Use the kiosks.' }, 10, 'c2')]);
    expect(state).toMatchObject({ scopeVersion: 1, messageVersion: 1, messageChangedAt: T0 + 10 * 60_000, customerMessage: 'Use the kiosks.' });
    expect(toldVersion(state)).toBe(2);
  });

  it('given the same message again, then nothing moves', () => {
    const once = foldSubject([scheduled(), ev('Change Updated', { changeId: 'CHG-1', customerMessage: 'Use the kiosks.' }, 10, 'c2')]);
    const twice = foldSubject([
      scheduled(),
      ev('Change Updated', { changeId: 'CHG-1', customerMessage: 'Use the kiosks.' }, 10, 'c2'),
      ev('Change Updated', { changeId: 'CHG-1', customerMessage: 'Use the kiosks.' }, 20, 'c3'),
    ]);
    expect(toldVersion(twice)).toBe(toldVersion(once));
    expect(twice.messageChangedAt).toBe(once.messageChangedAt);
  });

  it('given a new window, then scope and told version move together', () => {
    const state = foldSubject([scheduled(), ev('Change Updated', { changeId: 'CHG-1', window: { start: at(180), end: at(300) } }, 10, 'c2')]);
    expect([state.scopeVersion, toldVersion(state)]).toEqual([2, 2]);
  });

  it('given a message set before the opening event arrived, then it is part of the first notice, not news', () => {
    const state = foldSubject([
      ev('Change Updated', { changeId: 'CHG-1', customerMessage: 'Early word.' }, -5, 'c0'),
      scheduled({ customerMessage: undefined }),
    ]);
    expect(state).toMatchObject({ customerMessage: 'Early word.', scopeVersion: 1 });
    expect(state.messageVersion).toBeUndefined();
  });

  it('given a history that uses none of the new fields, then it folds to exactly the state it folded to before them', () => {
    const state = foldSubject([
      scheduled(),
      ev('Change Updated', { changeId: 'CHG-1', window: { start: at(180), end: at(300) } }, 10, 'c2'),
      ev('Change Started', { changeId: 'CHG-1' }, 180, 'c3'),
    ]);
    // Written out by hand: the fields and values of the state as the code before issue 15 produced it.
    expect(state).toEqual({
      type: 'change',
      id: 'CHG-1',
      opened: true,
      status: 'started',
      window: { start: T0 + 3 * HOUR, end: T0 + 5 * HOUR },
      impacts: [{ node: 'db', effect: 'outage' }],
      scopeVersion: 2,
      eventCount: 3,
      lastEventId: 'c3',
      lastOccurredAt: T0 + 3 * HOUR,
      title: 'DB patch',
      customerMessage: 'Use the app.',
      startedAt: T0 + 3 * HOUR,
      statusChangedAt: T0 + 3 * HOUR,
    });
  });
});

describe('expected restore time', () => {
  it('given an incident opened with one, then moved, then withdrawn, then each change is news and the state follows', () => {
    const first = opened({ expectedResolutionAt: at(90) });
    expect(foldSubject([first])).toMatchObject({ expectedResolutionAt: T0 + 90 * 60_000 });
    expect(foldSubject([first]).messageVersion).toBeUndefined();
    const moved = ev('Incident Updated', { incidentId: 'INC-1', expectedResolutionAt: at(150) }, 30, 'i2');
    expect(foldSubject([first, moved])).toMatchObject({ expectedResolutionAt: T0 + 150 * 60_000, messageVersion: 1, messageChangedAt: T0 + 30 * 60_000 });
    const withdrawn = foldSubject([first, moved, ev('Incident Updated', { incidentId: 'INC-1', expectedResolutionAt: null }, 40, 'i3')]);
    expect(withdrawn.expectedResolutionAt).toBeUndefined();
    expect(withdrawn.messageVersion).toBe(2);
  });

  it('given an update that names the same time again, then it is not news', () => {
    const first = opened({ expectedResolutionAt: at(90) });
    expect(
      foldSubject([first, ev('Incident Updated', { incidentId: 'INC-1', expectedResolutionAt: at(90), severity: 'sev1' }, 30, 'i2')]).messageVersion,
    ).toBeUndefined();
  });
});

describe('failed changes', () => {
  const started = ev('Change Started', { changeId: 'CHG-1' }, 120, 'c2');

  it('given a change that failed with an expected restore time, then it stays live and hits what it hit until then; the failure is news', () => {
    const state = foldSubject([scheduled(), started, ev('Change Failed', { changeId: 'CHG-1', note: 'disk', expectedResolutionAt: at(360) }, 200, 'c3')]);
    expect(state).toMatchObject({
      status: 'failed',
      failedAt: T0 + 200 * 60_000,
      window: { start: T0 + 2 * HOUR, end: T0 + 6 * HOUR },
      expectedResolutionAt: T0 + 6 * HOUR,
      note: 'disk',
    });
    expect(toldVersion(state)).toBeGreaterThan(toldVersion(foldSubject([scheduled(), started])));
    expect(isLive({ status: state.status, end: state.window.end }, T0 + 5 * HOUR)).toBe(true);
  });

  it('given a failure without an expected time, then the window is open-ended: until further notice', () => {
    expect(foldSubject([scheduled(), started, ev('Change Failed', { changeId: 'CHG-1' }, 200, 'c3')]).window).toEqual({ start: T0 + 2 * HOUR });
  });

  it('given the same failure sent twice, then the second is not news', () => {
    const fail = (id: string, minute: number) => ev('Change Failed', { changeId: 'CHG-1', expectedResolutionAt: at(360) }, minute, id);
    expect(toldVersion(foldSubject([scheduled(), started, fail('c3', 200), fail('c4', 210)]))).toBe(
      toldVersion(foldSubject([scheduled(), started, fail('c3', 200)])),
    );
  });

  it('given a rollback, then the change is over (rolled-back, closed at the rollback), and that is news to those told', () => {
    const failed = ev('Change Failed', { changeId: 'CHG-1' }, 200, 'c3');
    const rolledBack = ev('Change Failed', { changeId: 'CHG-1', rolledBack: true }, 230, 'c4');
    const state = foldSubject([scheduled(), started, failed, rolledBack]);
    expect(state).toMatchObject({ status: 'rolled-back', window: { start: T0 + 2 * HOUR, end: T0 + 230 * 60_000 } });
    expect(toldVersion(state)).toBeGreaterThan(toldVersion(foldSubject([scheduled(), started, failed])));
    expect(isLive({ status: state.status, end: state.window.end }, T0 + 210 * 60_000)).toBe(false);
  });

  it('given a failed change later completed, then what it hit was hit until the completion', () => {
    const state = foldSubject([
      scheduled(),
      started,
      ev('Change Failed', { changeId: 'CHG-1' }, 200, 'c3'),
      ev('Change Completed', { changeId: 'CHG-1' }, 300, 'c4'),
    ]);
    expect(state).toMatchObject({ status: 'completed', window: { start: T0 + 2 * HOUR, end: T0 + 5 * HOUR } });
  });
});

describe('notify choices and approval', () => {
  it('given an update with notify false, then the state records what it changed as silenced', () => {
    const quiet = ev('Change Updated', { changeId: 'CHG-1', customerMessage: 'typo fixed', notify: false }, 10, 'c2');
    const state = foldSubject([scheduled(), quiet]);
    expect(state.silenced).toEqual({ toldVersion: 2, scopeVersion: 1, status: 'scheduled', at: T0 + 10 * 60_000 });
  });

  it('given a draft, then it stays held until Notices Approved, which records who approved and whether news waited', () => {
    const draft = scheduled({ notify: 'draft', actor: person });
    expect(foldSubject([draft]).draft).toEqual({ since: T0, by: person });
    const approval = ev('Notices Approved', { changeId: 'CHG-1', actor: { type: 'person', id: 'boss' } }, 30, 'a1');
    const state = foldSubject([draft, approval]);
    expect(state.draft).toBeUndefined();
    expect(state.approved).toEqual({ at: T0 + 30 * 60_000, by: { type: 'person', id: 'boss' }, news: true });
  });

  it('given held incident news (a new message during a draft update), then the approval says news waited; without a draft, none did', () => {
    const draftUpdate = ev('Incident Updated', { incidentId: 'INC-1', customerMessage: 'Use the app.', notify: 'draft' }, 10, 'i2');
    const approval = ev('Notices Approved', { incidentId: 'INC-1' }, 20, 'a1');
    expect(foldSubject([opened(), draftUpdate, approval]).approved?.news).toBe(true);
    expect(foldSubject([opened(), approval]).approved?.news).toBe(false);
  });

  it('any arrival order of the same events folds to the same state (silence, drafts, approvals, failures included)', () => {
    const history = [
      scheduled({ notify: 'draft' }),
      ev('Change Updated', { changeId: 'CHG-1', customerMessage: 'New word.', notify: false }, 10, 'c2'),
      ev('Notices Approved', { changeId: 'CHG-1' }, 20, 'a1'),
      ev('Change Started', { changeId: 'CHG-1' }, 120, 'c3'),
      ev('Change Failed', { changeId: 'CHG-1', expectedResolutionAt: at(400) }, 200, 'c4'),
      ev('Change Updated', { changeId: 'CHG-1', expectedResolutionAt: at(420) }, 210, 'c5'),
    ];
    fc.assert(
      fc.property(fc.shuffledSubarray(history, { minLength: history.length, maxLength: history.length }), (shuffled) => {
        expect(foldSubject(shuffled)).toEqual(foldSubject(history));
      }),
    );
  });
});
