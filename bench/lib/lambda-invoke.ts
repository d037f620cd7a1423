/**
 * One Lambda invocation in this process (started by bench/lib/lambda.ts under the function's memory
 * cap): `assess` appends a sev1 incident on infra-0 and hands its stream record to the assess
 * handler; `notify` hands the first SQS batch (5 jobs, as the stack maps them) that assess queued to
 * the notify handler. Prints one JSON line: time, peak RSS, what was queued or published.
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

const [role, jobsFile] = process.argv.slice(2);
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
  [ENV.noticeDlqUrl]: `https://sqs.${region}.amazonaws.com/123456789012/jobs-dlq`,
  [ENV.customerNoticesTopicArn]: `arn:aws:sns:${region}:123456789012:customer-notices`,
  [ENV.supportBriefingsTopicArn]: `arn:aws:sns:${region}:123456789012:support-briefings`,
  [ENV.schedulerGroupName]: 'impact',
  [ENV.schedulerRoleArn]: 'arn:aws:iam::123456789012:role/scheduler',
});

// What SQS would hold: the first notice jobs are kept for notify, the rest only counted.
const queued: string[] = [];
let messages = 0;
const jobBytes = { total: 0, max: 0, jobs: 0 };
mockClient(SQSClient)
  .on(SendMessageBatchCommand)
  .callsFake((input) => {
    for (const e of input.Entries ?? []) {
      messages++;
      if (e.MessageBody?.includes('"briefing"')) continue;
      const bytes = Buffer.byteLength(e.MessageBody ?? '');
      [jobBytes.total, jobBytes.max, jobBytes.jobs] = [jobBytes.total + bytes, Math.max(jobBytes.max, bytes), jobBytes.jobs + 1];
      if (queued.length < 5) queued.push(e.MessageBody ?? '');
    }
    return { Successful: (input.Entries ?? []).map((e: { Id: string }) => ({ Id: e.Id, MessageId: randomUUID(), MD5OfMessageBody: '' })), Failed: [] };
  })
  .on(SendMessageCommand)
  .callsFake(() => ((messages++), { MessageId: randomUUID() }));
let published = 0;
mockClient(SNSClient)
  .on(PublishBatchCommand)
  .callsFake((input) => ((published += input.PublishBatchRequestEntries.length), { Successful: input.PublishBatchRequestEntries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: randomUUID() })), Failed: [] }))
  .on(PublishCommand)
  .callsFake(() => ((published++), { MessageId: randomUUID() }));
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
  const event = parseEvent({ 'detail-type': 'Incident Opened', detail: { incidentId: `INC-LAMBDA-${Date.now()}`, title: 'Delta day, under the deployed limits', severity: 'sev1', impacts: [{ node: 'infra-0' }] } }, { receivedAt: Date.now() });
  const appended = await events.append(event);
  if (appended.status !== 'appended') throw new Error('the bench incident was not appended');
  const key = { pk: `incident#${event.subjectId}`, sk: versionKey(appended.version) };
  const { Item } = await documentClient().send(new GetCommand({ TableName: tables.events, Key: key }));
  const record = { eventID: '1', eventName: 'INSERT', eventSource: 'aws:dynamodb', awsRegion: region, dynamodb: { Keys: marshall(key), NewImage: marshall(Item!), SequenceNumber: '1', StreamViewType: 'NEW_AND_OLD_IMAGES' } };
  const { handler } = await import('../../functions/handlers/assess.ts');
  const t = performance.now();
  const out = await handler({ Records: [record] } as DynamoDBStreamEvent, context);
  const jobSize = jobBytes.jobs ? `notice jobs ${Math.round(jobBytes.total / jobBytes.jobs)} B avg, ${jobBytes.max} B max` : 'no notice job';
  note = `${messages} SQS messages queued (${jobSize}), ${out.batchItemFailures.length} failed records, handler ${((performance.now() - t) / 1000).toFixed(1)} s`;
  writeFileSync(jobsFile, JSON.stringify(queued));
} else {
  const bodies = JSON.parse(readFileSync(jobsFile, 'utf8')) as string[];
  const event = { Records: bodies.map((body, i) => ({ messageId: randomUUID(), receiptHandle: `r${i}`, body, attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'bench', ApproximateFirstReceiveTimestamp: String(Date.now()) }, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: `arn:aws:sqs:${region}:123456789012:jobs`, awsRegion: region })) } as SQSEvent;
  const { handler } = await import('../../functions/handlers/notify.ts');
  const out = (await handler(event, context)) as { batchItemFailures: unknown[] };
  note = `${bodies.length} jobs, ${published} notices published, ${out.batchItemFailures.length} failed`;
}
process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, note })}\n`);
process.exit(0);
