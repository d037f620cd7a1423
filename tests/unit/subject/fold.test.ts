import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEvent, type ImpactEvent } from '../../../functions/domain/events/index.ts';
import { foldSubject, isLive, subjectKey } from '../../../functions/domain/subject.ts';
import { HOUR, T0, iso, rawEvent } from '../../support/events.ts';

const at = (offsetMinutes: number) => iso(T0 + offsetMinutes * 60_000);
const ev = (type: string, detail: Record<string, unknown>, minute: number, eventId: string): ImpactEvent =>
  parseEvent(rawEvent(type, { eventId, occurredAt: at(minute), ...detail }));

const changeHistory = (): ImpactEvent[] => [
  ev('Change Scheduled', { changeId: 'CHG-1', title: 'DB patch', window: { start: at(120), end: at(240) }, impacts: [{ node: 'db' }] }, 0, 'c1'),
  ev('Change Updated', { changeId: 'CHG-1', window: { start: at(180), end: at(300) } }, 10, 'c2'),
  ev('Change Updated', { changeId: 'CHG-1', impacts: [{ node: 'db', effect: 'degraded' }, { node: 'net' }] }, 20, 'c3'),
  ev('Change Started', { changeId: 'CHG-1' }, 180, 'c4'),
  ev('Change Completed', { changeId: 'CHG-1', note: 'done' }, 290, 'c5'),
];

const incidentHistory = (): ImpactEvent[] => [
  ev('Incident Opened', { incidentId: 'INC-7', title: 'Kiosks down', severity: 'sev2', impacts: [{ node: 'kiosk' }], startedAt: at(-5) }, 0, 'i1'),
  ev('Incident Updated', { incidentId: 'INC-7', status: 'identified', impacts: [{ node: 'kiosk' }, { node: 'dcs' }] }, 30, 'i2'),
  ev('Incident Updated', { incidentId: 'INC-7', severity: 'sev1' }, 40, 'i3'),
  ev('Incident Resolved', { incidentId: 'INC-7', resolvedAt: at(90) }, 95, 'i4'),
];

describe('folding a change', () => {
  it('given scheduled then updated, the update replaces window and impacts and bumps the scope version', () => {
    const state = foldSubject(changeHistory().slice(0, 3));
    expect(state).toMatchObject({
      type: 'change',
      id: 'CHG-1',
      opened: true,
      status: 'scheduled',
      title: 'DB patch',
      window: { start: T0 + 3 * HOUR, end: T0 + 5 * HOUR },
      impacts: [
        { node: 'db', effect: 'degraded' },
        { node: 'net', effect: 'outage' },
      ],
      scopeVersion: 3,
      eventCount: 3,
    });
  });

  it('an update that repeats the current scope does not bump the scope version', () => {
    const [scheduled] = changeHistory();
    const same = ev('Change Updated', { changeId: 'CHG-1', window: { start: at(120), end: at(240) }, title: 'Renamed' }, 5, 'c9');
    expect(foldSubject([scheduled, same])).toMatchObject({ scopeVersion: 1, title: 'Renamed' });
  });

  it('started and completed set the status and times', () => {
    expect(foldSubject(changeHistory())).toMatchObject({ status: 'completed', startedAt: T0 + 3 * HOUR, note: 'done' });
  });

  it('a cancelled change is cancelled', () => {
    const [scheduled] = changeHistory();
    const cancel = ev('Change Cancelled', { changeId: 'CHG-1', reason: 'vendor not ready' }, 30, 'c6');
    expect(foldSubject([cancel, scheduled])).toMatchObject({ status: 'cancelled', note: 'vendor not ready', opened: true });
  });

  it('a subject whose opening event has not arrived is held but keeps what it knows', () => {
    const [, update] = changeHistory();
    const held = foldSubject([update]);
    expect(held).toMatchObject({ opened: false, status: 'pending', window: { start: T0 + 3 * HOUR, end: T0 + 5 * HOUR } });
    expect(held.scopeVersion).toBe(0);
  });

  it('mixing subjects is refused', () => {
    expect(() => foldSubject([changeHistory()[0], incidentHistory()[0]])).toThrow(/one subject at a time/);
    expect(subjectKey(changeHistory()[0])).toBe('change#CHG-1');
  });
});

describe('folding an incident', () => {
  it('the window runs from startedAt to resolvedAt, open-ended while unresolved', () => {
    const history = incidentHistory();
    expect(foldSubject(history.slice(0, 3))).toMatchObject({
      status: 'identified',
      severity: 'sev1',
      window: { start: T0 - 5 * 60_000 },
      impacts: [
        { node: 'dcs', effect: 'outage' },
        { node: 'kiosk', effect: 'outage' },
      ],
      scopeVersion: 2,
    });
    expect(foldSubject(history.slice(0, 3)).window.end).toBeUndefined();
    expect(foldSubject(history)).toMatchObject({ status: 'resolved', window: { start: T0 - 5 * 60_000, end: T0 + 90 * 60_000 } });
  });

  it('without startedAt the window starts when the opening event occurred', () => {
    const opened = ev('Incident Opened', { incidentId: 'INC-8', title: 't', severity: 'sev3', impacts: [] }, 12, 'j1');
    expect(foldSubject([opened]).window).toEqual({ start: T0 + 12 * 60_000 });
  });
});

describe('fold properties', () => {
  const histories = fc.constantFrom(changeHistory(), incidentHistory());
  const shuffled = histories.chain((h) => fc.shuffledSubarray(h, { minLength: h.length, maxLength: h.length }).map((s) => ({ h, s })));

  it("any permutation of a subject's events folds to the same state", () => {
    fc.assert(
      fc.property(shuffled, ({ h, s }) => {
        expect(foldSubject(s)).toEqual(foldSubject(h));
      }),
    );
  });

  it('duplicates change nothing', () => {
    fc.assert(
      fc.property(shuffled, fc.array(fc.nat(), { maxLength: 8 }), ({ h, s }, picks) => {
        const dupes = picks.map((p) => structuredClone(h[p % h.length]));
        expect(foldSubject([...s, ...dupes])).toEqual(foldSubject(h));
      }),
    );
  });

  it('same-time events are ordered by eventId, whatever the arrival order', () => {
    const a = ev('Change Updated', { changeId: 'CHG-1', title: 'A' }, 50, 'x-a');
    const b = ev('Change Updated', { changeId: 'CHG-1', title: 'B' }, 50, 'x-b');
    const [scheduled] = changeHistory();
    expect(foldSubject([scheduled, b, a]).title).toBe('B');
    expect(foldSubject([a, scheduled, b]).title).toBe('B');
  });
});

describe('live subjects (isLive)', () => {
  it('given a subject not closed whose window is not over, then it is live; closed or over, it is not', () => {
    const now = T0 + 10 * HOUR;
    expect(isLive({ status: 'scheduled', end: now + 1 }, now)).toBe(true);
    expect(isLive({ status: 'open' }, now)).toBe(true); // an open incident has no end yet
    expect(isLive({ status: 'failed', end: now + 1 }, now)).toBe(true);
    expect(isLive({ status: 'started', end: now }, now)).toBe(false);
    for (const status of ['cancelled', 'completed', 'resolved'] as const) expect(isLive({ status, end: now + HOUR }, now)).toBe(false);
  });
});
