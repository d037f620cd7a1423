import { afterEach, describe, expect, it } from 'vitest';
import type { NoticeReceipt } from '../../../functions/domain/events/schemas.ts';
import { applyReceipt } from '../../../functions/handlers/shared/receipts.ts';
import { graphOf } from '../../support/graphs.ts';
import { pipeline } from '../../support/pipeline.ts';

const NOW = Date.parse('2026-12-05T02:00:00Z');
const at = (s: number) => new Date(NOW + s * 1000).toISOString();
const notice = (subject: string) => ({ subjectKey: subject, customerId: 'C-1', kind: 'incident-notice', version: 1 });
const receipts = (subject: string): NoticeReceipt[] => {
  const noticeId = `${subject}/C-1/incident-notice/1`;
  const common = { noticeId, provider: 'ses' as const, providerMessageId: 'm-1' };
  return [
    {
      detailType: 'Notice Failed',
      eventId: 'delay',
      ...common,
      channel: 'email',
      occurredAt: at(10),
      permanent: false,
      final: false,
      reason: 'delivery delayed: MailboxFull (SES keeps trying)',
    },
    { detailType: 'Notice Delivered', eventId: 'delivered', ...common, channel: 'email', occurredAt: at(20) },
    {
      detailType: 'Notice Failed',
      eventId: 'bounce',
      ...common,
      channel: 'email',
      occurredAt: at(30),
      permanent: false,
      final: true,
      reason: 'bounce Transient/General',
    },
    { detailType: 'Notice Delivered', eventId: 'sms', noticeId, provider: 'sms-voice', providerMessageId: 's-1', channel: 'sms', occurredAt: at(40) },
  ];
};

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe('receipts against the delivery records (DynamoDB Local)', () => {
  it('receipts in order, reversed and twice, or all at once, end in the same state and the same counters', async () => {
    // Prepare: the same receipts for three subjects, applied three ways.
    const p = await pipeline(() => NOW);
    restore = p.aws.restore;
    const ways = {
      'incident#IN-ORDER': (r: NoticeReceipt[]) => r,
      'incident#REVERSED-TWICE': (r: NoticeReceipt[]) => [...r].reverse().flatMap((x) => [x, x]),
      'incident#AT-ONCE': (r: NoticeReceipt[]) => r,
    };
    // Act
    for (const [subject, order] of Object.entries(ways)) {
      if (subject === 'incident#AT-ONCE') await Promise.all(order(receipts(subject)).map((r) => applyReceipt(p.deps, r)));
      else for (const r of order(receipts(subject))) await applyReceipt(p.deps, r);
    }
    // Assess
    const states = await Promise.all(Object.keys(ways).map(async (s) => (await p.deps.deliveries.get(notice(s)))!.channels));
    const counts = await Promise.all(Object.keys(ways).map((s) => p.deps.deliveries.countsOf(s)));
    expect(states[0]).toEqual({
      email: { status: 'failed', permanent: false, at: NOW + 30_000, reason: 'bounce Transient/General', providerMessageId: 'm-1' },
      sms: { status: 'delivered', at: NOW + 40_000, providerMessageId: 's-1' },
    });
    expect(states[1]).toEqual(states[0]);
    expect(states[2]).toEqual(states[0]);
    expect(counts[0].email).toMatchObject({ sent: 1, delivered: 0, failed: 1 });
    expect(counts[0].sms).toMatchObject({ sent: 1, delivered: 1, failed: 0 });
    expect(counts[1]).toEqual(counts[0]);
    expect(counts[2]).toEqual(counts[0]);
  });

  it('a transient failure marks no contact; a permanent one marks it once, however often it arrives', async () => {
    const p = await pipeline(() => NOW);
    restore = p.aws.restore;
    await p.deps.graph.import(graphOf({ components: [{ id: 'n' }], customers: [{ id: 'C-1', contacts: { email: 'one@example.com' } }] }));
    const transient = receipts('incident#T')[2] as Extract<NoticeReceipt, { detailType: 'Notice Failed' }>;
    await applyReceipt(p.deps, transient);
    expect((await p.deps.contacts.contactsOf(['C-1'])).get('C-1')?.marks).toBeUndefined();
    const permanent: NoticeReceipt = { ...transient, noticeId: 'incident#P/C-1/incident-notice/1', permanent: true, reason: 'bounce Permanent/General' };
    await applyReceipt(p.deps, permanent);
    await applyReceipt(p.deps, permanent);
    const record = (await p.deps.contacts.contactsOf(['C-1'])).get('C-1');
    expect(record).toMatchObject({
      email: 'one@example.com',
      marks: { email: { mark: 'unreachable', reason: 'bounce Permanent/General', noticeId: 'incident#P/C-1/incident-notice/1' } },
    });
  });
});
