import { describe, expect, it } from 'vitest';
import { markFor, plannedUsable, sendChannel, type ContactRecord } from '../../../functions/domain/delivery/channels.ts';
import { classifySendError, paceMs, pacingPlan, unitsOf } from '../../../functions/domain/delivery/sending.ts';
import { fallbackJob } from '../../../functions/domain/delivery/fallback.ts';
import { jobSchema } from '../../../functions/domain/notices/jobs.ts';
import { openChange } from '../../support/graphs.ts';

const mark = (kind: 'unreachable' | 'opted-out') => ({
  mark: kind,
  reason: kind === 'unreachable' ? 'bounce Permanent/General' : 'complaint',
  noticeId: 'change#C/1/change-notice/1',
  at: 1,
});
const contacts: ContactRecord = { email: 'a@example.com', phone: '+31612345678', push: 'arn:aws:sns:eu-west-1:1:endpoint/GCM/app/x' };

describe('the channel a notice goes on at send time', () => {
  it('given no marks, then the planned channel, without reading the preference', () => {
    expect(plannedUsable(contacts, { planned: 'email' })).toBe(true);
    expect(sendChannel(contacts, { planned: 'email' })).toEqual({ channel: 'email', to: 'a@example.com' });
  });

  it('given the e-mail bounced before, then the next channel of the preference that has a contact', () => {
    const record = { ...contacts, marks: { email: mark('unreachable') } };
    expect(plannedUsable(record, { planned: 'email' })).toBe(false);
    expect(sendChannel(record, { planned: 'email', preference: ['email', 'sms'] })).toEqual({ channel: 'sms', to: '+31612345678' });
  });

  it('given a complaint about e-mail, then no more e-mail: the next channel, or nobody', () => {
    const record = { ...contacts, marks: { email: mark('opted-out') } };
    expect(sendChannel(record, { planned: 'email', preference: ['email', 'push'] })).toEqual({ channel: 'push', to: contacts.push });
    expect(sendChannel(record, { planned: 'email', preference: ['email'] })).toEqual({ reason: 'email: opted out' });
  });

  it('given a fallback, then never a channel it already failed on, nor one without contact, nor one that is down', () => {
    const record = { email: 'a@example.com', push: 'p' };
    expect(sendChannel(record, { planned: 'email', preference: ['email', 'sms', 'push'], tried: ['email'] })).toEqual({ channel: 'push', to: 'p' });
    expect(sendChannel(record, { planned: 'email', preference: ['email', 'sms', 'push'], tried: ['email'], down: ['push'] })).toEqual({
      reason: 'email: failed for this notice; sms: no contact; push: channel down',
    });
  });

  it("the preference is the customer's: a channel they did not choose is never used", () => {
    expect(sendChannel({ ...contacts, marks: { sms: mark('unreachable') } }, { planned: 'sms', preference: ['sms'] })).toMatchObject({
      reason: expect.stringContaining('sms: unreachable'),
    });
  });

  it('which receipts mark a contact: a permanent failure (unreachable), a complaint (opted out); nothing else', () => {
    expect(markFor({ status: 'failed', permanent: true })).toBe('unreachable');
    expect(markFor({ status: 'delivered', optOut: true })).toBe('opted-out');
    expect(markFor({ status: 'failed', permanent: false })).toBeUndefined();
    expect(markFor({ status: 'delivered' })).toBeUndefined();
  });
});

describe('pacing each channel to its quota', () => {
  it('given SES at 14 messages/s, then 2 workers of 7/s, batches that take about 20 s, a timeout above a batch', () => {
    const plan = pacingPlan({ perSecond: 14, maxUnitsPerMessage: 1 });
    expect(plan.workers).toBe(2);
    expect(plan.batchSize).toBe(10);
    expect(paceMs(1, { perSecond: 14, workers: plan.workers })).toBe(143);
    expect(plan.timeoutSeconds).toBeGreaterThan((plan.batchSize * 143) / 1000);
  });

  it('given a US 10DLC number at 1 part/s, then a two-part SMS waits 4 s per worker and a batch fits the timeout', () => {
    const plan = pacingPlan({ perSecond: 1, maxUnitsPerMessage: 2 });
    expect(plan.workers).toBe(2);
    expect(paceMs(2, { perSecond: 1, workers: 2 })).toBe(4000);
    expect(plan.timeoutSeconds * 1000).toBeGreaterThanOrEqual(plan.batchSize * 4000);
  });

  it('given a short code at 100 parts/s, then more workers, none above its ceiling', () => {
    const plan = pacingPlan({ perSecond: 100, maxUnitsPerMessage: 2 });
    expect(plan.workers).toBe(13);
    expect(100 / plan.workers).toBeLessThanOrEqual(8);
  });

  it('an SMS costs its parts, other channels one', () => {
    expect(unitsOf('sms', 'x'.repeat(161))).toBe(2);
    expect(unitsOf('email', 'x'.repeat(5000))).toBe(1);
  });
});

describe("what a provider's error means", () => {
  it('throttling on every channel is a wait, never a failure', () => {
    for (const name of ['TooManyRequestsException', 'LimitExceededException', 'ThrottlingException', 'ThrottledException']) {
      expect(classifySendError('email', { name }).kind).toBe('throttled');
    }
  });

  it('a disabled push endpoint and an opted-out number are permanent; a rejected e-mail fails this notice only', () => {
    expect(classifySendError('push', { name: 'EndpointDisabledException', message: 'Endpoint is disabled' })).toMatchObject({
      kind: 'refused',
      permanent: true,
    });
    expect(classifySendError('sms', { name: 'ConflictException', Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT', message: 'opted out' })).toMatchObject({
      kind: 'refused',
      permanent: true,
    });
    expect(classifySendError('email', { name: 'MessageRejected', message: 'Email address is not verified: x@example.com' })).toEqual({
      kind: 'refused',
      permanent: false,
      reason: 'MessageRejected: Email address is not verified: <e-mail>',
    });
  });

  it('configuration errors go back to the queue (and to its DLQ, which alarms)', () => {
    expect(classifySendError('email', { name: 'MailFromDomainNotVerifiedException' }).kind).toBe('retry');
    expect(classifySendError('sms', { name: 'ResourceNotFoundException' }).kind).toBe('retry');
  });
});

describe('the fallback job', () => {
  it('given a notice that failed on e-mail, then a job of that customer, same kind and version, naming what was tried', () => {
    const state = { ...openChange([{ node: 'kiosk', effect: 'outage' }], { start: 1_000, end: 2_000 }), title: 'Kiosk patch' };
    const job = fallbackJob({
      notice: { subjectKey: 'change#CHG-1', customerId: 'C-1', kind: 'change-notice', version: 2 },
      state,
      touchpointNames: { kiosk: 'Kiosks' },
      customer: { effect: 'outage', touchpoints: ['kiosk'], locale: 'nl-NL' },
      tried: ['email', 'email'],
      eventAt: 900,
    })!;
    expect(jobSchema.parse(job)).toEqual(job);
    expect(job).toMatchObject({
      kind: 'change-notice',
      subjectKey: 'change#CHG-1',
      subject: { occurredAt: 900, title: 'Kiosk patch' },
      customers: [{ id: 'C-1', version: 2, effect: 'outage', locale: 'nl-NL', tried: ['email'] }],
    });
    expect(job.customers[0].channel).toBeUndefined();
  });
});
