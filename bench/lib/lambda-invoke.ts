/**
 * One Lambda invocation in this process (started by bench/lib/lambda.ts under the function's memory
 * cap): `assess` appends a sev1 incident on infra-0 and hands its stream record to the assess
 * handler, which queues one planning job per customer shard; `plan <shard>` hands that shard's job to
 * the plan handler (one FIFO message, as the stack maps them), which queues the shard's notice jobs;
 * `notify` hands the first SQS batch (5 jobs, as the stack maps them) that plan queued to the notify
 * handler. Files next to `jobsFile` carry the queued bodies from one invocation to the next. Prints one
 * JSON line: time, peak RSS, what was queued or published.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { Context, DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV } from '../../lib/environment.ts';
import { tableNames } from '../../lib/tables.ts';
import { documentClient } from '../../functions/adapters/dynamodb/client.ts';
import { versionKey } from '../../functions/adapters/event-store.ts';
import { EventStore } from '../../functions/adapters/event-store.ts';
import { parseEvent } from '../../functions/domain/events/index.ts';

const [role, jobsFile, shardArg] = process.argv.slice(2);
const planFile = `${jobsFile}.plan`;
const PLAN_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/plan.fifo';
const tables = tableNames('');
const region = 'eu-west-1';
Object.assign(process.env, {
  [ENV.eventsTable]: tables.events,
  [ENV.graphTable]: tables.graph,
  [ENV.impactsTable]: tables.impacts,
  [ENV.contactsTable]: tables.contacts,
  [ENV.eventBusName]: 'impact',
  [ENV.eventBusArn]: `arn:aws:events:${region}:123456789012:event-bus/impact`,
  [ENV.noticeQueueUrl]: `https://sqs.${region}.amazonaws.com/123456789012/jobs`,
  [ENV.planQueueUrl]: PLAN_QUEUE,
  [ENV.noticeDlqUrl]: `https://sqs.${region}.amazonaws.com/123456789012/jobs-dlq`,
  [ENV.customerNoticesTopicArn]: `arn:aws:sns:${region}:123456789012:customer-notices`,
  [ENV.supportBriefingsTopicArn]: `arn:aws:sns:${region}:123456789012:support-briefings`,
  [ENV.schedulerGroupName]: 'impact',
  [ENV.schedulerRoleArn]: 'arn:aws:iam::123456789012:role/scheduler',
});

// What SQS would hold: every planning job (for plan), the first notice jobs (for notify), the rest only counted.
const queued: string[] = [];
const planJobs: string[] = [];
let messages = 0;
const jobBytes = { total: 0, max: 0, jobs: 0 };
mockClient(SQSClient)
  .on(SendMessageBatchCommand)
  .callsFake((input) => {
    for (const e of input.Entries ?? []) {
      messages++;
      if (input.QueueUrl === PLAN_QUEUE) {
        planJobs.push(e.MessageBody ?? '');
        continue;
      }
      if (e.MessageBody?.includes('"briefing"')) continue;
      const bytes = Buffer.byteLength(e.MessageBody ?? '');
      [jobBytes.total, jobBytes.max, jobBytes.jobs] = [jobBytes.total + bytes, Math.max(jobBytes.max, bytes), jobBytes.jobs + 1];
      if (queued.length < 5) queued.push(e.MessageBody ?? '');
    }
    return { Successful: (input.Entries ?? []).map((e: { Id: string }) => ({ Id: e.Id, MessageId: randomUUID(), MD5OfMessageBody: '' })), Failed: [] };
  })
  .on(SendMessageCommand)
  .callsFake(() => (messages++, { MessageId: randomUUID() }));
let published = 0;
mockClient(SNSClient)
  .on(PublishBatchCommand)
  .callsFake(
    (input) => (
      (published += input.PublishBatchRequestEntries.length),
      { Successful: input.PublishBatchRequestEntries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: randomUUID() })), Failed: [] }
    ),
  )
  .on(PublishCommand)
  .callsFake(() => (published++, { MessageId: randomUUID() }));
mockClient(EventBridgeClient)
  .on(PutEventsCommand)
  .callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: randomUUID() })) }));
mockClient(SchedulerClient).on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/impact/x' });

const deadline = Date.now() + Number(process.env.TIMEOUT_MS);
const context = { functionName: role, awsRequestId: randomUUID(), getRemainingTimeInMillis: () => deadline - Date.now() } as unknown as Context;
const started = performance.now();
let note: string;
if (role === 'assess') {
  // The event as ingest appends it, and the stream record DynamoDB hands the function for it.
  const events = new EventStore(documentClient(), tables.events);
  const event = parseEvent(
    {
      'detail-type': 'Incident Opened',
      detail: { incidentId: `INC-LAMBDA-${Date.now()}`, title: 'Delta day, under the deployed limits', severity: 'sev1', impacts: [{ node: 'infra-0' }] },
    },
    { receivedAt: Date.now() },
  );
  const appended = await events.append(event);
  if (appended.status !== 'appended') throw new Error('the bench incident was not appended');
  const key = { pk: `incident#${event.subjectId}`, sk: versionKey(appended.version) };
  const { Item } = await documentClient().send(new GetCommand({ TableName: tables.events, Key: key }));
  const record = {
    eventID: '1',
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: { Keys: marshall(key), NewImage: marshall(Item!), SequenceNumber: '1', StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
  const { handler } = await import('../../functions/handlers/assess.ts');
  const t = performance.now();
  const out = await handler({ Records: [record] } as DynamoDBStreamEvent, context);
  note = `${planJobs.length} planning jobs queued, ${out.batchItemFailures.length} failed records, handler ${((performance.now() - t) / 1000).toFixed(1)} s`;
  writeFileSync(planFile, JSON.stringify(planJobs));
} else if (role === 'plan') {
  // The shard's job as the FIFO queue hands it over: its group is the subject's shard.
  const body = (JSON.parse(readFileSync(planFile, 'utf8')) as string[])[Number(shardArg)];
  const job = JSON.parse(body) as { subjectKey: string; shard: number };
  const attributes = {
    ApproximateReceiveCount: '1',
    SentTimestamp: String(Date.now()),
    SenderId: 'bench',
    ApproximateFirstReceiveTimestamp: String(Date.now()),
    MessageGroupId: `${job.subjectKey}#${job.shard}`,
    MessageDeduplicationId: randomUUID(),
  };
  const event = {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: 'r0',
        body,
        attributes,
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${region}:123456789012:plan.fifo`,
        awsRegion: region,
      },
    ],
  } as SQSEvent;
  const { handler } = await import('../../functions/handlers/plan.ts');
  const t = performance.now();
  const out = (await handler(event, context)) as { batchItemFailures: unknown[] };
  const jobSize = jobBytes.jobs ? `notice jobs ${Math.round(jobBytes.total / jobBytes.jobs)} B avg, ${jobBytes.max} B max` : 'no notice job';
  note = `shard ${job.shard}: ${messages} SQS messages queued (${jobSize}), ${out.batchItemFailures.length} failed, handler ${((performance.now() - t) / 1000).toFixed(1)} s`;
  if (queued.length > 0) writeFileSync(jobsFile, JSON.stringify(queued));
} else {
  const bodies = JSON.parse(readFileSync(jobsFile, 'utf8')) as string[];
  const event = {
    Records: bodies.map((body, i) => ({
      messageId: randomUUID(),
      receiptHandle: `r${i}`,
      body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'bench', ApproximateFirstReceiveTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${region}:123456789012:jobs`,
      awsRegion: region,
    })),
  } as SQSEvent;
  const { handler } = await import('../../functions/handlers/notify.ts');
  const out = (await handler(event, context)) as { batchItemFailures: unknown[] };
  note = `${bodies.length} jobs, ${published} notices published, ${out.batchItemFailures.length} failed`;
}
// The kernel's high-water mark of this process's memory (VmHWM). Not getrusage's maxRSS: Linux carries
// that across execve, so it starts at the RSS of the bench process this one was forked from.
const vmHwmKb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000, maxRssMb: vmHwmKb / 1024, note })}\n`);
process.exit(0);
