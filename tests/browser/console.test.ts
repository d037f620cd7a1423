import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../lib/local/runtime.ts';

const SCREENSHOTS = new URL('./screenshots/', import.meta.url).pathname;
const graph = `
components: [{ id: payments-db }, { id: payments-api, dependsOn: [payments-db] }]
touchpoints: [{ id: web-checkout, name: Website checkout, channel: web, team: digital, dependsOn: [payments-api] }]
customers:
  - { id: C-1, contacts: { email: one@example.com }, uses: [web-checkout] }
  - { id: C-2, contacts: { email: two@example.com }, uses: [web-checkout] }
`;
let runtime: LocalRuntime;
let browser: Browser;
let page: Page;

const local = (ms: number) => {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'impact-browser-'));
  writeFileSync(join(dir, 'graph.yaml'), graph);
  runtime = await startLocalRuntime({ dataDir: join(dir, 'data'), eventsPort: 0, apiPort: 0, inMemory: true, seed: { graphFiles: [join(dir, 'graph.yaml')] }, log: () => {} });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

describe('support console in Chromium, on the local runtime', () => {
  it('what-if, schedule a change, find it on the timeline, open it, look up an affected customer', async () => {
    await page.goto(runtime.apiUrl);
    await expect.poll(() => page.textContent('#timeline')).toContain('No changes planned');
    const start = Date.now() + 26 * 3_600_000;
    await page.fill('input[name=changeId]', 'CHG-B1');
    await page.fill('input[name=title]', 'Payments maintenance');
    await page.fill('input[name=nodes]', 'payments-db');
    await page.fill('input[name=start]', local(start));
    await page.fill('input[name=end]', local(start + 2 * 3_600_000));
    await page.click('button[value=assess]');
    await expect.poll(() => page.textContent('#whatif-summary')).toContain('1 touchpoints, 2 customers');
    expect(await page.textContent('#whatif-result')).toContain('payments-db → payments-api → web-checkout');
    await page.screenshot({ path: `${SCREENSHOTS}what-if.png` });

    await page.click('button[value=schedule]');
    await page.waitForSelector('[data-subject="change#CHG-B1"]', { timeout: 30_000 });
    await page.screenshot({ path: `${SCREENSHOTS}timeline.png` });
    await page.click('[data-open="change#CHG-B1"]');
    await expect.poll(() => page.textContent('#subject')).toContain('Change CHG-B1: Payments maintenance');
    expect(await page.textContent('#subject')).toContain('2 customers');
    expect(await page.locator('#subject svg.path').count()).toBe(1);
    await expect.poll(() => page.locator('#affected tbody tr').count()).toBe(2);
    expect(await page.textContent('#affected-total')).toBe('2 affected');
    await page.selectOption('#affected-filter select[name=effect]', 'degraded');
    await expect.poll(() => page.locator('#affected tbody tr').count()).toBe(0);
    await page.selectOption('#affected-filter select[name=effect]', 'outage');
    await expect.poll(() => page.locator('#affected tbody tr').count()).toBe(2);
    await expect.poll(() => page.textContent('#notices'), { timeout: 20_000 }).toContain('change-notice to C-1 by email');
    expect(await page.textContent('#notices')).not.toContain('@example.com');
    expect(await page.textContent('#metrics-summary')).toContain('subjects');
    await page.screenshot({ path: `${SCREENSHOTS}subject.png` });

    await page.fill('#customer-id', 'C-2');
    await page.click('#lookup button');
    await expect.poll(() => page.textContent('#caller-impacts')).toContain('change#CHG-B1');
    expect(await page.textContent('#caller')).toContain('notice by email');
    await page.screenshot({ path: `${SCREENSHOTS}caller.png` });
  });

  it('a link to a subject (#change#CHG-B1, as chat briefings give it) opens that subject on load; an unknown one says so', async () => {
    const p2 = await browser.newPage();
    await p2.goto(`${runtime.apiUrl}/#change#CHG-B1`);
    await expect.poll(() => p2.textContent('#subject'), { timeout: 15_000 }).toContain('Change CHG-B1: Payments maintenance');
    await expect.poll(() => p2.isVisible('#subject-section'), { timeout: 15_000 }).toBe(true);
    // Its history says what happened and who did it, in which tool (the console schedules as the local admin).
    expect(await p2.textContent('#history')).toMatch(/Change Scheduled, .+ in impact\.console/);
    await p2.goto(`${runtime.apiUrl}/#incident#INC-NOPE`);
    await expect.poll(() => p2.textContent('#subject'), { timeout: 15_000 }).toContain('incident INC-NOPE: ');
    await p2.close();
  });

  it('a bad what-if shows every problem by field', async () => {
    await page.fill('input[name=changeId]', 'CHG-B2');
    await page.fill('input[name=start]', local(Date.now() + 5 * 3_600_000));
    await page.fill('input[name=end]', local(Date.now() + 3 * 3_600_000));
    await page.click('button[value=assess]');
    await expect.poll(() => page.textContent('#whatif-result')).toContain('detail.window.end: must be after window.start');
  });

  it('in AWS it signs in through the Cognito hosted UI and calls the API with the ID token', async () => {
    const signIn = 'https://signin.example.test/oauth2/authorize?response_type=token&scope=openid&client_id=console';
    const context = await browser.newContext();
    const p2 = await context.newPage();
    await context.route('**/config.js', (r) => r.fulfill({ contentType: 'text/javascript', body: `window.IMPACT_API = './api'; window.IMPACT_SIGN_IN = '${signIn}';` }));
    await context.route('https://signin.example.test/**', (r) => r.fulfill({ contentType: 'text/html', body: '<p>sign in</p>' }));
    await p2.goto(runtime.apiUrl);
    await p2.waitForURL(/signin\.example\.test/);
    const redirect = new URL(p2.url());
    expect(redirect.searchParams.get('client_id')).toBe('console');
    expect(redirect.searchParams.get('redirect_uri')).toBe(`${runtime.apiUrl}/`);
    const authorizations: (string | undefined)[] = [];
    p2.on('request', (req) => req.url().includes('/api/') && authorizations.push(req.headers().authorization));
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
});
