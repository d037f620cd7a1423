import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../functions/adapters/template-files.ts';
import { renderNoticeWith } from '../../functions/domain/notices/render.ts';
import { impact, scratch } from '../support/cli.ts';

// C-1 (nl-NL, Amsterdam) uses web; its SMS channel is down (sms-gw), so the notice goes by e-mail.
// C-2 uses the kiosk and can only be reached by SMS: affected, not reachable. C-3 (de-DE) uses the app.
const graph = `
components: [{ id: db }, { id: api, dependsOn: [db] }, { id: sms-gw }]
touchpoints:
  - { id: web, name: Website, channel: web, dependsOn: [api] }
  - { id: kiosk, channel: kiosk, dependsOn: [api] }
  - { id: app, name: Mobile app, channel: mobile, dependsOn: [{ id: api, type: soft }] }
notificationChannels: [{ channel: sms, dependsOn: [sms-gw] }]
customers:
  - { id: C-1, locale: nl-NL, timeZone: Europe/Amsterdam, channels: [sms, email], contacts: { email: one@example.com, phone: "+31600000001" }, uses: [web] }
  - { id: C-2, locale: en-GB, channels: [sms], contacts: { phone: "+44700000002" }, uses: [kiosk] }
  - { id: C-3, locale: de-DE, timeZone: Europe/Berlin, channels: [push], contacts: { push: token-3 }, uses: [app] }
`;
const window = { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' };
const change = (impacts: { node: string }[]) =>
  JSON.stringify({
    'detail-type': 'Change Scheduled',
    detail: { changeId: 'CHG-P', title: 'DB patch', occurredAt: '2026-12-01T00:00:00Z', window, impacts, customerMessage: 'Use the kiosk.' },
  });
const file = scratch({ 'graph.yaml': graph, 'event.json': change([{ node: 'db' }, { node: 'sms-gw' }]), 'kiosk-only.json': change([{ node: 'sms-gw' }]) });
const preview = (...more: string[]) => impact('assess', '--graph', file('graph.yaml'), '--event', file('event.json'), '--preview', ...more);

/** What the shipped templates render for a customer, worked out here from the graph above. */
const expected = (locale: string, ctx: { touchpoints: string[]; effect: 'outage' | 'degraded'; timeZone: string }) =>
  renderNoticeWith(loadTemplates(), 'change-notice', locale, {
    subjectTitle: 'DB patch',
    start: Date.parse(window.start),
    end: Date.parse(window.end),
    customerMessage: 'Use the kiosk.',
    ...ctx,
  });

describe('impact assess --preview: the texts customers would get first, offline', () => {
  it('--format json: one text per kind, locale, channel and effect of the reachable customers, as the templates render it', async () => {
    const { code, stdout, stderr } = await preview('--format', 'json');
    expect([code, stderr]).toEqual([0, '']);
    const texts = JSON.parse(stdout);
    const dutch = expected('nl-NL', { touchpoints: ['Website'], effect: 'outage', timeZone: 'Europe/Amsterdam' });
    const german = expected('de-DE', { touchpoints: ['Mobile app'], effect: 'degraded', timeZone: 'Europe/Berlin' });
    expect(texts).toEqual([
      {
        kind: 'change-notice',
        requestedLocale: 'de-DE',
        locale: 'de',
        file: 'templates/de/change-notice.md',
        channel: 'push',
        ...german.push,
        effect: 'degraded',
        count: 1,
        sampleCustomerId: 'C-3',
      },
      {
        kind: 'change-notice',
        requestedLocale: 'nl-NL',
        locale: 'nl',
        file: 'templates/nl/change-notice.md',
        channel: 'email',
        ...dutch.email,
        effect: 'outage',
        count: 1,
        sampleCustomerId: 'C-1',
      },
    ]);
    expect(dutch.email.text).toContain('Website');
    expect(dutch.email.text).toContain('03:00');
  });

  it('table: who gets which text, with the SMS parts; --locale renders every group in that locale instead', async () => {
    const { code, stdout } = await preview('--locale', 'fr-FR', '--locale', 'es');
    expect(code).toBe(0);
    expect(stdout).toContain('Change CHG-P "DB patch": what customers would be told first (4 texts for 2 customers)');
    expect(stdout).toContain('change-notice in fr-FR, outage, to 1 customer (e.g. C-1), from templates/fr/change-notice.md');
    expect(stdout).toContain('change-notice in es, degraded, to 1 customer (e.g. C-3), from templates/es/change-notice.md');
    expect(stdout).toContain(`subject: ${expected('fr-FR', { touchpoints: ['Website'], effect: 'outage', timeZone: 'Europe/Amsterdam' }).email.subject}`);
    expect(stdout).not.toContain('nl-NL');
  });

  it('nobody reachable: it says so, and no text', async () => {
    const { code, stdout } = await impact('assess', '--graph', file('graph.yaml'), '--event', file('kiosk-only.json'), '--preview');
    expect(code).toBe(0);
    expect(stdout).toBe('Change CHG-P "DB patch": no affected customer can be reached, so no notice would be sent.\n');
  });

  it('bad input exits 2 with nothing on stdout: a bad locale, --locale without --preview, --preview with csv', async () => {
    for (const [args, problem] of [
      [['--preview', '--locale', 'not a locale!'], '--locale "not a locale!" is not a BCP 47 locale tag'],
      [['--locale', 'de'], '--locale only applies with --preview'],
      [['--preview', '--format', 'csv'], '--preview prints texts, not a customer list'],
    ] as const) {
      const { code, stdout, stderr } = await impact('assess', '--graph', file('graph.yaml'), '--event', file('event.json'), ...args);
      expect([code, stdout], args.join(' ')).toEqual([2, '']);
      expect(stderr).toContain(problem);
    }
  });
});
