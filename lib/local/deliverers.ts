/**
 * Delivery on one machine: stand-ins for SES, End User Messaging SMS and SNS mobile push that behave
 * like the services, so the whole loop (send, receipt, fallback) runs locally and in the e2e tests.
 *
 * - `customer-notices` is subscribed per channel, as the stack subscribes a queue per channel: every
 *   published notice (still appended to the outbox) is queued for its channel's deliver handler, the
 *   Lambda one, in the runtime's durable delivery queue (SQLite, like the notice jobs).
 * - The senders decide by the address what the service would do: an e-mail address on `bounce.invalid`
 *   hard-bounces, one on `complaint.invalid` is delivered and then complained about, a phone number
 *   starting `+999` is not a valid number, a push endpoint containing `disabled` is a disabled endpoint
 *   (refused at Publish, as SNS does); everything else is delivered.
 * - The receipts come back the services' way: SES events on the default bus (forwarded by
 *   lib/routes.ts to the receipts handler), SMS events as SNS notifications through the delivery queue
 *   to the receipts handler; both carry the recipient, as the real ones do, and the mapping drops it.
 */
import { randomUUID } from 'node:crypto';
import { EndpointDisabledException, SNSClient } from '@aws-sdk/client-sns';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SNSEvent, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { EmailSender } from '../../functions/adapters/delivery/ses.ts';
import { PushSender } from '../../functions/adapters/delivery/push.ts';
import { SmsSender } from '../../functions/adapters/delivery/sms.ts';
import { noticeTags, SES_SOURCE, SMS_CONTEXT_KEY } from '../../functions/domain/delivery/receipts.ts';
import type { NotifyChannel } from '../../functions/domain/model.ts';
import type { CustomerNoticeBody } from '../../functions/domain/notices/messages.ts';
import type { LocalBus } from './bus.ts';
import type { LocalJobQueue } from './job-queue.ts';
import type { DurableSubscriber } from './outbox.ts';

export type LocalOutcome = 'delivered' | 'bounce' | 'complaint' | 'invalid' | 'disabled';

/** What the service would do with a message to `address` (see the header). */
export const localOutcome = (channel: NotifyChannel, address: string): LocalOutcome => {
  if (channel === 'email') {
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    return domain === 'bounce.invalid' ? 'bounce' : domain === 'complaint.invalid' ? 'complaint' : 'delivered';
  }
  if (channel === 'sms') return address.startsWith('+999') ? 'invalid' : 'delivered';
  return address.includes('disabled') ? 'disabled' : 'delivered';
};

/** The SES event records (as EventBridge carries them in `detail`) that follow a sent e-mail. */
export const sesEventsFor = (
  sent: { messageId: string; to: string; tags: Record<string, string[]>; at: number },
  outcome: LocalOutcome,
): { detailType: string; detail: Record<string, unknown> }[] => {
  const mail = {
    timestamp: new Date(sent.at).toISOString(),
    source: 'notices@impact.local',
    sendingAccountId: '000000000000',
    messageId: sent.messageId,
    destination: [sent.to],
    tags: sent.tags,
  };
  const at = (ms: number) => new Date(sent.at + ms).toISOString();
  const delivery = {
    detailType: 'Email Delivered',
    detail: { eventType: 'Delivery', mail, delivery: { timestamp: at(200), recipients: [sent.to], smtpResponse: '250 ok', processingTimeMillis: 200 } },
  };
  if (outcome === 'bounce') {
    return [
      {
        detailType: 'Email Bounced',
        detail: {
          eventType: 'Bounce',
          mail,
          bounce: {
            bounceType: 'Permanent',
            bounceSubType: 'General',
            bouncedRecipients: [{ emailAddress: sent.to, action: 'failed', status: '5.1.1', diagnosticCode: `smtp; 550 5.1.1 <${sent.to}>: user unknown` }],
            timestamp: at(300),
            feedbackId: `${sent.messageId}-bounce`,
          },
        },
      },
    ];
  }
  if (outcome === 'complaint') {
    return [
      delivery,
      {
        detailType: 'Email Complaint Received',
        detail: {
          eventType: 'Complaint',
          mail,
          complaint: {
            complainedRecipients: [{ emailAddress: sent.to }],
            timestamp: at(400),
            feedbackId: `${sent.messageId}-complaint`,
            complaintFeedbackType: 'abuse',
          },
        },
      },
    ];
  }
  return [delivery];
};

/** The End User Messaging SMS event record that follows a sent text. */
export const smsEventFor = (
  sent: { messageId: string; to: string; context: Record<string, string>; at: number },
  outcome: LocalOutcome,
): Record<string, unknown> => ({
  eventType: outcome === 'invalid' ? 'TEXT_INVALID' : 'TEXT_DELIVERED',
  eventVersion: '1.0',
  eventTimestamp: sent.at + 300,
  isFinal: true,
  originationPhoneNumber: '+10000000000',
  destinationPhoneNumber: sent.to,
  messageId: sent.messageId,
  messageType: 'TRANSACTIONAL',
  messageStatus: outcome === 'invalid' ? 'INVALID' : 'DELIVERED',
  messageStatusDescription: outcome === 'invalid' ? `Destination phone number ${sent.to} is invalid` : 'Message has been accepted by phone',
  context: sent.context,
  totalMessageParts: 1,
});

