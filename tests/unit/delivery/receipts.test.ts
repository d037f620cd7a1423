import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RECEIPT_SCHEMAS } from '../../../functions/domain/events/schemas.ts';
import {
  noticeIdFromTags,
  noticeTags,
  receiptFromPushPublish,
  receiptFromRefusal,
  receiptFromSes,
  receiptFromSms,
  withoutContactDetails,
  type ReceiptOutcome,
} from '../../../functions/domain/delivery/receipts.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/delivery/${name}`, import.meta.url), 'utf8'));
const NOTICE = 'incident#INC-7/C-1001/incident-notice/1';
const CONTACTS = ['pat.doe@example.com', '+14255550156'];
const receiptOf = (outcome: ReceiptOutcome) => {
  if (!('receipt' in outcome)) throw new Error(`ignored: ${outcome.ignored}`);
  return outcome.receipt;
};
const noContacts = (value: unknown) => {
  for (const contact of CONTACTS) expect(JSON.stringify(value)).not.toContain(contact);
};

describe("SES events to receipts (EventBridge, the configuration set's destination)", () => {
  it('given a permanent bounce, then Notice Failed, permanent, with the reason and no address', () => {
    // When
    const receipt = receiptOf(receiptFromSes(fixture('ses-bounce-permanent.json')));
    // Then
    expect(receipt).toMatchObject({
      detailType: 'Notice Failed',
      noticeId: NOTICE,
      channel: 'email',
      provider: 'ses',
      permanent: true,
      final: true,
      occurredAt: '2026-12-05T02:01:02.669Z',
    });
    expect(receipt.reason).toContain('bounce Permanent/General: 5.1.1');
    expect(receipt.reason).toContain('<e-mail>');
    noContacts(receipt);
  });

  it('given a transient bounce, then Notice Failed, not permanent', () => {
    const event = fixture('ses-bounce-permanent.json');
    event.detail.bounce.bounceType = 'Transient';
    event.detail.bounce.bounceSubType = 'MailboxFull';
    expect(receiptOf(receiptFromSes(event))).toMatchObject({ detailType: 'Notice Failed', permanent: false, final: true });
  });

  it('given a delivery, then Notice Delivered at the delivery time', () => {
    const receipt = receiptOf(receiptFromSes(fixture('ses-delivery.json')));
    expect(receipt).toMatchObject({
      detailType: 'Notice Delivered',
      noticeId: NOTICE,
      occurredAt: '2026-12-05T02:01:03.302Z',
      providerMessageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
    });
    noContacts(receipt);
  });

  it('given a complaint, then delivered with an opt-out of e-mail', () => {
    const receipt = receiptOf(receiptFromSes(fixture('ses-complaint.json')));
    expect(receipt).toMatchObject({ detailType: 'Notice Delivered', optOut: true, reason: 'complaint: abuse' });
    noContacts(receipt);
  });

  it('given a delivery delay, then a failure that is not final; a reject, a final one that is not permanent', () => {
    expect(receiptOf(receiptFromSes(fixture('ses-delivery-delay.json')))).toMatchObject({ detailType: 'Notice Failed', permanent: false, final: false });
    expect(receiptOf(receiptFromSes(fixture('ses-reject.json')))).toMatchObject({
      detailType: 'Notice Failed',
      permanent: false,
      final: true,
      reason: 'rejected by SES: Bad content',
    });
  });

  it('the same provider event twice is one receipt (same eventId); another event of the message is another', () => {
    const a = receiptOf(receiptFromSes(fixture('ses-bounce-permanent.json')));
    const again = receiptOf(receiptFromSes({ ...fixture('ses-bounce-permanent.json'), id: 'another-eventbridge-id' }));
    expect(again.eventId).toBe(a.eventId);
    expect(receiptOf(receiptFromSes(fixture('ses-delivery.json'))).eventId).not.toBe(a.eventId);
  });

  it('every receipt is a valid event detail', () => {
    for (const name of ['ses-bounce-permanent.json', 'ses-delivery.json', 'ses-complaint.json', 'ses-delivery-delay.json', 'ses-reject.json']) {
      const { detailType, ...detail } = receiptOf(receiptFromSes(fixture(name)));
      expect(RECEIPT_SCHEMAS[detailType].safeParse(detail).success, name).toBe(true);
    }
  });

  it('events without our tags, sends and opens are ignored with a reason', () => {
    const untagged = fixture('ses-delivery.json');
    delete untagged.detail.mail.tags['notice-1'];
    expect(receiptFromSes(untagged)).toEqual({ ignored: 'SES Delivery of a message without our notice tags' });
    const send = fixture('ses-delivery.json');
    send.detail.eventType = 'Send';
    expect(receiptFromSes(send)).toEqual({ ignored: 'SES Send events are not receipts' });
    expect('ignored' in receiptFromSes({ detail: 'nonsense' })).toBe(true);
  });
});

