import { describe, expect, it } from 'vitest';
import {
  concernsTeam,
  firstNoticeAt,
  hitsByTouchpoint,
  inRange,
  isLive,
  keepsOnlyOpen,
  matchesChangeFilter,
  matchesIncidentFilter,
  overlappingChanges,
  sharedTouchpoints,
  touchpointNow,
  touchpointTeamsOf,
  windowsOverlap,
  type ListedSubject,
  type TouchpointHit,
} from '../../functions/domain/support.ts';

const H = 3_600_000;
const NOW = Date.UTC(2026, 11, 5, 12);
const hit = (over: Partial<TouchpointHit>): TouchpointHit => ({
  subjectKey: 'change#CHG-1',
  effect: 'outage',
  start: NOW - H,
  end: NOW + H,
  status: 'started',
  ...over,
});
const listed = (over: Partial<ListedSubject>): ListedSubject => ({ type: 'change', id: 'CHG-2', status: 'scheduled', start: NOW, end: NOW + 2 * H, ...over });

describe('live subjects', () => {
  it('given a scheduled change whose window is ahead, when asked at now, then it is live', () => {
    expect(isLive({ status: 'scheduled', end: NOW + H }, NOW)).toBe(true);
  });

  it('given an open incident without an end, then it is live however late it is', () => {
    expect(isLive({ status: 'investigating' }, NOW + 1_000 * H)).toBe(true);
  });

  it('given a subject whose window ended at now, then it is no longer live (the end is exclusive)', () => {
    expect(isLive({ status: 'started', end: NOW }, NOW)).toBe(false);
  });

  it.each(['cancelled', 'completed', 'resolved'] as const)('given a %s subject with its window still open, then it is not live', (status) => {
    expect(isLive({ status, end: NOW + H }, NOW)).toBe(false);
  });

  it('given a failed change whose window is still open, then it is live (a failed change still hurts)', () => {
    expect(isLive({ status: 'failed', end: NOW + H }, NOW)).toBe(true);
  });
});

describe('window overlap (the impact engine rule, for two windows)', () => {
  it('given windows that touch end to start, then they do not overlap', () => {
    expect(windowsOverlap({ start: 0, end: 10 }, { start: 10, end: 20 })).toBe(false);
    expect(windowsOverlap({ start: 10, end: 20 }, { start: 0, end: 10 })).toBe(false);
  });

  it('given windows that share a minute, then they overlap either way round', () => {
    expect(windowsOverlap({ start: 0, end: 11 }, { start: 10, end: 20 })).toBe(true);
    expect(windowsOverlap({ start: 10, end: 20 }, { start: 0, end: 11 })).toBe(true);
  });

  it('given an open-ended window, then it overlaps everything after its start', () => {
    expect(windowsOverlap({ start: 5 }, { start: 1_000, end: 1_001 })).toBe(true);
    expect(windowsOverlap({ start: 5 }, { start: 0, end: 5 })).toBe(false);
  });

  it('given a range with only `from`, then subjects ending after it are in range and those ending at it are not', () => {
    expect(inRange({ start: 0, end: 100 }, { from: 99 })).toBe(true);
    expect(inRange({ start: 0, end: 100 }, { from: 100 })).toBe(false);
    expect(inRange({ start: 500 }, { to: 500 })).toBe(false);
    expect(inRange({ start: 500 }, {})).toBe(true);
  });
});

describe('touchpoint status', () => {
  it('given no hits, then the touchpoint is ok', () => {
    expect(touchpointNow([], NOW)).toEqual({ status: 'ok', now: [], upcoming: [] });
  });

  it('given a degraded and an outage hit that have both begun, then the touchpoint is in outage', () => {
    const view = touchpointNow(
      [hit({ effect: 'degraded', subjectKey: 'change#A' }), hit({ effect: 'outage', subjectKey: 'incident#B', end: undefined, status: 'open' })],
      NOW,
    );
    expect(view.status).toBe('outage');
    expect(view.now.map((h) => h.subjectKey)).toEqual(['change#A', 'incident#B']);
  });

  it('given only a degraded hit now and an outage ahead, then it is degraded now with the outage upcoming', () => {
    const view = touchpointNow([hit({ effect: 'degraded' }), hit({ subjectKey: 'change#LATER', start: NOW + H, end: NOW + 2 * H, status: 'scheduled' })], NOW);
    expect(view).toMatchObject({ status: 'degraded', upcoming: [{ subjectKey: 'change#LATER' }] });
  });

  it('given a hit that starts exactly now, then it counts as now', () => {
    expect(touchpointNow([hit({ start: NOW })], NOW).status).toBe('outage');
  });

  it('given hits of a completed change and of a window already over, then neither counts', () => {
    expect(touchpointNow([hit({ status: 'completed' }), hit({ start: NOW - 2 * H, end: NOW - H })], NOW)).toEqual({ status: 'ok', now: [], upcoming: [] });
  });
});

