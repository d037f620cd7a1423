/**
 * The deliver functions (deliver-email, deliver-sms, deliver-push): each reads its channel's SQS queue,
 * which the `customer-notices` topic fills through a subscription filtered on `channel` (raw message
 * delivery: the body is the customer-notice message), and hands each notice to its provider.
 *
 * Per message: the notice is checked against the message contract; a sending lease is taken on its
 * delivery record (a repeat of a notice already handed over is dropped: SNS and SQS deliver at least
 * once); the worker waits for its slot in the channel's quota (domain/delivery/sending.ts); the provider
 * is called, throttling retried with backoff; what the provider took is recorded as `accepted` (the
 * counters move with it). A refusal for good (a disabled push endpoint, a rejected message) becomes a
 * `Notice Failed` receipt on the bus, and push, which SNS answers at once, its `Notice Delivered`.
 * Throttling that outlasts the retries puts the message and every one after it in the batch back on
 * the queue (partial batch failure): it comes back after the visibility timeout, nothing is dropped.
 * The address is in the message for the provider and nowhere else: no log line, no metric, no receipt.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ChannelSender } from '../../adapters/delivery/sender.ts';
import {
  acceptedStep,
  classifySendError,
  paceMs,
  receiptFromPushPublish,
  receiptFromRefusal,
  unitsOf,
  type ReceiptOutcome,
} from '../../domain/delivery/index.ts';
import { customerNoticeBodySchema, parseNoticeId, type CustomerNoticeBody } from '../../domain/notices/messages.ts';
import type { Dependencies } from './dependencies.ts';
import { ENV } from './environment.ts';
import { logger, metrics, tracer } from './powertools.ts';
import { emitReceipts } from './emit-receipts.ts';

export interface DeliverSettings {
  /** The channel's quota: messages (e-mail, push) or SMS parts per second. */
  perSecond: number;
  /** Workers sharing it: the event source's maximum concurrency. */
  workers: number;
  /** How long a worker holds a notice it is sending (ms). */
  leaseMs: number;
  /** Throttled sends retried in the invocation before the message goes back to its queue. */
  throttleRetries?: number;
  /** Send a batch's messages at once instead of one after the other (the local runtime: no quota to keep). */
  parallel?: boolean;
}

export const deliverSettingsFromEnvironment = (): DeliverSettings => ({
  perSecond: Number(process.env[ENV.deliveryPerSecond] ?? 1),
  workers: Number(process.env[ENV.deliveryWorkers] ?? 2),
  leaseMs: Number(process.env[ENV.deliveryLeaseMs] ?? 120_000),
});

export class NoticeMessageError extends Error {
  readonly code = 'NOTICE_MESSAGE_INVALID';
  constructor(fields: string[], options?: ErrorOptions) {
    super(`the SQS message is not a customer-notice message for this channel (${fields.join(', ')}); it goes to the queue's DLQ after its receives`, options);
    this.name = 'NoticeMessageError';
  }
}

