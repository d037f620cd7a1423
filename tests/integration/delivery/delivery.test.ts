import type { SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { noticeIdFromTags } from '../../../functions/domain/delivery/receipts.ts';
import { smsLength } from '../../../functions/domain/notices/sms.ts';
import type { CustomerNoticeBody } from '../../../functions/domain/notices/messages.ts';
import { deliveryLoop, EMAIL, SMS } from '../../support/delivery.ts';
import { rawEvent } from '../../support/events.ts';
import { graphOf } from '../../support/graphs.ts';
import { context, noticesOf, pipeline } from '../../support/pipeline.ts';

const NOW = Date.parse('2026-12-05T02:00:00Z');
const ENDPOINT = 'arn:aws:sns:eu-west-1:123456789012:endpoint/GCM/impact-app/0f0e1d2c-3b4a-5968-7a8b-9c0d1e2f3a4b';
const DISABLED = 'arn:aws:sns:eu-west-1:123456789012:endpoint/APNS/impact-app/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
// Addresses on bounce.invalid / complaint.invalid and numbers starting +999 behave as the services do for bad contacts (lib/local/deliverers.ts).
const CUSTOMERS: Record<string, unknown>[] = [
  { id: 'C-OK', contacts: { email: 'ok@example.com' }, uses: ['kiosk'] },
  { id: 'C-BOUNCE', channels: ['email', 'sms'], contacts: { email: 'pat@bounce.invalid', phone: '+31600000001' }, uses: ['kiosk'] },
  { id: 'C-COMPLAIN', channels: ['email', 'sms'], contacts: { email: 'kim@complaint.invalid', phone: '+31600000003' }, uses: ['kiosk'] },
  { id: 'C-EMAIL-ONLY', channels: ['email'], contacts: { email: 'sam@complaint.invalid' }, uses: ['kiosk'] },
  { id: 'C-PUSH', channels: ['push', 'sms'], contacts: { push: ENDPOINT, phone: '+31600000005' }, uses: ['kiosk'] },
  { id: 'C-NOWHERE', channels: ['email', 'sms'], contacts: { email: 'lost@bounce.invalid', phone: '+99900000006' }, uses: ['kiosk'] },
];
const CONTACT_DETAILS = /@example\.com|\.invalid|\+316|\+999|endpoint\/(GCM|APNS)/;
const graph = (customers = CUSTOMERS) =>
  graphOf({ components: [{ id: 'kiosk-net' }], touchpoints: [{ id: 'kiosk', name: 'Kiosks', channel: 'kiosk', dependsOn: ['kiosk-net'] }], customers });
const opened = rawEvent('Incident Opened', {
  incidentId: 'INC-1',
  eventId: 'inc-1-open',
  title: 'Kiosks down',
  severity: 'sev2',
  impacts: [{ node: 'kiosk-net' }],
  occurredAt: '2026-12-05T01:58:00Z',
});
const updated = rawEvent('Incident Updated', {
  incidentId: 'INC-1',
  eventId: 'inc-1-upd',
  status: 'identified',
  customerMessage: 'Use the desks in hall 2.',
  occurredAt: '2026-12-05T02:10:00Z',
});

const setup = async (customers = CUSTOMERS) => {
  let now = NOW;
  const p = await pipeline(() => now);
  restore = p.aws.restore;
  await p.deps.graph.import(graph(customers));
  return { ...p, loop: deliveryLoop(p), advance: (ms: number) => void (now += ms) };
};
const sentOn = (p: Awaited<ReturnType<typeof setup>>, customerId: string) =>
  noticesOf(p.aws)
    .filter((n) => n.customerId === customerId)
    .map((n) => `${n.kind}:${n.channel}`);

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe('sending: every channel through its provider, within its limits', () => {
  it('e-mail through SES, SMS through End User Messaging, push to the endpoint: each request as the notice says', async () => {
    // Prepare
    const p = await setup([
      CUSTOMERS[0],
      { id: 'C-SMS', channels: ['sms'], contacts: { phone: '+31600000007' }, uses: ['kiosk'] },
      { id: 'C-PUSH', channels: ['push'], contacts: { push: ENDPOINT }, uses: ['kiosk'] },
    ]);
    // Act
    await p.ingest(opened, context);
    await p.loop.settle();
    // Assess (the fakes checked every request against the services' limits)
    const byChannel = Object.fromEntries(noticesOf(p.aws).map((n) => [n.channel, n as CustomerNoticeBody]));
    expect(p.aws.emails).toHaveLength(1);
    const [email] = p.aws.emails;
    expect(email).toMatchObject({
      from: EMAIL.from,
      to: ['ok@example.com'],
      subject: byChannel.email.title,
      text: byChannel.email.text,
      html: byChannel.email.html,
      configurationSet: EMAIL.configurationSet,
    });
    expect(noticeIdFromTags(email.tags)).toBe(byChannel.email.noticeId);
    expect(p.aws.texts).toEqual([
      expect.objectContaining({
        to: '+31600000007',
        body: byChannel.sms.text,
        originationIdentity: SMS.originationIdentity,
        configurationSet: SMS.configurationSet,
        context: { noticeId: byChannel.sms.noticeId },
      }),
    ]);
    expect(smsLength(p.aws.texts[0].body).segments).toBeLessThanOrEqual(2);
    expect(p.aws.pushes).toHaveLength(1);
    expect(p.aws.pushes[0].targetArn).toBe(ENDPOINT);
    expect(JSON.parse(p.aws.pushes[0].payload.GCM)).toEqual({
      notification: { title: byChannel.push.title, body: byChannel.push.text },
      data: { noticeId: byChannel.push.noticeId },
    });
    // Receipts came back: all three delivered, counted once each.
    const counts = await p.deps.deliveries.countsOf('incident#INC-1');
    for (const channel of ['email', 'sms', 'push'] as const) expect(counts[channel], channel).toMatchObject({ sent: 1, delivered: 1, failed: 0 });
    // Delivered 2 minutes after the event (the incident opened 01:58, the clock reads 02:00).
    expect(counts.email).toMatchObject({ within5: 1, within15: 1 });
  });

  it('the same notice delivered twice by SQS is sent once', async () => {
    const p = await setup([CUSTOMERS[0]]);
    await p.ingest(opened, context);
    await p.drain();
    const [notice] = noticesOf(p.aws);
    const record = (id: string): SQSRecord => ({
      messageId: id,
      receiptHandle: id,
      body: JSON.stringify(notice),
      attributes: {} as never,
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:1:email',
      awsRegion: 'eu-west-1',
    });
    await p.loop.deliver.email({ Records: [record('a')] }, context);
    const again = await p.loop.deliver.email({ Records: [record('b'), record('c')] }, context);
    expect(again.batchItemFailures).toEqual([]);
    expect(p.aws.emails).toHaveLength(1);
  });

  it('throttling is retried with backoff; what stays throttled goes back to its queue, and nothing is dropped or sent twice', async () => {
    const p = await setup(Array.from({ length: 12 }, (_, i) => ({ id: `C-${i}`, contacts: { email: `c${i}@example.com` }, uses: ['kiosk'] })));
    await p.ingest(opened, context);
    await p.drain();
    // The first two sends are throttled once each: the retry in the invocation gets them through.
    p.aws.throttleNext('ses', 1);
    await p.loop.round();
    expect(p.loop.pendingRetries()).toBe(0);
    expect(p.aws.emails).toHaveLength(12);

    const q = await setup(Array.from({ length: 12 }, (_, i) => ({ id: `C-${i}`, contacts: { email: `c${i}@example.com` }, uses: ['kiosk'] })));
    await q.ingest(opened, context);
    await q.drain();
    // Throttled past the retries: that message and the rest of its batch go back to the queue.
    q.aws.throttleNext('ses', 2);
    await q.loop.round();
    expect(q.loop.pendingRetries()).toBeGreaterThan(0);
    expect(q.aws.emails.length).toBeLessThan(12);
    await q.loop.settle();
    expect(q.aws.emails.map((e) => e.to[0]).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `c${i}@example.com`).sort());
  });

  it('a disabled push endpoint is a permanent failure: the notice goes once more on the next channel', async () => {
    const p = await setup([{ id: 'C-PUSH', channels: ['push', 'sms'], contacts: { push: DISABLED, phone: '+31600000005' }, uses: ['kiosk'] }]);
    await p.ingest(opened, context);
    p.aws.refuseNext('push');
    await p.loop.settle();
    expect(p.aws.events.find((e) => e.detailType === 'Notice Failed')?.detail).toMatchObject({ channel: 'push', provider: 'sns', permanent: true });
    expect(sentOn(p, 'C-PUSH')).toEqual(['incident-notice:push', 'incident-notice:sms']);
    expect(p.aws.texts).toHaveLength(1);
  });
});

