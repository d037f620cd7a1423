import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../../functions/adapters/template-files.ts';
import { PUSH_BODY_MAX, smsLength } from '../../../functions/domain/notices/templates.ts';
import { noticeDueSchema } from '../../../functions/domain/events/schemas.ts';
import {
  briefingJob,
  briefingKind,
  briefingMessage,
  byQuietHours,
  customerNoticeMessage,
  jobSchema,
  noticeDue,
  noticeId,
  triggersFor,
  type Briefing,
  type NoticeJob,
} from '../../../functions/domain/notices/index.ts';
import { openChange } from '../../support/graphs.ts';

const shipped = loadTemplates();
const job: NoticeJob = {
  type: 'notices',
  subjectKey: 'change#CHG-7',
  subject: { type: 'change', id: 'CHG-7', title: 'Payments maintenance', start: Date.UTC(2026, 11, 5, 2), end: Date.UTC(2026, 11, 5, 4) },
  kind: 'change-notice',
  touchpointNames: { web: 'Website checkout' },
  customers: [
    { id: 'C-1', version: 3, effect: 'degraded', channel: 'sms', locale: 'en-GB', timeZone: 'Europe/London', segment: 'gold', touchpoints: ['web'] },
    { id: 'C-2', version: 3, effect: 'outage', channel: 'email', touchpoints: ['kiosk'] },
  ],
};

describe('the customer-notice message (DESIGN section 7)', () => {
  it('given a notice of a job, when it becomes a message, then the body and attributes follow the contract', () => {
    // When
    const message = customerNoticeMessage(shipped, job, job.customers[0], 'sms', '+447700900001');
    // Then
    expect(message).toEqual({
      body: {
        noticeId: 'change#CHG-7/C-1/change-notice/3',
        kind: 'change-notice',
        subject: 'change#CHG-7',
        customerId: 'C-1',
        channel: 'sms',
        to: '+447700900001',
        locale: 'en',
        title: 'Planned maintenance: Payments maintenance',
        text: 'Planned maintenance: Website checkout will be slower or partly unavailable from 5 Dec 2026, 02:00 until 5 Dec 2026, 04:00.',
      },
      attributes: { kind: 'change-notice', channel: 'sms', effect: 'degraded', segment: 'gold', locale: 'en' },
    });
  });

  it('given a customer without segment and a touchpoint without name, then segment is "unknown" and the id names it', () => {
    const { body, attributes } = customerNoticeMessage(shipped, job, job.customers[1], 'email', 'two@example.com');
    expect(attributes.segment).toBe('unknown');
    expect(body.text).toContain('kiosk will be unavailable');
    expect(body.html).toContain('kiosk will be unavailable');
  });

  it("given each channel, then the text is that channel's form: the SMS within 2 segments, the push body short, e-mail with its HTML part", () => {
    const sms = customerNoticeMessage(shipped, job, job.customers[0], 'sms', '+447700900001').body;
    const push = customerNoticeMessage(shipped, job, job.customers[0], 'push', 'token').body;
    const email = customerNoticeMessage(shipped, job, job.customers[0], 'email', 'a@example.com').body;
    expect(smsLength(sms.text).segments).toBeLessThanOrEqual(2);
    expect(sms.html).toBeUndefined();
    expect(push.text.length).toBeLessThanOrEqual(PUSH_BODY_MAX);
    expect(email.text).not.toBe(sms.text);
    expect(email.html).toMatch(/^<!doctype html>/i);
  });

  it('given the same notice twice, then the noticeId is the same; another version or kind is another notice', () => {
    const id = noticeId({ subjectKey: 'change#CHG-7', customerId: 'C-1', kind: 'change-notice', version: 3 });
    expect(customerNoticeMessage(shipped, job, job.customers[0], 'email', 'a@example.com').body.noticeId).toBe(id);
    expect(noticeId({ subjectKey: 'change#CHG-7', customerId: 'C-1', kind: 'change-notice', version: 4 })).not.toBe(id);
    expect(noticeId({ subjectKey: 'change#CHG-7', customerId: 'C-1', kind: 'reminder', version: 3 })).not.toBe(id);
  });
});

