import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { LocalRuntime } from '../../lib/local/runtime.ts';
import { API_WAIT, startConsole } from '../support/browser.ts';

// A held plan keeps at most 64 preview groups (kind, locale, channel, effect). Each customer below gets
// the one change-notice of a draft, so each is a group of its own: 11 locales x 3 channels = 33 pairs,
// each once in outage and all but the last two once degraded (64 groups), plus one more degraded
// customer on a touchpoint that only the bigger draft hits (65 groups, the fewest customers there are).
const LOCALES = ['de-AT', 'de-DE', 'en', 'en-GB', 'en-US', 'es-ES', 'es-MX', 'fr-BE', 'fr-FR', 'nl-BE', 'nl-NL'];
const CHANNELS = ['email', 'sms', 'push'] as const;
const PAIRS = LOCALES.flatMap((locale) => CHANNELS.map((channel) => ({ locale, channel })));
const contactFor = {
  email: (n: number) => ({ email: `c${n}@example.com` }),
  sms: (n: number) => ({ phone: `+316${String(n).padStart(8, '0')}` }),
  push: (n: number) => ({ push: `token-${n}` }),
};

interface Planned {
  id: string;
  locale: string;
  channel: (typeof CHANNELS)[number];
  effect: 'outage' | 'degraded';
  uses: string;
}
const planned: Planned[] = [
  ...PAIRS.map((p, i) => ({ id: `O-${i}`, ...p, effect: 'outage' as const, uses: 'web-booking' })),
  ...PAIRS.slice(0, PAIRS.length - 2).map((p, i) => ({ id: `D-${i}`, ...p, effect: 'degraded' as const, uses: 'app-booking' })),
  { id: 'D-last', ...PAIRS[PAIRS.length - 1], effect: 'degraded', uses: 'kiosk-ams' },
];
const graph = {
  components: [{ id: 'booking-db' }, { id: 'net-ams' }],
  touchpoints: [
    { id: 'web-booking', name: 'Website booking', channel: 'web', dependsOn: ['booking-db'] },
    { id: 'app-booking', name: 'App booking', channel: 'mobile', dependsOn: [{ id: 'booking-db', type: 'soft' }] },
    { id: 'kiosk-ams', name: 'Kiosks Schiphol', channel: 'kiosk', dependsOn: [{ id: 'net-ams', type: 'soft' }] },
  ],
  customers: planned.map((c, n) => ({ id: c.id, locale: c.locale, channels: [c.channel], contacts: contactFor[c.channel](n), uses: [c.uses] })),
};
/** The console's label of a preview group of one customer. */
const label = (c: Planned) => `change-notice · ${c.locale} · ${c.channel} · ${c.effect} (1 customer)`;

let runtime: LocalRuntime;
let browser: Browser;
let page: Page;

/** Puts a draft change on the given nodes through the API and waits until the pipeline has held its plan. */
const draft = async (changeId: string, nodes: string[]) => {
  const start = new Date(Date.now() + 40 * 3_600_000);
  const res = await fetch(`${runtime.apiUrl}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      'detail-type': 'Change Scheduled',
      detail: {
        changeId,
        title: 'Booking maintenance',
        window: { start, end: new Date(start.getTime() + 3_600_000) },
        impacts: nodes.map((node) => ({ node })),
        notify: 'draft',
      },
    }),
  });
  expect(res.status).toBe(202);
  await runtime.idle();
};

/** Opens the subject by its link until its held counts show (the held plan follows the event). */
const openHeld = async (changeId: string, counts: string) =>
  expect
    .poll(
      async () => {
        await page.goto(`${runtime.apiUrl}/#change#${changeId}`);
        await page.waitForSelector('#subject h3', API_WAIT);
        return page.textContent('#subject');
      },
      { timeout: 30_000 },
    )
    .toContain(counts);

let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ runtime, browser, page, stop } = await startConsole(stringify(graph)));
}, 120_000);
afterAll(() => stop?.());

describe('a held plan with more texts than a held view previews, in Chromium', () => {
  it('65 texts: the first 64 are previewed, outages first, the line says so, and the counts cover all 65 customers', async () => {
    expect(new Set(planned.map(label)).size).toBe(65);
    await draft('CHG-T65', ['booking-db', 'net-ams']);
    await openHeld('CHG-T65', 'change-notice 65 to 65 customers, 0 unreachable');

    const shown = await page.locator('#held-preview-select option').allTextContents();
    expect(shown).toHaveLength(64);
    expect(new Set(shown).size).toBe(64);
    // Every text shown is one of those planned; the one left out is a degraded one (outages first).
    const left = planned.map(label).filter((l) => !shown.includes(l));
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/ · degraded \(1 customer\)$/);
    expect(await page.locator('#held-truncated').allTextContents()).toEqual([
      'Only the first 64 texts are previewed (outages first); the counts above cover every notice.',
    ]);
    expect(await page.isVisible('#held-truncated')).toBe(true);
    // Any text shown renders (one in a locale without templates of its own reads its language's).
    await page.selectOption('#held-preview-select', {
      label: label(planned.find((c) => c.locale === 'es-MX' && c.channel === 'sms' && c.effect === 'outage')!),
    });
    await expect.poll(() => page.textContent('#held-preview-text'), API_WAIT).toContain('SMS part');
  });

  it('65 texts whose templates cannot be used: the problem is shown, and no line about previews that are not there', async () => {
    const problem = 'templates/en/change-notice.md: sms: is empty; write the SMS text';
    const context = await browser.newContext();
    const p2 = await context.newPage();
    // The view as the API gives it when the templates are broken (subjects.ts heldView): no previews, the problem, the plan's flag.
    await p2.route('**/api/subjects/change/CHG-T65', async (r) => {
      const view = await (await r.fetch()).json();
      await r.fulfill({ json: { ...view, held: { ...view.held, previews: [], previewProblem: problem } } });
    });
    await p2.goto(`${runtime.apiUrl}/#change#CHG-T65`);
    await expect.poll(() => p2.textContent('#held-counts'), API_WAIT).toContain('change-notice 65 to 65 customers');
    expect(await p2.textContent('#held')).toContain(problem);
    expect(await p2.locator('#held-truncated').count()).toBe(0);
    await context.close();
  });

  it('64 texts: every one is previewed and there is no such line', async () => {
    await draft('CHG-T64', ['booking-db']);
    await openHeld('CHG-T64', 'change-notice 64 to 64 customers, 0 unreachable');
    const shown = await page.locator('#held-preview-select option').allTextContents();
    expect(shown.sort()).toEqual(
      planned
        .filter((c) => c.uses !== 'kiosk-ams')
        .map(label)
        .sort(),
    );
    expect(await page.locator('#held-truncated').count()).toBe(0);
  });
});