/** The delivery queue's messages: a notice for a channel's deliver handler, or an SMS event for receipts. */
export type DeliveryQueueMessage = { target: `deliver-${NotifyChannel}`; message: string } | { target: 'sms-events'; message: string };

const LOCAL_CLIENT = { region: 'local' };

export class LocalEmailSender extends EmailSender {
  private readonly bus: LocalBus;

  constructor(bus: LocalBus) {
    super(new SESv2Client(LOCAL_CLIENT), { from: 'notices@impact.local', configurationSet: 'impact-local' });
    this.bus = bus;
  }

  override async send(notice: CustomerNoticeBody): Promise<{ providerMessageId: string }> {
    const messageId = `local-ses-${randomUUID()}`;
    const tags = Object.fromEntries(noticeTags(notice.noticeId).map((t) => [t.Name, [t.Value]]));
    const events = sesEventsFor({ messageId, to: notice.to, tags, at: Date.now() }, localOutcome('email', notice.to));
    this.bus.put(
      'default',
      events.map((e) => ({ source: SES_SOURCE, detailType: e.detailType, detail: e.detail })),
    );
    return { providerMessageId: messageId };
  }
}

export class LocalSmsSender extends SmsSender {
  private readonly queue: LocalJobQueue;

  constructor(queue: LocalJobQueue) {
    super(new PinpointSMSVoiceV2Client(LOCAL_CLIENT), { originationIdentity: 'local', configurationSet: 'impact-local' });
    this.queue = queue;
  }

  override async send(notice: CustomerNoticeBody): Promise<{ providerMessageId: string }> {
    const messageId = `local-sms-${randomUUID()}`;
    const event = smsEventFor({ messageId, to: notice.to, context: { [SMS_CONTEXT_KEY]: notice.noticeId }, at: Date.now() }, localOutcome('sms', notice.to));
    await this.queue.send([{ body: { target: 'sms-events', message: JSON.stringify(event) } satisfies DeliveryQueueMessage }]);
    return { providerMessageId: messageId };
  }
}

export class LocalPushSender extends PushSender {
  constructor() {
    super(new SNSClient(LOCAL_CLIENT));
  }

  override async send(notice: CustomerNoticeBody): Promise<{ providerMessageId: string }> {
    if (localOutcome('push', notice.to) === 'disabled') throw new EndpointDisabledException({ message: 'Endpoint is disabled', $metadata: {} });
    return { providerMessageId: `local-push-${randomUUID()}` };
  }
}

/**
 * `customer-notices` with a queue subscribed per channel: each notice the outbox records also goes to its
 * channel's deliver handler, in the same transaction (Outbox's durable subscriber), so a kill -9 neither
 * loses a delivery nor, since a notice published again is not recorded again, doubles one.
 */
export const deliveryQueueSubscriber =
  (queue: LocalJobQueue): DurableSubscriber =>
  (lines) =>
    queue.sendNow(
      lines
        .filter((l) => l.topic === 'customer-notices')
        .map((l) =>
          JSON.stringify({ target: `deliver-${l.attributes.channel as NotifyChannel}`, message: JSON.stringify(l.message) } satisfies DeliveryQueueMessage),
        ),
    );

export interface DeliveryConsumers {
  deliver: Record<NotifyChannel, (event: SQSEvent) => Promise<SQSBatchResponse>>;
  smsEvents: (event: SNSEvent) => Promise<unknown>;
}

const snsEventOf = (record: SQSRecord, message: string): SNSEvent => ({
  Records: [
    {
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:local:000000000000:sms-events:local',
      EventSource: 'aws:sns',
      Sns: {
        SignatureVersion: '1',
        Timestamp: new Date(Number(record.attributes.SentTimestamp)).toISOString(),
        Signature: '',
        SigningCertUrl: '',
        MessageId: record.messageId,
        Message: message,
        MessageAttributes: {},
        Type: 'Notification',
        UnsubscribeUrl: '',
        TopicArn: 'arn:aws:sns:local:000000000000:sms-events',
        Subject: '',
      },
    },
  ],
});

/** The delivery queue's consumer: each message to the handler its subscription names (at once), failures reported per message. */
export const deliveryConsumer =
  (consumers: DeliveryConsumers) =>
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const byChannel = new Map<NotifyChannel, SQSRecord[]>();
    const smsEvents: { record: SQSRecord; message: string }[] = [];
    for (const record of event.Records) {
      const { target, message } = JSON.parse(record.body) as DeliveryQueueMessage;
      if (target === 'sms-events') smsEvents.push({ record, message });
      else {
        const channel = target.slice('deliver-'.length) as NotifyChannel;
        byChannel.set(channel, [...(byChannel.get(channel) ?? []), { ...record, body: message }]);
      }
    }
    const failures = await Promise.all([
      ...[...byChannel].map(async ([channel, records]) =>
        (await consumers.deliver[channel]({ Records: records })).batchItemFailures.map((f) => f.itemIdentifier),
      ),
      ...smsEvents.map(({ record, message }) =>
        consumers.smsEvents(snsEventOf(record, message)).then(
          () => [],
          () => [record.messageId],
        ),
      ),
    ]);
    return { batchItemFailures: failures.flat().map((itemIdentifier) => ({ itemIdentifier })) };
  };
