import { describe, expect, it } from 'vitest';
import { briefingMessages, chatbotNotification, renderChatBriefing, subjectLink } from '../../../functions/domain/chat/briefing.ts';
import type { Briefing } from '../../../functions/domain/notices/briefings.ts';

const briefing = (over: Partial<Briefing> = {}): Briefing => ({
  team: 'airport-ops',
  kind: 'incident-notice',
  severity: 'sev1',
  region: 'NL',
  subject: { type: 'incident', id: 'INC-7', title: 'Kiosks <down> & *slow*', status: 'open', window: { start: '2026-12-05T06:12:00.000Z' } },
  touchpoints: [
    { id: 'kiosk-ams', name: 'Kiosks Schiphol', channel: 'kiosk', effect: 'outage', why: 'dcs-primary -> kiosk-ams' },
    { id: 'web-checkin', channel: 'web', effect: 'degraded', why: 'dcs-primary -> checkin-api -> web-checkin' },
  ],
  customers: { total: 12345, byEffect: { outage: 10000, degraded: 2345 }, bySegment: { silver: 9000, gold: 3000, unknown: 345 }, unreachable: 12 },
  tellCallers: 'Check in online or at the desk; kiosks are down.',
  ...over,
});
const consoleUrl = 'https://support.example.com/';

describe('a support briefing in Slack', () => {
  const text = renderChatBriefing(briefing(), { consoleUrl });

  it('then it says what, when, which touchpoints and why, who by effect and segment, what to tell callers, and links to the console', () => {
    expect(text.split('\n')).toEqual([
      '🚨 *Incident INC-7: Kiosks &lt;down&gt; &amp; *slow**',
      'sev1 · open · incident-notice · region NL · for airport-ops',
      '*When:* 2026-12-05 06:12 UTC → open-ended',
      '*Touchpoints hit (2):*',
      '• 🔴 *Kiosks Schiphol* (kiosk): outage, _via dcs-primary → kiosk-ams_',
      '• 🟡 *web-checkin* (web): degraded, _via dcs-primary → checkin-api → web-checkin_',
      '*Customers affected:* 12,345 (outage 10,000 · degraded 2,345); 12 have no usable channel and were not told',
      '*By segment:* silver 9,000 · gold 3,000 · unknown 345',
      '*Tell callers:*',
      '> Check in online or at the desk; kiosks are down.',
      '<https://support.example.com/#incident#INC-7|Open INC-7 in the support console>',
    ]);
  });
});

describe('a support briefing in Teams', () => {
  it("then markdown bold and links, paragraphs, and escaped markup in the tool's words", () => {
    const text = renderChatBriefing(briefing(), { consoleUrl, dialect: 'teams' });
    const lines = text.split('\n\n');
    expect(lines[0]).toBe('🚨 **Incident INC-7: Kiosks &lt;down&gt; & \\*slow\\***');
    expect(lines).toContain('- 🔴 **Kiosks Schiphol** (kiosk): outage, _via dcs-primary → kiosk-ams_');
    expect(renderChatBriefing(briefing({ tellCallers: 'Use [the app] or *call* 0800_123' }), { consoleUrl, dialect: 'teams' })).toContain(
      '> Use \\[the app\\] or \\*call\\* 0800\\_123',
    );
    expect(lines.at(-1)).toBe('[Open INC-7 in the support console](https://support.example.com/#incident#INC-7)');
  });
});