export class DeliveryDeferredError extends Error {
  readonly code: 'THROTTLED' | 'BUSY' | 'RETRY';
  constructor(code: DeliveryDeferredError['code'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeliveryDeferredError';
    this.code = code;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The notice in an SQS message of the channel's queue, or NoticeMessageError naming the fields (never their values). */
export const noticeOf = (record: SQSRecord, channel: string): CustomerNoticeBody => {
  let raw: unknown;
  try {
    raw = JSON.parse(record.body);
  } catch (error) {
    throw new NoticeMessageError(['body is not JSON'], { cause: error });
  }
  const parsed = customerNoticeBodySchema.safeParse(raw);
  if (!parsed.success) throw new NoticeMessageError(parsed.error.issues.map((i) => i.path.join('.') || '(body)'));
  if (parsed.data.channel !== channel) throw new NoticeMessageError([`channel is ${parsed.data.channel}, this queue is ${channel}`]);
  return parsed.data;
};

/** One invocation's worker: sends one message at a time, each after its slot in the channel's quota. */
class Pacer {
  private next = 0;
  private readonly settings: DeliverSettings;
  /** Set once a send stayed throttled: the rest of the batch goes back to the queue. */
  throttled = false;

  constructor(settings: DeliverSettings) {
    this.settings = settings;
  }

  async slot(units: number): Promise<void> {
    const wait = this.next - Date.now();
    if (wait > 0) await sleep(wait);
    this.next = Math.max(Date.now(), this.next) + paceMs(units, this.settings);
  }
}

const backoff = (attempt: number) => Math.min(5_000, 200 * 2 ** attempt) * (0.5 + Math.random() / 2);

const deliverOne = async (deps: Dependencies, sender: ChannelSender, settings: DeliverSettings, pacer: Pacer, record: SQSRecord): Promise<void> => {
  if (pacer.throttled) throw new DeliveryDeferredError('THROTTLED', 'an earlier send of this batch stayed throttled: back to the queue');
  const notice = noticeOf(record, sender.channel);
  const key = parseNoticeId(notice.noticeId)!;
  const facts = { ...(notice.eventAt ? { eventAt: Date.parse(notice.eventAt) } : {}), locale: notice.locale };
  const claim = await deps.deliveries.claimSend(key, sender.channel, facts, deps.now(), settings.leaseMs);
  if (claim === 'done') {
    metrics.addMetric('DeliveryRepeatsDropped', MetricUnit.Count, 1);
    return;
  }
  if (claim === 'busy') throw new DeliveryDeferredError('BUSY', `another worker is sending ${notice.noticeId}; back to the queue`);

  const retries = settings.throttleRetries ?? 4;
  for (let attempt = 0; ; attempt++) {
    await pacer.slot(unitsOf(sender.channel, notice.text));
    try {
      const { providerMessageId } = await sender.send(notice);
      const at = deps.now();
      await deps.deliveries.apply(key, sender.channel, acceptedStep(at, providerMessageId), facts);
      // SNS answers a push at once: that is all the receipt push has.
      if (sender.channel === 'push') await emitReceipts(deps, [receiptFromPushPublish(notice.noticeId, providerMessageId, new Date(at).toISOString())]);
      metrics.addMetric('NoticesHandedOver', MetricUnit.Count, 1);
      return;
    } catch (error) {
      if (error instanceof DeliveryDeferredError) throw error;
      const cls = classifySendError(sender.channel, error as { name?: string; message?: string; Reason?: string });
      if (cls.kind === 'throttled' && attempt < retries) {
        metrics.addMetric('DeliveryThrottled', MetricUnit.Count, 1);
        await sleep(backoff(attempt));
        continue;
      }
      if (cls.kind === 'refused') {
        const outcome: ReceiptOutcome = receiptFromRefusal(notice, cls, new Date(deps.now()).toISOString());
        await emitReceipts(deps, [outcome]);
        metrics.addMetric('DeliveryRefused', MetricUnit.Count, 1);
        logger.warn('provider refused a notice', { noticeId: notice.noticeId, channel: sender.channel, permanent: cls.permanent, reason: cls.reason });
        return;
      }
      await deps.deliveries.releaseSend(key, sender.channel);
      if (cls.kind === 'throttled') {
        pacer.throttled = true;
        throw new DeliveryDeferredError('THROTTLED', `still throttled after ${retries} retries: back to the queue`, { cause: error });
      }
      throw new DeliveryDeferredError('RETRY', `could not send now: ${cls.reason}`, { cause: error });
    }
  }
};

export const buildDeliverHandler = (deps: Dependencies, sender: ChannelSender, settings: DeliverSettings) => {
  return middy(async (event: SQSEvent, context: Context) => {
    const pacer = new Pacer(settings);
    // A processor per invocation: its state is per batch, and one handler may be invoked again before a call ends.
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(
      event,
      async (record: SQSRecord) => {
        try {
          await deliverOne(deps, sender, settings, pacer, record);
        } catch (error) {
          // Names and codes only: a provider's message may quote the address.
          logger.warn('notice not delivered now', {
            messageId: record.messageId,
            channel: sender.channel,
            error: (error as Error).name,
            code: (error as { code?: string }).code,
          });
          throw error;
        }
      },
      processor,
      { context, processInParallel: settings.parallel ?? false, throwOnFullBatchFailure: false },
    );
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
};
