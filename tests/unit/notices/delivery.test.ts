import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../../functions/adapters/template-files.ts';
import {
  buildBriefings,
  inQuietHours,
  isUrgent,
  paceChunks,
  renderBriefing,
  renderNoticeWith,
  sendAfterQuietHours,
  triggersFor,
} from '../../../functions/domain/notices/index.ts';
import { graphOf, openChange } from '../../support/graphs.ts';
import { assessDetailed, viewOf } from '../../../functions/domain/impact/assess.ts';

describe("quiet hours in the customer's zone", () => {
  const quiet = { start: '22:00', end: '07:00' };
  it('23:30 in Amsterdam is quiet, 08:00 is not; the notice waits until 07:00 local', () => {
    const lateAms = Date.UTC(2026, 11, 5, 22, 30); // 23:30 CET
    expect(inQuietHours(quiet, 'Europe/Amsterdam', lateAms)).toBe(true);
    expect(inQuietHours(quiet, 'Europe/Amsterdam', Date.UTC(2026, 11, 5, 7, 0))).toBe(false);
    expect(new Date(sendAfterQuietHours(quiet, 'Europe/Amsterdam', lateAms)).toISOString()).toBe('2026-12-06T06:00:00.000Z');
    expect(sendAfterQuietHours(quiet, 'America/New_York', lateAms)).toBe(lateAms); // 17:30 in New York
    expect(sendAfterQuietHours(undefined, 'Europe/Amsterdam', lateAms)).toBe(lateAms);
  });
  it('only outages happening now are urgent', () => {
    expect(isUrgent('incident-notice', 'outage')).toBe(true);
    expect(isUrgent('incident-notice', 'degraded')).toBe(false);
    expect(isUrgent('change-notice', 'outage')).toBe(false);
    expect(isUrgent('reminder', 'outage')).toBe(false);
  });
});

describe('rendering', () => {
  const shipped = loadTemplates();
  const ctx = {
    subjectTitle: 'Payments maintenance',
    touchpoints: ['Website checkout'],
    effect: 'outage' as const,
    start: Date.UTC(2026, 11, 5, 2),
    end: Date.UTC(2026, 11, 5, 4),
    timeZone: 'Europe/Amsterdam',
    customerMessage: 'Pay later in the app.',
  };
  it("English and Dutch, times in the customer's zone, the customer message appended", () => {
    const en = renderNoticeWith(shipped, 'change-notice', 'en-GB', ctx);
    expect(en).toMatchObject({
      locale: 'en',
      title: 'Planned maintenance: Payments maintenance',
      text: expect.stringContaining('Website checkout will be unavailable. Pay later in the app.'),
    });
    expect(en.text).toContain('03:00');
    const nl = renderNoticeWith(shipped, 'change-notice', 'nl-NL', ctx);
    expect(nl.title).toBe('Gepland onderhoud: Payments maintenance');
    expect(nl.text).toContain('niet beschikbaar');
  });
  it('an unknown locale falls back to English', () => {
    expect(renderNoticeWith(shipped, 'incident-resolved', 'ja-JP', ctx).locale).toBe('en');
  });
});

describe('support briefings', () => {
  it('one per team, with paths, counts by segment and effect, and what to tell callers', () => {
    const graph = graphOf({
      components: [{ id: 'db', team: 'payments' }],
      touchpoints: [
        { id: 'web', channel: 'web', team: 'digital', dependsOn: ['db'] },
        { id: 'kiosk-ams', channel: 'kiosk', team: 'airport', region: 'AMS', dependsOn: ['db'] },
      ],
      customers: [
        { id: 'C-1', segment: 'gold', contacts: { email: 'x@example.com' }, uses: ['web'] },
        { id: 'C-2', contacts: {}, uses: ['kiosk-ams'] },
      ],
    });
    const state = {
      ...openChange([{ node: 'db', effect: 'outage' }], { start: 0, end: 3_600_000 }),
      team: 'payments',
      title: 'DB patch',
      customerMessage: 'Use the app.',
    };
    const { assessment, records } = assessDetailed(viewOf(graph), state);
    const briefings = buildBriefings(state, assessment, records, graph, 'change-notice');
    expect(briefings.map((b) => [b.team, b.region])).toEqual([
      ['airport', 'AMS'],
      ['digital', 'all'],
      ['payments', 'all'],
    ]);
    expect(briefings[0]).toMatchObject({
      touchpoints: [{ id: 'kiosk-ams', why: 'db -> kiosk-ams' }],
      customers: { total: 2, bySegment: { gold: 1, unknown: 1 }, unreachable: 1 },
      tellCallers: 'Use the app.',
    });
    expect(renderBriefing(briefings[0])).toContain('outage kiosk-ams (kiosk) because db -> kiosk-ams');
  });
});

describe('schedules and pacing', () => {
  const H = 3_600_000;
  it('reminders 24 h and 1 h before, overrun at the end; only future ones; names idempotent', () => {
    const state = openChange([{ node: 'db', effect: 'outage' }], { start: 100 * H, end: 102 * H });
    const triggers = triggersFor(state, 80 * H);
    expect(triggers.map((t) => [t.kind, t.at / H, t.name])).toEqual(
      [
        ['reminder', 76, 'change-CHG-1-reminder-24h-v1'],
        ['reminder', 99, 'change-CHG-1-reminder-1h-v1'],
        ['change-overrun', 102, 'change-CHG-1-overrun-v1'],
      ].filter(([, at]) => (at as number) > 80),
    );
    expect(triggersFor(state, 80 * H)).toEqual(triggers);
  });
  it('an open incident has its next cadence update; a resolved one none', () => {
    const inc = { ...openChange([], { start: 10 * H }, 'INC-1'), type: 'incident' as const, status: 'open' as const };
    expect(triggersFor(inc, 10 * H + 61 * 60_000, [], 60).map((t) => t.at)).toEqual([12 * H]);
    expect(triggersFor({ ...inc, status: 'resolved' }, 11 * H)).toEqual([]);
  });
  it('paces chunks within the message budget', () => {
    expect(paceChunks(2500, 500, 300)).toEqual([0, 1, 3, 5, 6]);
  });
});
