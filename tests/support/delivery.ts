/**
 * Built-in delivery driven the way AWS runs it, on top of tests/support/pipeline.ts: every customer
 * notice published to `customer-notices` goes to its channel's deliver handler as an SQS record (the
 * subscription's filter on `channel`, raw message delivery); what SES and End User Messaging SMS were
 * asked to send comes back as their events (built by the local stand-ins' rules: bounce.invalid,
 * complaint.invalid, +999; lib/local/deliverers.ts) to the receipts handler; the receipts it puts on
 * the bus come back to it through their rule; fallback jobs go to notify through the pipeline's drain.
 * Records a deliver handler reports failed are handed over again in the next round, as SQS would.
 */
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import type { EventBridgeEvent, SNSEvent, SQSRecord } from 'aws-lambda';
import { PushSender } from '../../functions/adapters/delivery/push.ts';
import { EmailSender } from '../../functions/adapters/delivery/ses.ts';
import { SmsSender } from '../../functions/adapters/delivery/sms.ts';
import { RECEIPT_DETAIL_TYPES, PIPELINE_SOURCE } from '../../functions/domain/events/schemas.ts';
import type { NotifyChannel } from '../../functions/domain/model.ts';
import { buildReceiptsHandler } from '../../functions/handlers/receipts.ts';
import { buildDeliverHandler, type DeliverSettings } from '../../functions/handlers/shared/deliver.ts';
import { localOutcome, sesEventsFor, smsEventFor } from '../../lib/local/deliverers.ts';
import { NOTICES, context, type pipeline } from './pipeline.ts';

const region = { region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
export const EMAIL = { from: 'notices@example.org', configurationSet: 'impact-notices' };
export const SMS = {
  originationIdentity: 'arn:aws:sms-voice:eu-west-1:123456789012:pool/pool-0123456789abcdef0123456789abcdef',
  configurationSet: 'impact-sms',
};
/** Tests run fast: a generous quota, short backoff (one retry before a throttled message goes back to its queue). */
export const FAST: DeliverSettings = { perSecond: 10_000, workers: 2, leaseMs: 60_000, throttleRetries: 1 };

type Pipeline = Awaited<ReturnType<typeof pipeline>>;

const sqsRecord = (id: string, body: string): SQSRecord => ({
  messageId: id,
  receiptHandle: id,
  body,
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'sns', ApproximateFirstReceiveTimestamp: '0' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:delivery',
  awsRegion: 'eu-west-1',
});

export const deliveryLoop = (p: Pipeline, settings: DeliverSettings = FAST) => {
  const deliver: Record<NotifyChannel, ReturnType<typeof buildDeliverHandler>> = {
    email: buildDeliverHandler(p.deps, new EmailSender(new SESv2Client(region), EMAIL), settings),
    sms: buildDeliverHandler(p.deps, new SmsSender(new PinpointSMSVoiceV2Client(region), SMS), settings),
    push: buildDeliverHandler(p.deps, new PushSender(new SNSClient(region)), settings),
  };
  const receipts = buildReceiptsHandler(p.deps);
  const seen = { published: 0, emails: 0, texts: 0, events: 0 };
  let retry: { channel: NotifyChannel; record: SQSRecord }[] = [];
  let ids = 0;

  const toReceipts = (detailType: string, source: string, detail: unknown) =>
    receipts(
      {
        version: '0',
        id: `ev-${++ids}`,
        'detail-type': detailType,
        source,
        account: '123456789012',
        time: new Date(p.deps.now()).toISOString(),
        region: 'eu-west-1',
        resources: [],
        detail,
      } as EventBridgeEvent<string, unknown>,
      context,
    );

  /** One round: notices to their deliver handlers, provider events and receipts to the receipts handler. Returns how much it did. */
  const round = async (): Promise<number> => {
    let work = 0;
    const handOver: { channel: NotifyChannel; record: SQSRecord }[] = retry;
    retry = [];
    for (const m of p.aws.published.slice(seen.published)) {
      if (m.topicArn !== NOTICES) continue;
      handOver.push({ channel: m.attributes.channel as NotifyChannel, record: sqsRecord(`sqs-${++ids}`, JSON.stringify(m.message)) });
    }
    seen.published = p.aws.published.length;
    for (const channel of ['email', 'sms', 'push'] as const) {
      const records = handOver.filter((h) => h.channel === channel).map((h) => h.record);
      for (let i = 0; i < records.length; i += 10) {
        const batch = records.slice(i, i + 10);
        const { batchItemFailures } = await deliver[channel]({ Records: batch }, context);
        const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
        retry.push(...batch.filter((r) => failed.has(r.messageId)).map((record) => ({ channel, record })));
        work += batch.length;
      }
    }
    for (const email of p.aws.emails.slice(seen.emails)) {
      for (const e of sesEventsFor({ messageId: email.messageId, to: email.to[0], tags: email.tags, at: p.deps.now() }, localOutcome('email', email.to[0])))
        await toReceipts(e.detailType, 'aws.ses', e.detail);
      work++;
    }
    seen.emails = p.aws.emails.length;
    for (const text of p.aws.texts.slice(seen.texts)) {
      const message = JSON.stringify(
        smsEventFor({ messageId: text.messageId, to: text.to, context: text.context, at: p.deps.now() }, localOutcome('sms', text.to)),
      );
      await receipts(
        {
          Records: [
            {
              EventSource: 'aws:sns',
              EventVersion: '1.0',
              EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:sms-events:1',
              Sns: {
                Message: message,
                MessageId: `sns-${++ids}`,
                Timestamp: new Date(p.deps.now()).toISOString(),
                TopicArn: 'arn:aws:sns:eu-west-1:123456789012:sms-events',
                Type: 'Notification',
                Signature: '',
                SignatureVersion: '1',
                SigningCertUrl: '',
                UnsubscribeUrl: '',
                MessageAttributes: {},
                Subject: '',
              },
            },
          ],
        } as SNSEvent,
        context,
      );
      work++;
    }
    seen.texts = p.aws.texts.length;
    for (const event of p.aws.events.slice(seen.events)) {
      if ((RECEIPT_DETAIL_TYPES as readonly string[]).includes(event.detailType)) {
        await toReceipts(event.detailType, PIPELINE_SOURCE, event.detail);
        work++;
      }
    }
    seen.events = p.aws.events.length;
    return work;
  };

  /** Drains the pipeline and the delivery loop until nothing moves (fallback jobs included); returns the pipeline's failures. */
  const settle = async (): Promise<number> => {
    let failures = 0;
    for (let rounds = 0; rounds < 50; rounds++) {
      failures += await p.drain();
      if ((await round()) === 0 && retry.length === 0) return failures;
    }
    throw new Error('delivery loop still moving after 50 rounds');
  };

  return { deliver, receipts, toReceipts, round, settle, pendingRetries: () => retry.length };
};