describe('large and empty briefings', () => {
  it('given many touchpoints and segments, then the lists are cut with how many more', () => {
    const touchpoints = Array.from({ length: 13 }, (_, i) => ({ id: `tp-${i}`, channel: 'web' as const, effect: 'outage' as const, why: `db -> tp-${i}` }));
    const bySegment = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`s${i}`, 100 - i]));
    const text = renderChatBriefing(briefing({ touchpoints, customers: { total: 1045, byEffect: { outage: 1045 }, bySegment, unreachable: 0 } }), {
      consoleUrl,
    });
    expect(text).toContain('*Touchpoints hit (13):*');
    expect(text.match(/^• 🔴/gm)).toHaveLength(10);
    expect(text).toContain('• +3 more in the console');
    expect(text).toContain('*By segment:* s0 100 · s1 99 · s2 98 · s3 97 · s4 96 · s5 95 · s6 94 · s7 93 · +3 more');
    expect(text).not.toContain('no usable channel');
  });

  it('given a planned change hitting nothing yet, then it says so', () => {
    const change = briefing({
      kind: 'change-notice',
      severity: 'planned',
      subject: { type: 'change', id: 'CHG0030002', status: 'scheduled', window: { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' } },
      touchpoints: [],
      customers: { total: 0, byEffect: {}, bySegment: {}, unreachable: 0 },
    });
    const text = renderChatBriefing(change, { consoleUrl: 'https://support.example.com/index.html#old' });
    expect(text).toContain('🗓️ *Change CHG0030002*');
    expect(text).toContain('*When:* 2026-12-05 02:00 UTC → 2026-12-05 04:00 UTC');
    expect(text).toContain('*Touchpoints hit (0):* none');
    expect(text).toContain('*Customers affected:* 0 (none)');
    expect(text).toContain('<https://support.example.com/index.html#change#CHG0030002|');
  });
});

describe('the AWS Chatbot custom notification', () => {
  it('then the custom-notification schema, threaded per subject, with the callers line and the link as next steps', () => {
    const n = chatbotNotification(briefing(), { consoleUrl });
    expect(n).toMatchObject({
      version: '1.0',
      source: 'custom',
      id: 'incident#INC-7#incident-notice#airport-ops',
      content: {
        textType: 'client-markdown',
        title: '🚨 *Incident INC-7: Kiosks &lt;down&gt; &amp; *slow**',
        nextSteps: [
          'Tell callers: Check in online or at the desk; kiosks are down.',
          'Open INC-7 in the support console: https://support.example.com/#incident#INC-7',
        ],
        keywords: ['sev1', 'incident-notice', 'airport-ops', 'NL'],
      },
      metadata: {
        threadId: 'incident#INC-7',
        eventType: 'incident-notice',
        summary: 'Incident INC-7: Kiosks <down> & *slow* (sev1, open): 12345 customers affected',
      },
    });
    expect(n.content.description).toContain('*Customers affected:* 12,345');
    expect(n.content.description).not.toContain('Tell callers');
    expect(JSON.parse(JSON.stringify(n))).toEqual(n);
  });

  it('subjectLink drops an existing fragment and keeps URL-safe ids as they are', () => {
    expect(subjectLink('https://x.example/#/old', 'change', 'CHG:1')).toBe('https://x.example/#change#CHG:1');
    expect(subjectLink('https://x.example/', 'change', 'a b#c')).toBe('https://x.example/#change#a%20b%23c');
  });
});

describe('the messages of one briefing', () => {
  const attributes = { team: 'airport-ops', kind: 'incident-notice', severity: 'sev1', region: 'NL' };

  it('given no chat channel, then the JSON briefing with its text and the console link, for support-briefings', () => {
    expect(briefingMessages(briefing(), 'plain text', { consoleUrl })).toEqual({
      briefing: { body: { ...briefing(), text: 'plain text', link: 'https://support.example.com/#incident#INC-7' }, attributes },
      chat: [],
    });
  });

  it("given channels of several teams, then a Chatbot notification for each channel of the briefing's team only, in its app's markup", () => {
    const channels = [
      { team: 'airport-ops', dialect: 'slack' as const, name: 'ops-slack' },
      { team: 'airport-ops', dialect: 'teams' as const, name: 'ops-teams' },
      { team: 'digital', dialect: 'slack' as const, name: 'digital-slack' },
    ];
    const { chat } = briefingMessages(briefing(), 'plain text', { consoleUrl, channels });
    expect(chat.map((c) => c.channel.name)).toEqual(['ops-slack', 'ops-teams']);
    expect(chat[0]).toEqual({ channel: channels[0], body: chatbotNotification(briefing(), { consoleUrl, dialect: 'slack' }), attributes });
    expect(chat[1].body).toEqual(chatbotNotification(briefing(), { consoleUrl, dialect: 'teams' }));
    expect(chat[1].body.content.title).toContain('**Incident INC-7');
  });
});
