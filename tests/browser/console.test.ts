import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../lib/local/runtime.ts';
import { API_WAIT, startConsole } from '../support/browser.ts';
import { outboxLines } from '../support/outbox.ts';

const SCREENSHOTS = new URL('./screenshots/', import.meta.url).pathname;
const graph = `
components: [{ id: payments-db }, { id: payments-api, dependsOn: [payments-db] }, { id: net-ams }]
touchpoints:
  - { id: web-checkout, name: Website checkout, channel: web, team: digital, dependsOn: [payments-api] }
  - { id: kiosk-ams, name: Kiosks Schiphol, channel: kiosk, team: airport-ops, dependsOn: [net-ams] }
customers:
  - { id: C-1, contacts: { email: one@example.com }, uses: [web-checkout] }
  - { id: C-2, contacts: { email: two@example.com }, uses: [web-checkout] }
  - { id: C-3, locale: nl-NL, timeZone: Europe/Amsterdam, channels: [sms], contacts: { phone: "+31600000003" }, uses: [kiosk-ams] }
`;
let runtime: LocalRuntime;
let browser: Browser;
let page: Page;

const local = (ms: number) => {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** Fills the what-if form with a two-hour change. */
const fillWhatIf = async (change: { changeId: string; title: string; nodes: string; start: number }) => {
  await page.fill('input[name=changeId]', change.changeId);
  await page.fill('input[name=title]', change.title);
  await page.fill('input[name=nodes]', change.nodes);
  await page.fill('input[name=start]', local(change.start));
  await page.fill('input[name=end]', local(change.start + 2 * 3_600_000));
};

let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ runtime, browser, page, stop } = await startConsole(graph));
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);
afterAll(() => stop?.());

