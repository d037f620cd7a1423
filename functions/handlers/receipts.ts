/**
 * receipts (asynchronous: EventBridge rules and an SNS subscription): what became of customer notices.
 * - SES events (the configuration set's EventBridge destination on the default bus, forwarded to the
 *   impact bus) and SMS events (the configuration set's SNS destination) are mapped to `Notice
 *   Delivered` / `Notice Failed` (domain/delivery/receipts.ts) and put on the impact bus;
 * - those receipts (and the ones the deliver functions emit for push and refusals) come back here by
 *   their own rule and are applied (shared/receipts.ts): the notice's delivery state and the subject's
 *   counters, the contact's mark, the fallback on the next channel.
 * A receipt twice, or receipts out of order, end in the same state. Contact details in provider events
 * are never copied, stored or logged.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, EventBridgeEvent, SNSEvent } from 'aws-lambda';
import { receiptFromSes, receiptFromSms, SES_SOURCE } from '../domain/delivery/receipts.ts';
import { PIPELINE_SOURCE, RECEIPT_DETAIL_TYPES, RECEIPT_SCHEMAS, type NoticeReceipt, type ReceiptDetailType } from '../domain/events/schemas.ts';
import { fromEnvironment, type Dependencies } from './shared/dependencies.ts';
import { logger, metrics, tracer } from './shared/powertools.ts';
import { emitReceipts } from './shared/emit-receipts.ts';
import { applyReceipt } from './shared/receipts.ts';

export type ReceiptInput = EventBridgeEvent<string, unknown> | SNSEvent;

const isSns = (event: ReceiptInput): event is SNSEvent => Array.isArray((event as SNSEvent).Records);
const isReceiptType = (value: string): value is ReceiptDetailType => (RECEIPT_DETAIL_TYPES as readonly string[]).includes(value);

export const handleReceipts = async (deps: Dependencies, event: ReceiptInput): Promise<{ emitted: number; applied: number }> => {
  if (isSns(event)) {
    // End User Messaging SMS: one SNS record per event of the configuration set's destination.
    const outcomes = event.Records.map((r) => {
      let message: unknown;
      try {
        message = JSON.parse(r.Sns.Message);
      } catch {
        return { ignored: 'the SNS message is not JSON' };
      }
      return receiptFromSms(message, r.Sns.Timestamp);
    });
    return { emitted: await emitReceipts(deps, outcomes), applied: 0 };
  }
  if (event.source === SES_SOURCE) return { emitted: await emitReceipts(deps, [receiptFromSes(event)]), applied: 0 };
  const detailType = event['detail-type'];
  if (event.source !== PIPELINE_SOURCE || !isReceiptType(detailType)) {
    logger.warn('not a receipt: ignored', { source: event.source, detailType });
    metrics.addMetric('ReceiptsRejected', MetricUnit.Count, 1);
    return { emitted: 0, applied: 0 };
  }
  const parsed = RECEIPT_SCHEMAS[detailType].safeParse(event.detail);
  if (!parsed.success) {
    // A receipt we cannot read changes nothing; the field names say what was wrong (values may be anything).
    logger.warn('receipt refused', { detailType, fields: parsed.error.issues.map((i) => i.path.join('.')) });
    metrics.addMetric('ReceiptsRejected', MetricUnit.Count, 1);
    return { emitted: 0, applied: 0 };
  }
  const changed = await applyReceipt(deps, { detailType, ...parsed.data } as NoticeReceipt);
  return { emitted: 0, applied: changed ? 1 : 0 };
};

export const buildReceiptsHandler = (deps: Dependencies) =>
  middy((event: ReceiptInput, _context: Context) => handleReceipts(deps, event))
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));

let lazy: ReturnType<typeof buildReceiptsHandler> | undefined;
export const handler = (event: ReceiptInput, context: Context) => (lazy ??= buildReceiptsHandler(fromEnvironment()))(event, context);