describe('touchpoint hits of the live subjects', () => {
  it('given live and past subjects with their effects, then each touchpoint gets the live ones in subject key order', () => {
    const hits = hitsByTouchpoint(
      [
        { subjectKey: 'incident#INC-2', start: NOW - H, status: 'investigating', effects: { 'web-booking': 'outage', 'kiosk-ams': 'degraded' } },
        { subjectKey: 'change#CHG-9', start: NOW + H, end: NOW + 2 * H, status: 'scheduled', effects: { 'web-booking': 'degraded' } },
        { subjectKey: 'change#CHG-OLD', start: NOW - 3 * H, end: NOW - 2 * H, status: 'scheduled', effects: { 'web-booking': 'outage' } },
        { subjectKey: 'incident#INC-1', start: NOW - 5 * H, end: NOW - 4 * H, status: 'resolved', effects: { 'kiosk-ams': 'outage' } },
      ],
      NOW,
    );
    expect(Object.fromEntries(hits)).toEqual({
      'web-booking': [
        { subjectKey: 'change#CHG-9', effect: 'degraded', start: NOW + H, end: NOW + 2 * H, status: 'scheduled' },
        { subjectKey: 'incident#INC-2', effect: 'outage', start: NOW - H, status: 'investigating' },
      ],
      'kiosk-ams': [{ subjectKey: 'incident#INC-2', effect: 'degraded', start: NOW - H, status: 'investigating' }],
    });
  });
});

describe('list filters', () => {
  it('given an incident filter, then it keeps only open incidents unless it is `all` or `resolved`', () => {
    expect(['open', 'investigating', 'identified', 'monitoring'].every((f) => keepsOnlyOpen(f as never))).toBe(true);
    expect(keepsOnlyOpen('all')).toBe(false);
    expect(keepsOnlyOpen('resolved')).toBe(false);
  });

  it('given the filter `open`, then every incident not resolved matches', () => {
    expect(['open', 'investigating', 'identified', 'monitoring'].every((s) => matchesIncidentFilter('open', s as never))).toBe(true);
    expect(matchesIncidentFilter('open', 'resolved')).toBe(false);
  });

  it('given a status filter, then only that status matches; `all` matches everything', () => {
    expect(matchesIncidentFilter('monitoring', 'monitoring')).toBe(true);
    expect(matchesIncidentFilter('monitoring', 'identified')).toBe(false);
    expect(matchesIncidentFilter('all', 'resolved')).toBe(true);
  });

  it('given a team, then a subject concerns it through its own team or a touchpoint it hits', () => {
    expect(concernsTeam('payments', { team: 'payments', touchpointTeams: [] })).toBe(true);
    expect(concernsTeam('digital', { team: 'payments', touchpointTeams: [undefined, 'digital'] })).toBe(true);
    expect(concernsTeam('airport-ops', { team: 'payments', touchpointTeams: ['digital'] })).toBe(false);
  });

  it('given a graph, then a subject keeps the team of each hit touchpoint that names one', () => {
    const touchpoints = new Map([
      ['web-booking', { id: 'web-booking', channel: 'web' as const, team: 'digital', dependsOn: [] }],
      ['kiosk-ams', { id: 'kiosk-ams', channel: 'kiosk' as const, dependsOn: [] }],
    ]);
    expect(touchpointTeamsOf([{ id: 'web-booking' }, { id: 'kiosk-ams' }, { id: 'gone' }], { touchpoints })).toEqual({ 'web-booking': 'digital' });
  });

  it('given a listed change, then the touchpoint filter asks for a hit and the team filter for its team or a hit touchpoint team', () => {
    const change = { team: 'payments', hit: ['web-booking', 'app-booking'], touchpointTeams: ['digital'] };
    expect(matchesChangeFilter({}, change)).toBe(true);
    expect(matchesChangeFilter({ touchpoint: 'app-booking' }, change)).toBe(true);
    expect(matchesChangeFilter({ touchpoint: 'kiosk-ams' }, change)).toBe(false);
    expect(matchesChangeFilter({ team: 'payments' }, change)).toBe(true);
    expect(matchesChangeFilter({ team: 'digital' }, change)).toBe(true);
    expect(matchesChangeFilter({ team: 'airport-ops' }, change)).toBe(false);
    expect(matchesChangeFilter({ touchpoint: 'web-booking', team: 'airport-ops' }, change)).toBe(false);
  });
});

describe('change conflicts', () => {
  const candidate = { id: 'CHG-1', window: { start: NOW + H, end: NOW + 3 * H } };

  it('given other changes, then only open changes whose window overlaps the candidate conflict', () => {
    const others = [
      listed({ id: 'CHG-2' }),
      listed({ id: 'CHG-3', status: 'cancelled' }),
      listed({ id: 'CHG-4', status: 'completed' }),
      listed({ id: 'CHG-5', start: NOW + 3 * H, end: NOW + 4 * H }),
      listed({ id: 'INC-1', type: 'incident', status: 'open', end: undefined }),
      listed({ id: 'CHG-1' }),
      listed({ id: 'CHG-6', start: NOW - 5 * H, end: undefined, status: 'started' }),
    ];
    expect(overlappingChanges(candidate, others).map((s) => s.id)).toEqual(['CHG-2', 'CHG-6']);
  });

  it('given the touchpoints each change hits, then the shared ones are those of theirs that the candidate hits too', () => {
    expect(sharedTouchpoints(['web', 'app'], ['kiosk', 'app', 'web'])).toEqual(['app', 'web']);
    expect(sharedTouchpoints(['web'], ['kiosk'])).toEqual([]);
  });
});

describe('first notice', () => {
  it('given notices sent at several times and a claim not yet sent, then the first is the earliest sent one', () => {
    expect(
      firstNoticeAt([
        { status: 'sent', sentAt: 30 },
        { status: 'claimed', sentAt: 5 },
        { status: 'sent', sentAt: 20 },
        { status: 'sent', sentAt: 25 },
      ]),
    ).toBe(20);
  });

  it('given nothing sent, then there is no first notice', () => {
    expect(firstNoticeAt([])).toBeUndefined();
    expect(firstNoticeAt([{ status: 'claimed', sentAt: 1 }])).toBeUndefined();
  });
});
