/**
 * Drives the real handlers the way AWS would: ingest events, turn new event-store items into
 * DynamoDB stream records for assess, hand queued jobs to notify as SQS records.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import type { CustomerNoticeBody } from '../../functions/domain/notices/messages.ts';
import { buildAssessHandler } from '../../functions/handlers/assess.ts';
import { buildIngestHandler } from '../../functions/handlers/ingest.ts';
import { buildNotifyHandler } from '../../functions/handlers/notify.ts';
import { buildPlanHandler } from '../../functions/handlers/plan.ts';
import { buildRemindHandler } from '../../functions/handlers/remind.ts';
import { buildDependencies, type Dependencies } from '../../functions/handlers/shared/dependencies.ts';
import { fakeAws, type AwsFakes } from './aws-limits.ts';
import { freshTables } from './dynamodb.ts';

export const context = { functionName: 'test', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

export const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/notices';
export const DLQ = 'https://sqs.eu-west-1.amazonaws.com/123456789012/notices-dlq';
export const PLAN_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/plan.fifo';
export const NOTICES = 'arn:aws:sns:eu-west-1:123456789012:customer-notices';
export const BRIEFINGS = 'arn:aws:sns:eu-west-1:123456789012:support-briefings';

export const pipeline = async (now: () => number) => {
  const aws: AwsFakes = fakeAws();
  const { client, tables } = await freshTables();
  const region = { region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  const deps: Dependencies = buildDependencies(
    {
      dynamodb: client,
      eventBridge: new EventBridgeClient(region),
      sqs: new SQSClient(region),
      sns: new SNSClient(region),
      scheduler: new SchedulerClient(region),
    },
    {
      tables,
      busName: 'impact',
      busArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/impact',
      noticeQueueUrl: QUEUE,
      planQueueUrl: PLAN_QUEUE,
      noticeDlqUrl: DLQ,
      customerNoticesTopicArn: NOTICES,
      supportBriefingsTopicArn: BRIEFINGS,
      schedulerGroupName: 'impact',
      schedulerRoleArn: 'arn:aws:iam::123456789012:role/scheduler',
    },
    { reminderOffsetsHours: [24, 1], incidentCadenceMinutes: 60, snsMessagesPerSecond: 100_000 },
    now,
  );
  const ingest = buildIngestHandler(deps);
  const assess = buildAssessHandler(deps);
  const notify = buildNotifyHandler(deps);
  const plan = buildPlanHandler(deps);
  const remind = buildRemindHandler(deps);
  const streamed = new Set<string>();
  // Queued jobs become due at the pipeline's clock when queued plus their SQS delay (quiet hours, the
  // merge window and pacing defer notices that way); a drain hands over only the due ones.
  const dueAt: number[] = [];
  const handedOver = new Set<number>();
  const stamp = () => {
    for (let i = dueAt.length; i < aws.queued.length; i++) dueAt.push(now() + aws.queued[i].delaySeconds * 1000);
  };
  let sqsMessageIds = 0;

  /** Event-store items not yet streamed, as one DynamoDB stream batch (INSERT, NEW_IMAGE). */
  const streamBatch = async (): Promise<DynamoDBStreamEvent> => {
    const out = await client.send(new ScanCommand({ TableName: tables.events, ConsistentRead: true }));
    const fresh = (out.Items ?? [])
      .filter((i) => i.kind === 'event' && !streamed.has(`${i.pk}/${i.sk}`))
      .sort((a, b) => Number(a.recordedAt) - Number(b.recordedAt) || Number(a.version) - Number(b.version));
    for (const i of fresh) streamed.add(`${i.pk}/${i.sk}`);
    return {
      Records: fresh.map((item, n) => ({
        eventID: `${n}`,
        eventName: 'INSERT' as const,
        eventSource: 'aws:dynamodb',
        awsRegion: 'eu-west-1',
        dynamodb: {
          Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
          NewImage: marshall(item, { removeUndefinedValues: true }) as never,
          SequenceNumber: `${n}`,
          StreamViewType: 'NEW_IMAGE' as const,
        },
      })),
    };
  };

  /** Jobs queued (to the notice queue, or the planning queue) and due by now, not handed over before, as SQS batches of up to 10 in queued order. */
  const jobBatches = (queueUrl = QUEUE): SQSEvent[] => {
    stamp();
    const fresh: AwsFakes['queued'] = [];
    aws.queued.forEach((q, i) => {
      if (q.queueUrl !== queueUrl || handedOver.has(i) || dueAt[i] > now()) return;
      handedOver.add(i);
      fresh.push(q);
    });
    const batches: SQSEvent[] = [];
    for (let i = 0; i < fresh.length; i += 10) {
      batches.push({
        Records: fresh.slice(i, i + 10).map((q) => ({
          messageId: `m-${++sqsMessageIds}`,
          receiptHandle: 'r',
          body: q.body,
          attributes: (q.group ? { MessageGroupId: q.group } : {}) as never,
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${queueUrl.split('/').pop()}`,
          awsRegion: 'eu-west-1',
        })),
      });
    }
    return batches;
  };

  /** Runs stream -> assess -> jobs -> notify until nothing is left that is due; returns partial-batch failures. */
  const drain = async (): Promise<number> => {
    let failures = 0;
    for (;;) {
      const batch = await streamBatch();
      if (batch.Records.length > 0) failures += (await assess(batch, context)).batchItemFailures.length;
      stamp();
      // The planner's shards (FIFO, in queued order), then the notice jobs they queued.
      const plans = jobBatches(PLAN_QUEUE);
      for (const sqsEvent of plans) {
        failures += (await plan(sqsEvent, context)).batchItemFailures.length;
        stamp();
      }
      const jobs = jobBatches();
      for (const sqsEvent of jobs) {
        failures += (await notify(sqsEvent, context)).batchItemFailures.length;
        stamp();
      }
      if (batch.Records.length === 0 && plans.length === 0 && jobs.length === 0) return failures;
    }
  };

  return { aws, deps, client, tables, ingest, assess, notify, plan, remind, drain, streamBatch, jobBatches };
};

/** Customer notices published so far (message bodies). */
export const noticesOf = (aws: AwsFakes) => aws.published.filter((p) => p.topicArn === NOTICES).map((p) => p.message as unknown as CustomerNoticeBody);