describe('receipts close the loop', () => {
  it('a bounce leads to exactly one SMS with the same notice, however often the bounce arrives', async () => {
    const p = await setup();
    await p.ingest(opened, context);
    await p.loop.settle();
    expect(sentOn(p, 'C-BOUNCE')).toEqual(['incident-notice:email', 'incident-notice:sms']);
    const [email, sms] = noticesOf(p.aws).filter((n) => n.customerId === 'C-BOUNCE');
    expect(sms.noticeId).toBe(email.noticeId);
    // The bounce again, twice: nothing moves, no second SMS.
    const bounce = p.aws.events.find((e) => e.detailType === 'Notice Failed' && e.detail.noticeId === email.noticeId)!;
    await p.loop.toReceipts('Notice Failed', 'impact.pipeline', bounce.detail);
    await p.loop.toReceipts('Notice Failed', 'impact.pipeline', bounce.detail);
    await p.loop.settle();
    expect(p.aws.texts.filter((t) => t.to === '+31600000001')).toHaveLength(1);
    // The state: e-mail failed for good, SMS delivered; counted once each.
    const record = await p.deps.deliveries.get({ subjectKey: 'incident#INC-1', customerId: 'C-BOUNCE', kind: 'incident-notice', version: 1 });
    expect(record?.channels).toMatchObject({ email: { status: 'failed', permanent: true }, sms: { status: 'delivered' } });
    const counts = await p.deps.deliveries.countsOf('incident#INC-1');
    // E-mail to five customers: delivered to three, bounced for two (one of them reached by SMS).
    expect(counts.email).toMatchObject({ sent: 5, delivered: 3, failed: 2 });
    expect(counts.sms).toMatchObject({ sent: 2, delivered: 1, failed: 1 });
  });

  it('the customer no channel reached is on the call-back list, with why; the ones a fallback reached are not', async () => {
    const p = await setup();
    await p.ingest(opened, context);
    await p.loop.settle();
    const { customers } = await p.deps.deliveries.unreachedOf('incident#INC-1', { limit: 10 });
    expect(customers.map((c) => c.customerId)).toEqual(['C-NOWHERE']);
    expect(customers[0].reason).toMatch(/email: failed for this notice; sms: failed for this notice/);
    expect(JSON.stringify(customers)).not.toMatch(CONTACT_DETAILS);
  });

  it('a complaint is an opt-out of e-mail: the next notice goes by SMS, or to nobody when e-mail was all there was', async () => {
    const p = await setup();
    await p.ingest(opened, context);
    await p.loop.settle();
    expect(sentOn(p, 'C-COMPLAIN')).toEqual(['incident-notice:email']);
    p.advance(15 * 60_000);
    await p.ingest(updated, context);
    await p.loop.settle();
    expect(sentOn(p, 'C-COMPLAIN')).toEqual(['incident-notice:email', 'incident-update:sms']);
    expect(sentOn(p, 'C-EMAIL-ONLY')).toEqual(['incident-notice:email']);
    expect(sentOn(p, 'C-BOUNCE')).toEqual(['incident-notice:email', 'incident-notice:sms', 'incident-update:sms']);
    expect(sentOn(p, 'C-OK')).toEqual(['incident-notice:email', 'incident-update:email']);
    const { customers } = await p.deps.deliveries.unreachedOf('incident#INC-1', { limit: 10 });
    expect(customers.map((c) => c.customerId)).toEqual(['C-EMAIL-ONLY', 'C-NOWHERE']);
    expect(customers[0].reason).toBe('email: opted out');
  });

  it('no contact detail reaches any log line, however the notices fare', async () => {
    const lines: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))),
    );
    try {
      const p = await setup();
      await p.ingest(opened, context);
      p.aws.throttleNext('ses', 3);
      p.aws.refuseNext('sms');
      await p.loop.settle();
      p.advance(15 * 60_000);
      await p.ingest(updated, context);
      await p.loop.settle();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const log = lines.join('\n');
    expect(log).toContain('receipt applied');
    expect(log).toContain('provider refused a notice');
    expect(log).not.toMatch(CONTACT_DETAILS);
  });
});