describe('the noticeId in SES message tags', () => {
  it("any noticeId survives the tags, and every tag keeps SES's rules (ASCII letters, digits, _ and -; 256 characters)", () => {
    const id = fc.tuple(
      fc.constantFrom('change', 'incident'),
      fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
      fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
      fc.constantFrom('change-notice', 'incident-update', 'all-clear'),
      fc.integer({ min: 0, max: 2 ** 45 }),
    );
    fc.assert(
      fc.property(id, ([type, subject, customer, kind, version]) => {
        const notice = `${type}#${subject}/${customer}/${kind}/${version}`;
        const tags = noticeTags(notice);
        for (const tag of tags) {
          expect(tag.Name).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
          expect(tag.Value).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
        }
        expect(noticeIdFromTags(Object.fromEntries(tags.map((t) => [t.Name, [t.Value]])))).toBe(notice);
      }),
    );
  });
});

describe('End User Messaging SMS events to receipts (SNS destination)', () => {
  it('given TEXT_INVALID, then a permanent failure without the number', () => {
    const receipt = receiptOf(receiptFromSms(fixture('sms-text-invalid.json'), '2026-12-05T00:00:00Z'));
    expect(receipt).toMatchObject({
      detailType: 'Notice Failed',
      noticeId: NOTICE,
      channel: 'sms',
      provider: 'sms-voice',
      permanent: true,
      occurredAt: new Date(1796436062000).toISOString(),
    });
    expect(receipt.reason).toContain('TEXT_INVALID');
    noContacts(receipt);
  });

  it('given TEXT_DELIVERED, then delivered; TEXT_UNREACHABLE a failure that is not permanent; TEXT_PENDING nothing yet', () => {
    expect(receiptOf(receiptFromSms(fixture('sms-text-delivered.json'), 'x'))).toMatchObject({
      detailType: 'Notice Delivered',
      eventId: 'sms-voice:862a8790-60c0-4430-9b2b-658bdexample:TEXT_DELIVERED',
    });
    expect(receiptOf(receiptFromSms({ ...fixture('sms-text-invalid.json'), eventType: 'TEXT_UNREACHABLE' }, 'x'))).toMatchObject({
      permanent: false,
      final: true,
    });
    expect(receiptFromSms({ ...fixture('sms-text-delivered.json'), eventType: 'TEXT_PENDING', isFinal: false }, 'x')).toEqual({
      ignored: 'SMS TEXT_PENDING is not a final delivery status',
    });
    expect('ignored' in receiptFromSms({ ...fixture('sms-text-delivered.json'), context: {} }, 'x')).toBe(true);
  });
});

describe('push and refusals at send time', () => {
  it('a push that SNS took is delivered; a disabled endpoint is a permanent failure, its ARN masked', () => {
    expect(receiptOf(receiptFromPushPublish(NOTICE, 'sns-1', '2026-12-05T02:00:00.000Z'))).toMatchObject({
      detailType: 'Notice Delivered',
      channel: 'push',
      providerMessageId: 'sns-1',
    });
    const failed = receiptOf(
      receiptFromRefusal(
        { noticeId: NOTICE, channel: 'push' },
        { permanent: true, reason: 'EndpointDisabledException: Endpoint is disabled arn:aws:sns:eu-west-1:123456789012:endpoint/GCM/app/0f0e' },
        '2026-12-05T02:00:00.000Z',
      ),
    );
    expect(failed).toMatchObject({ detailType: 'Notice Failed', channel: 'push', provider: 'sns', permanent: true });
    expect(failed.reason).not.toContain('endpoint/GCM');
  });

  it('contact details are masked in any provider text', () => {
    expect(withoutContactDetails('550 <pat.doe@example.com> unknown; +31 6 1234 5678 blocked')).toBe('550 <<e-mail>> unknown; <phone> blocked');
  });
});
