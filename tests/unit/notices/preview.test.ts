import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../../functions/adapters/template-files.ts';
import type { SubjectState } from '../../../functions/domain/model.ts';
import { inLocale, renderNoticeWith, renderPreviews, whatIfPreviewGroups, type WhatIfPreviewInput } from '../../../functions/domain/notices/index.ts';
import { initialSubject } from '../../../functions/domain/subject.ts';
import { openChange } from '../../support/graphs.ts';

const T0 = Date.UTC(2026, 11, 5, 2);
const H = 3_600_000;
const shipped = loadTemplates();
const change: SubjectState = { ...openChange([{ node: 'db', effect: 'outage' }], { start: T0, end: T0 + 2 * H }), title: 'DB patch' };
const input = (state: SubjectState): WhatIfPreviewInput => ({
  state,
  subjectKey: `${state.type}#${state.id}`,
  affected: [
    { id: 'C-1', effect: 'outage', notify: ['sms'], touchpoints: ['kiosk'] },
    { id: 'C-2', effect: 'outage', notify: ['email'], touchpoints: ['web'] },
    { id: 'C-3', effect: 'degraded', notify: ['email'], touchpoints: ['web'] },
    { id: 'C-4', effect: 'outage', notify: [], touchpoints: ['web'] },
    { id: 'C-5', effect: 'outage', notify: ['email'], touchpoints: ['web', 'kiosk'] },
  ],
  profiles: [{ locale: 'nl-NL', timeZone: 'Europe/Amsterdam' }, { locale: 'en-GB' }, { locale: 'en-GB' }, { locale: 'de-DE' }, { locale: 'en-GB' }],
  touchpointNames: { kiosk: 'Check-in kiosks', web: 'Website' },
  at: T0 - 24 * H,
});

describe('what-if previews: the first notice as nobody has been told yet', () => {
  it('given a change, when previewed, then one group per kind, locale, channel and effect covers every reachable customer once', () => {
    // When
    const groups = whatIfPreviewGroups(input(change));
    // Then
    expect(groups.map((g) => [g.kind, g.locale, g.channel, g.effect, g.count]).sort()).toEqual(
      [
        ['change-notice', 'en-GB', 'email', 'degraded', 1],
        ['change-notice', 'en-GB', 'email', 'outage', 2],
        ['change-notice', 'nl-NL', 'sms', 'outage', 1],
      ].sort(),
    );
  });

  it('given an incident, then the first notice is an incident notice; given a change that failed, a failure notice', () => {
    const incident: SubjectState = {
      ...initialSubject('incident', 'INC-1'),
      opened: true,
      status: 'open',
      severity: 'sev2',
      scopeVersion: 1,
      window: { start: T0 },
    };
    expect(new Set(whatIfPreviewGroups(input(incident)).map((g) => g.kind))).toEqual(new Set(['incident-notice']));
    const failed: SubjectState = { ...change, status: 'failed', failedAt: T0 + H, messageVersion: 1 };
    expect(new Set(whatIfPreviewGroups(input(failed)).map((g) => g.kind))).toEqual(new Set(['change-failed']));
  });

  it('given a change not opened yet, then there is nothing to preview', () => {
    expect(whatIfPreviewGroups(input({ ...change, opened: false }))).toEqual([]);
  });

  it("when rendered, then each text is the template's for the group's first customer, in reading order (locale, channel, outage first)", () => {
    const previews = renderPreviews(shipped, whatIfPreviewGroups(input(change)));
    expect(previews.map((p) => [p.requestedLocale, p.channel, p.effect])).toEqual([
      ['en-GB', 'email', 'outage'],
      ['en-GB', 'email', 'degraded'],
      ['nl-NL', 'sms', 'outage'],
    ]);
    const sms = previews[2];
    const expected = renderNoticeWith(shipped, 'change-notice', 'nl-NL', {
      subjectTitle: 'DB patch',
      touchpoints: ['Check-in kiosks'],
      effect: 'outage',
      start: T0,
      end: T0 + 2 * H,
      timeZone: 'Europe/Amsterdam',
    });
    expect(sms).toMatchObject({
      locale: 'nl',
      file: 'templates/nl/change-notice.md',
      text: expected.sms.text,
      segments: expected.sms.segments,
      count: 1,
      sampleCustomerId: 'C-1',
    });
    expect(previews[0]).toMatchObject({ sampleCustomerId: 'C-2', subject: 'Planned maintenance: DB patch' });
  });

  it('given groups in several locales, when put in one locale, then groups differing only in locale are one, their counts added', () => {
    const merged = inLocale(whatIfPreviewGroups(input(change)), 'fr');
    expect(merged.map((g) => [g.locale, g.channel, g.effect, g.count]).sort()).toEqual(
      [
        ['fr', 'email', 'degraded', 1],
        ['fr', 'email', 'outage', 2],
        ['fr', 'sms', 'outage', 1],
      ].sort(),
    );
    expect(renderPreviews(shipped, merged).every((p) => p.locale === 'fr')).toBe(true);
  });
});