describe('support briefings', () => {
  const briefing: Briefing = {
    team: 'payments',
    kind: 'change-notice',
    severity: 'planned',
    region: 'all',
    subject: { type: 'change', id: 'CHG-7', status: 'scheduled', window: { start: '2026-12-05T02:00:00.000Z' } },
    touchpoints: [{ id: 'web', channel: 'web', effect: 'outage', why: 'db -> web' }],
    customers: { total: 1, byEffect: { outage: 1 }, bySegment: { gold: 1 }, unreachable: 0 },
    tellCallers: 'Use the app.',
  };

  it('given an assessment that changed, then the briefing kind is the first planned notice, else an update', () => {
    const state = { type: 'change' as const };
    const hit = { touchpoints: [{ id: 'web' }] };
    expect(briefingKind({ changed: true, state, assessment: hit, plan: [{ kind: 'change-cancelled' }, { kind: 'all-clear' }] })).toBe('change-cancelled');
    expect(briefingKind({ changed: true, state, assessment: hit, plan: [] })).toBe('change-update');
    expect(briefingKind({ changed: true, state: { type: 'incident' }, assessment: { touchpoints: [] }, plan: [{ kind: 'incident-resolved' }] })).toBe(
      'incident-resolved',
    );
  });

  it('given nothing changed, or nothing hit and nobody to tell, then there is no briefing', () => {
    expect(
      briefingKind({ changed: false, state: { type: 'change' }, assessment: { touchpoints: [{ id: 'web' }] }, plan: [{ kind: 'change-notice' }] }),
    ).toBeUndefined();
    expect(briefingKind({ changed: true, state: { type: 'change' }, assessment: { touchpoints: [] }, plan: [] })).toBeUndefined();
  });

  it('given a briefing job, then it passes the job schema and its message carries the filter attributes', () => {
    const parsed = jobSchema.parse(JSON.parse(JSON.stringify(briefingJob(briefing))));
    expect(parsed.type).toBe('briefing');
    if (parsed.type !== 'briefing') return;
    expect(briefingMessage(parsed.briefing, parsed.text)).toEqual({
      body: { ...briefing, text: expect.stringContaining('Tell callers: Use the app.') },
      attributes: { team: 'payments', kind: 'change-notice', severity: 'planned', region: 'all' },
    });
    expect(() => jobSchema.parse({ type: 'briefing', briefing: { ...briefing, kind: 'gossip' }, text: '' })).toThrow(/kind/);
  });
});

describe('Notice Due (scheduled notices)', () => {
  it('given the triggers of a change, then each Notice Due detail passes the one schema both producers use', () => {
    const H = 3_600_000;
    const triggers = triggersFor(openChange([{ node: 'db', effect: 'outage' }], { start: 100 * H, end: 102 * H }), 0);
    const details = triggers.map((t) => noticeDue('change#CHG-1', t));
    const actor = { type: 'system', source: 'impact.scheduler' };
    expect(details).toEqual([
      { subjectKey: 'change#CHG-1', kind: 'reminder', version: 1024, actor },
      { subjectKey: 'change#CHG-1', kind: 'reminder', version: 1001, actor },
      { subjectKey: 'change#CHG-1', kind: 'change-overrun', version: 1, actor },
    ]);
    for (const d of details) expect(noticeDueSchema.parse(d)).toEqual(d);
    expect(noticeDueSchema.safeParse({ subjectKey: 'change#CHG-1', kind: 'change-notice', version: 1 }).success).toBe(false);
  });
});

describe('quiet hours decide who is reached now', () => {
  it('given a non-urgent notice at 23:30 in Amsterdam, then customers in quiet hours wait until 07:00 local, the others go now', () => {
    const now = Date.UTC(2026, 11, 5, 22, 30);
    const quiet = { start: '22:00', end: '07:00' };
    const customers = [
      { id: 'ams', effect: 'outage' as const, quietHours: quiet, timeZone: 'Europe/Amsterdam' },
      { id: 'nyc', effect: 'outage' as const, quietHours: quiet, timeZone: 'America/New_York' },
      { id: 'any', effect: 'degraded' as const },
    ];
    const { due, later } = byQuietHours('change-notice', customers, now);
    expect(due.map((c) => c.id)).toEqual(['nyc', 'any']);
    expect([...later].map(([at, list]) => [new Date(at).toISOString(), list.map((c) => c.id)])).toEqual([['2026-12-06T06:00:00.000Z', ['ams']]]);
    expect(byQuietHours('incident-notice', customers, now).due.map((c) => c.id)).toEqual(['ams', 'nyc', 'any']);
  });
});