describe('support console in Chromium, on the local runtime', () => {
  it('what-if, schedule a change, find it on the timeline, open it, look up an affected customer', async () => {
    await page.goto(runtime.apiUrl);
    await expect.poll(() => page.textContent('#timeline'), API_WAIT).toContain('No changes planned');
    await fillWhatIf({ changeId: 'CHG-B1', title: 'Payments maintenance', nodes: 'payments-db', start: Date.now() + 26 * 3_600_000 });
    await page.click('button[value=assess]');
    await expect.poll(() => page.textContent('#whatif-summary'), API_WAIT).toContain('1 touchpoints, 2 customers');
    expect(await page.textContent('#whatif-result')).toContain('payments-db → payments-api → web-checkout');
    await page.screenshot({ path: `${SCREENSHOTS}what-if.png` });

    await page.click('button[value=schedule]');
    await page.waitForSelector('[data-subject="change#CHG-B1"]', { timeout: 30_000 });
    await page.screenshot({ path: `${SCREENSHOTS}timeline.png` });
    await page.click('[data-open="change#CHG-B1"]');
    await expect.poll(() => page.textContent('#subject'), API_WAIT).toContain('Change CHG-B1: Payments maintenance');
    // Notices go out first; the subject's projection (its customer count) follows: open it again until it has.
    await expect
      .poll(async () => {
        await page.click('[data-open="change#CHG-B1"]');
        await page.waitForTimeout(300);
        return page.textContent('#subject');
      }, API_WAIT)
      .toContain('2 customers');
    expect(await page.locator('#subject svg.path').count()).toBe(1);
    await expect.poll(() => page.locator('#affected tbody tr').count(), API_WAIT).toBe(2);
    expect(await page.textContent('#affected-total')).toBe('2 affected');
    await page.selectOption('#affected-filter select[name=effect]', 'degraded');
    await expect.poll(() => page.locator('#affected tbody tr').count(), API_WAIT).toBe(0);
    await page.selectOption('#affected-filter select[name=effect]', 'outage');
    await expect.poll(() => page.locator('#affected tbody tr').count(), API_WAIT).toBe(2);
    await expect.poll(() => page.textContent('#notices'), { timeout: 20_000 }).toContain('change-notice to C-1 by email');
    expect(await page.textContent('#notices')).not.toContain('@example.com');
    expect(await page.textContent('#metrics-summary')).toContain('subjects');
    await page.screenshot({ path: `${SCREENSHOTS}subject.png` });

    await page.fill('#customer-id', 'C-2');
    await page.click('#lookup button');
    await expect.poll(() => page.textContent('#caller-impacts'), API_WAIT).toContain('change#CHG-B1');
    expect(await page.textContent('#caller')).toContain('notice by email');
    await page.screenshot({ path: `${SCREENSHOTS}caller.png` });
  });

  it('a link to a subject (#change#CHG-B1, as chat briefings give it) opens that subject on load; an unknown one says so', async () => {
    const p2 = await browser.newPage();
    await p2.goto(`${runtime.apiUrl}/#change#CHG-B1`);
    await expect.poll(() => p2.textContent('#subject'), { timeout: 15_000 }).toContain('Change CHG-B1: Payments maintenance');
    await expect.poll(() => p2.isVisible('#subject-section'), { timeout: 15_000 }).toBe(true);
    // Its history says what happened and who did it, in which tool (the console schedules as the local admin).
    expect(await p2.textContent('#history')).toMatch(/Change Scheduled, local in console/);
    await p2.goto(`${runtime.apiUrl}/#incident#INC-NOPE`);
    await expect.poll(() => p2.textContent('#subject'), { timeout: 15_000 }).toContain('incident INC-NOPE: ');
    await p2.close();
  });

  it('delivery: the subject shows what was sent and delivered by channel and nobody to call back; the caller lookup what became of each notice', async () => {
    const p3 = await browser.newPage();
    await p3.goto(`${runtime.apiUrl}/#change#CHG-B1`);
    // The local stand-in delivers both e-mails a moment after they were sent; each poll draws the subject anew.
    await expect
      .poll(
        async () => {
          await p3.reload();
          await p3.waitForSelector('#deliveries table', { timeout: 10_000 });
          return p3.locator('#deliveries tbody tr').allTextContents();
        },
        { timeout: 30_000 },
      )
      .toEqual(['email220022', 'all220022']); // channel, sent 2, delivered 2, failed 0, pending 0, within 5 and 15 minutes 2
    expect(await p3.textContent('#unreached')).toContain('Nobody');
    await p3.fill('#customer-id', 'C-1');
    await p3.click('#lookup button');
    await expect.poll(() => p3.textContent('#caller-deliveries'), API_WAIT).toBe('change-notice (change#CHG-B1): delivered; email delivered');
    expect(await p3.textContent('#caller')).not.toContain('@example.com');
    await p3.close();
  });

  it('a bad what-if shows every problem by field', async () => {
    await page.fill('input[name=changeId]', 'CHG-B2');
    await page.fill('input[name=start]', local(Date.now() + 5 * 3_600_000));
    await page.fill('input[name=end]', local(Date.now() + 3 * 3_600_000));
    await page.click('button[value=assess]');
    await expect.poll(() => page.textContent('#whatif-result'), API_WAIT).toContain('detail.window.end: must be after window.start');
  });

  it('a change manager drafts a change, previews every text, approves it, and sees the notices sent', { timeout: 180_000 }, async () => {
    const noticesAbout = (subject: string) =>
      outboxLines(runtime.outboxFile)
        .filter((m) => m.topic === 'customer-notices' && m.message.subject === subject)
        .map((m) => `${m.message.customerId}:${m.message.kind}`)
        .sort();
    await page.goto(runtime.apiUrl);
    await expect.poll(() => page.textContent('#me'), API_WAIT).toBe('Signed in as local (admin)');
    await expect.poll(() => page.textContent('#drafts'), API_WAIT).toContain('No drafts.');
    await fillWhatIf({ changeId: 'CHG-D1', title: 'Kiosk and payments maintenance', nodes: 'payments-db, net-ams', start: Date.now() + 30 * 3_600_000 });
    await page.fill('input[name=customerMessage]', 'Use the app.');
    await page.check('input[name=draft]');

    // The what-if shows what customers would be told: one text per kind, locale, channel and effect.
    await page.click('button[value=assess]');
    await expect
      .poll(() => page.locator('#whatif-preview-select option').allTextContents(), API_WAIT)
      .toEqual(['change-notice · en · email · outage (2 customers)', 'change-notice · nl-NL · sms · outage (1 customer)']);
    expect(await page.textContent('#whatif-preview-text')).toContain('Subject: Planned maintenance: Kiosk and payments maintenance');
    await page.selectOption('#whatif-preview-select', { label: 'change-notice · nl-NL · sms · outage (1 customer)' });
    await expect.poll(() => page.textContent('#whatif-preview-text'), API_WAIT).toContain('Gepland onderhoud');
    expect(await page.textContent('#whatif-preview-text')).toMatch(/[12] SMS parts? \(GSM-7\)/);

    // Scheduled as a draft: listed, held, nothing sent.
    await page.click('button[value=schedule]');
    await page.waitForSelector('#drafts [data-open="change#CHG-D1"]', { timeout: 30_000 });
    expect(await page.textContent('#drafts')).toContain('change-notice 3 to 3 customers (0 unreachable)');
    expect(noticesAbout('change#CHG-D1')).toEqual([]);
    await page.click('#drafts [data-open="change#CHG-D1"]');
    await expect.poll(() => page.textContent('#held-counts'), API_WAIT).toContain('change-notice 3 to 3 customers, 0 unreachable');
    expect(await page.textContent('#notices-sent')).toBe('Notices sent: none');
    expect(await page.locator('#held-preview-select option').count()).toBe(2);
    expect(await page.locator('#held-truncated').count()).toBe(0);
    await page.selectOption('#held-preview-select', { label: 'change-notice · nl-NL · sms · outage (1 customer)' });
    await expect.poll(() => page.textContent('#held-preview-text'), API_WAIT).toContain('Kiosks Schiphol');
    expect(await page.textContent('#held-preview-text')).toContain('SMS part');
    const history = await page.textContent('#history');
    expect(history).toContain('Change Scheduled');
    expect(history).toContain('Change Scheduled, local in console, notify: draft');
    await page.screenshot({ path: `${SCREENSHOTS}draft.png` });

    // Approved: the notices go out to exactly those it hits, and the subject shows them sent.
    await page.click('#approve button');
    // The console follows the approval through the pipeline (at most a minute) and then shows the subject as it is.
    await expect.poll(() => page.textContent('#notices-sent'), { timeout: 90_000 }).toBe('Notices sent: change-notice 3');
    expect(await page.locator('#held').count()).toBe(0);
    expect(await page.textContent('#history')).toContain('Notices Approved, local in console');
    expect(noticesAbout('change#CHG-D1')).toEqual(['C-1:change-notice', 'C-2:change-notice', 'C-3:change-notice']);
    // The outbox panel and the drafts list follow on the console's next refresh (every 3 s).
    await expect.poll(() => page.textContent('#notices'), { timeout: 20_000 }).toContain('change-notice to C-3 by sms (change#CHG-D1)');
    await expect.poll(() => page.textContent('#drafts'), { timeout: 20_000 }).toContain('No drafts.');
    await page.screenshot({ path: `${SCREENSHOTS}approved.png` });
  });

  it('first-line support sees a draft and its previews, but no Approve button', async () => {
    const start = new Date(Date.now() + 50 * 3_600_000);
    const end = new Date(start.getTime() + 3_600_000);
    const res = await fetch(`${runtime.apiUrl}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        'detail-type': 'Change Scheduled',
        detail: { changeId: 'CHG-D2', title: 'Kiosk patch', window: { start, end }, impacts: [{ node: 'net-ams' }], notify: 'draft' },
      }),
    });
    expect(res.status).toBe(202);
    await runtime.idle();
    const context = await browser.newContext();
    const p2 = await context.newPage();
    // Locally every request is the admin; the console is shown a support user's /me, as Cognito would give it.
    await p2.route('**/api/me', (r) =>
      r.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({ id: 'sup-1', roles: ['support'], may: { read: true, schedule: false, approve: false } }),
      }),
    );
    await p2.goto(runtime.apiUrl);
    await expect.poll(() => p2.textContent('#me'), API_WAIT).toBe('Signed in as sup-1 (support)');
    await p2.click('#drafts [data-open="change#CHG-D2"]');
    await expect.poll(() => p2.textContent('#held-counts'), API_WAIT).toContain('change-notice 1 to 1 customers');
    expect(await p2.textContent('#held-preview-text')).toContain('Kiosks Schiphol');
    expect(await p2.locator('#approve').count()).toBe(0);
    expect(await p2.textContent('#approve-denied')).toContain('Only a change manager or an admin may approve; you are support.');
    await context.close();
  });

  it('in AWS it signs in through the Cognito hosted UI and calls the API with the ID token', async () => {
    const signIn = 'https://signin.example.test/oauth2/authorize?response_type=token&scope=openid&client_id=console';
    const context = await browser.newContext();
    const p2 = await context.newPage();
    await context.route('**/config.js', (r) =>
      r.fulfill({ contentType: 'text/javascript', body: `window.IMPACT_API = './api'; window.IMPACT_SIGN_IN = '${signIn}';` }),
    );
    await context.route('https://signin.example.test/**', (r) => r.fulfill({ contentType: 'text/html', body: '<p>sign in</p>' }));
    // Every API call, from the first page load on: none may leave unsigned while the browser goes to sign in.
    const authorizations: (string | undefined)[] = [];
    p2.on('request', (req) => req.url().includes('/api/') && authorizations.push(req.headers().authorization));
    await p2.goto(runtime.apiUrl);
    await p2.waitForURL(/signin\.example\.test/);
    const redirect = new URL(p2.url());
    expect(redirect.searchParams.get('client_id')).toBe('console');
    expect(redirect.searchParams.get('redirect_uri')).toBe(`${runtime.apiUrl}/`);
    expect(authorizations).toEqual([]);
    await p2.goto(`${runtime.apiUrl}/#id_token=header.payload.signature`);
    await expect.poll(() => authorizations.length).toBeGreaterThan(0);
    expect(authorizations.every((a) => a === 'Bearer header.payload.signature')).toBe(true);
    expect(new URL(p2.url()).hash).toBe('');

    // A subject link before sign-in: the fragment goes to the hosted UI as `state` and comes back with the token.
    const fresh = await context.newPage();
    await fresh.goto(`${runtime.apiUrl}/#change#CHG-B1`);
    await fresh.waitForURL(/signin\.example\.test/);
    expect(new URL(fresh.url()).searchParams.get('state')).toBe('#change#CHG-B1');
    await fresh.goto(`${runtime.apiUrl}/#id_token=header.payload.signature&state=${encodeURIComponent('#change#CHG-B1')}`);
    await expect.poll(() => fresh.textContent('#subject'), { timeout: 15_000 }).toContain('Change CHG-B1');
    expect(new URL(fresh.url()).hash).toBe('#change#CHG-B1');
    await context.close();
  });

  it("the overview lists the open incidents and the week's changes from their indexes, never the whole history", async () => {
    const put = (detailType: string, detail: Record<string, unknown>) =>
      fetch(`${runtime.apiUrl}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ 'detail-type': detailType, detail }),
      }).then((r) => expect(r.status).toBe(202));
    // Times given: events of one subject are folded in the order they occurred (the same second is a tie).
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    await put('Incident Opened', { incidentId: 'INC-B1', title: 'Kiosks down', severity: 'sev2', impacts: [{ node: 'net-ams' }], occurredAt: ago(3) });
    await put('Incident Opened', { incidentId: 'INC-B2', title: 'Checkout errors', severity: 'sev3', impacts: [{ node: 'payments-api' }], occurredAt: ago(2) });
    await put('Incident Resolved', { incidentId: 'INC-B2', occurredAt: ago(1) });
    const overview = await browser.newPage();
    const asked: string[] = [];
    overview.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/api/')) asked.push(url.pathname + url.search);
    });
    // Both assessed (the pipeline's pace under a full test run: up to half a minute), then the overview.
    const statusOf = async (id: string) => (await (await fetch(`${runtime.apiUrl}/api/subjects/incident/${id}`)).json()).state?.status;
    await expect.poll(() => statusOf('INC-B2'), { timeout: 30_000 }).toBe('resolved');
    await expect.poll(() => statusOf('INC-B1'), { timeout: 30_000 }).toBe('open');
    await overview.goto(runtime.apiUrl);
    await expect.poll(() => overview.textContent('#incidents'), { timeout: 30_000 }).toContain('INC-B1 Kiosks down');
    expect(await overview.textContent('#incidents')).not.toContain('INC-B2');
    expect(asked.some((u) => u === '/api/incidents')).toBe(true);
    expect(asked.some((u) => /^\/api\/changes\?from=[^&]+&to=/.test(u))).toBe(true);
    expect(asked.filter((u) => u.split('?')[0] === '/api/subjects')).toEqual([]);
    await overview.close();
  });
});
