/**
 * aws-sdk-client-mock stand-ins for EventBridge, SQS, SNS, Scheduler and Secrets Manager. Every request is checked
 * against the service's limits (entry counts, sizes, ids, attribute types and names) and recorded,
 * so handler tests can pass captured jobs on and read what was published.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ConflictException, CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { expect } from 'vitest';

const KiB = 1024;
const bytes = (s: string | undefined) => Buffer.byteLength(s ?? '');
const ATTRIBUTE_NAME = /^(?!aws\.|amazon\.)[A-Za-z0-9_.-]{1,256}$/;

export interface Published {
  topicArn: string;
  message: Record<string, unknown>;
  attributes: Record<string, string>;
}

export interface AwsFakes {
  events: { source: string; detailType: string; detail: Record<string, unknown> }[];
  queued: { queueUrl: string; body: string; delaySeconds: number }[];
  published: Published[];
  schedules: { name: string; at: string; input: string }[];
  /** Makes the next `count` PublishBatch entries fail once each (as SNS reports in `Failed`). */
  failNextPublishes: (count: number) => void;
  /** The `nth` PublishBatch call from now throws (the worker dies mid-batch), once. */
  crashOnPublishBatch: (nth: number) => void;
  /** Makes the next `count` PutEvents entries fail with `errorCode` (as EventBridge reports them: HTTP 200, per entry). */
  failNextPutEvents: (count: number, errorCode: string) => void;
  /** Secrets Manager's secrets by id (ARN or name) and their string values; tests put them here. */
  secrets: Map<string, string>;
  /** GetSecretValue calls made (a cache in front of Secrets Manager should keep this low). */
  secretReads: () => number;
  restore: () => void;
}

export const fakeAws = (): AwsFakes => {
  const fakes: AwsFakes = { events: [], queued: [], published: [], schedules: [], failNextPublishes: () => {}, crashOnPublishBatch: () => {}, failNextPutEvents: () => {}, secrets: new Map(), secretReads: () => 0, restore: () => {} };
  let failing = 0;
  let failingEntries = { count: 0, errorCode: '' };
  fakes.failNextPutEvents = (count, errorCode) => (failingEntries = { count, errorCode });
  let crashIn = 0;
  fakes.failNextPublishes = (count) => (failing = count);
  fakes.crashOnPublishBatch = (nth) => (crashIn = nth);

  const eventBridge = mockClient(EventBridgeClient);
  eventBridge.on(PutEventsCommand).callsFake((input) => {
    expect(input.Entries.length, 'PutEvents takes at most 10 entries').toBeLessThanOrEqual(10);
    const total = input.Entries.reduce((n: number, e: { Detail?: string; DetailType?: string; Source?: string }) => n + bytes(e.Detail) + bytes(e.DetailType) + bytes(e.Source), 0);
    expect(total, 'PutEvents request under 256 KB').toBeLessThanOrEqual(256 * KiB);
    const results = input.Entries.map((e: { Source?: string; DetailType?: string; Detail: string; EventBusName?: string }, i: number) => {
      expect(e.Source && e.DetailType && e.Detail && e.EventBusName, 'entry has source, detail-type, detail, bus').toBeTruthy();
      if (failingEntries.count > 0) {
        failingEntries.count--;
        return { ErrorCode: failingEntries.errorCode, ErrorMessage: `injected ${failingEntries.errorCode}` };
      }
      expect(e.Source, 'PutEvents refuses aws.* sources from clients').not.toMatch(/^aws\./);
      fakes.events.push({ source: e.Source!, detailType: e.DetailType!, detail: JSON.parse(e.Detail) });
      return { EventId: `ev-${fakes.events.length}-${i}` };
    });
    return { FailedEntryCount: results.filter((r: { ErrorCode?: string }) => r.ErrorCode).length, Entries: results };
  });

  const sqs = mockClient(SQSClient);
  let sqsIds = 0;
  sqs.on(SendMessageBatchCommand).callsFake((input) => {
    expect(input.Entries.length, 'SendMessageBatch takes at most 10 entries').toBeLessThanOrEqual(10);
    expect(new Set(input.Entries.map((e: { Id: string }) => e.Id)).size, 'batch entry ids unique').toBe(input.Entries.length);
    const total = input.Entries.reduce((n: number, e: { MessageBody: string }) => n + bytes(e.MessageBody), 0);
    expect(total, 'SendMessageBatch payload at most 256 KiB').toBeLessThanOrEqual(256 * KiB);
    for (const e of input.Entries) {
      expect(e.Id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
      expect(e.DelaySeconds ?? 0).toBeGreaterThanOrEqual(0);
      expect(e.DelaySeconds ?? 0).toBeLessThanOrEqual(900);
      fakes.queued.push({ queueUrl: input.QueueUrl, body: e.MessageBody, delaySeconds: e.DelaySeconds ?? 0 });
    }
    return { Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: `msg-${++sqsIds}`, MD5OfMessageBody: 'x' })), Failed: [] };
  });
  sqs.on(SendMessageCommand).callsFake((input) => {
    expect(bytes(input.MessageBody)).toBeLessThanOrEqual(256 * KiB);
    fakes.queued.push({ queueUrl: input.QueueUrl, body: input.MessageBody, delaySeconds: input.DelaySeconds ?? 0 });
    return { MessageId: `msg-${++sqsIds}` };
  });

  const checkAttributes = (attributes: Record<string, { DataType: string; StringValue?: string }> = {}) => {
    expect(Object.keys(attributes).length, 'at most 10 message attributes').toBeLessThanOrEqual(10);
    for (const [name, value] of Object.entries(attributes)) {
      expect(name).toMatch(ATTRIBUTE_NAME);
      expect(value.DataType, `attribute ${name} is a String`).toBe('String');
      expect(value.StringValue, `attribute ${name} has a value`).toBeTruthy();
    }
    return Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, v.StringValue!]));
  };
  const sns = mockClient(SNSClient);
  sns.on(PublishBatchCommand).callsFake((input) => {
    const entries = input.PublishBatchRequestEntries;
    if (crashIn > 0 && --crashIn === 0) throw new Error('worker died (injected)');
    expect(entries.length, 'PublishBatch takes at most 10 entries').toBeLessThanOrEqual(10);
    expect(new Set(entries.map((e: { Id: string }) => e.Id)).size, 'PublishBatch ids unique').toBe(entries.length);
    const total = entries.reduce((n: number, e: { Message: string; MessageAttributes?: Record<string, { DataType: string; StringValue?: string }> }) => n + bytes(e.Message) + Object.entries(e.MessageAttributes ?? {}).reduce((m, [k, v]) => m + bytes(k) + bytes(v.DataType) + bytes(v.StringValue), 0), 0);
    expect(total, 'PublishBatch payload at most 256 KiB').toBeLessThanOrEqual(256 * KiB);
    const Successful: { Id: string; MessageId: string }[] = [];
    const Failed: { Id: string; Code: string; Message: string; SenderFault: boolean }[] = [];
    for (const e of entries) {
      expect(e.Id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
      const attributes = checkAttributes(e.MessageAttributes);
      if (failing > 0) {
        failing--;
        Failed.push({ Id: e.Id, Code: 'InternalError', Message: 'injected', SenderFault: false });
        continue;
      }
      fakes.published.push({ topicArn: input.TopicArn, message: JSON.parse(e.Message), attributes });
      Successful.push({ Id: e.Id, MessageId: `sns-${fakes.published.length}` });
    }
    return { Successful, Failed };
  });
  sns.on(PublishCommand).callsFake((input) => {
    expect(bytes(input.Message)).toBeLessThanOrEqual(256 * KiB);
    fakes.published.push({ topicArn: input.TopicArn, message: JSON.parse(input.Message), attributes: checkAttributes(input.MessageAttributes) });
    return { MessageId: `sns-${fakes.published.length}` };
  });

  const scheduler = mockClient(SchedulerClient);
  const names = new Set<string>();
  scheduler.on(CreateScheduleCommand).callsFake((input) => {
    expect(input.Name).toMatch(/^[0-9a-zA-Z-_.]{1,64}$/);
    expect(input.ScheduleExpression).toMatch(/^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/);
    if (names.has(input.Name)) {
      throw new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} });
    }
    names.add(input.Name);
    fakes.schedules.push({ name: input.Name, at: input.ScheduleExpression, input: input.Target.Input });
    return { ScheduleArn: `arn:aws:scheduler:::schedule/${input.Name}` };
  });

  const secretsManager = mockClient(SecretsManagerClient);
  let secretReads = 0;
  fakes.secretReads = () => secretReads;
  secretsManager.on(GetSecretValueCommand).callsFake((input) => {
    secretReads++;
    // GetSecretValue: SecretId 1-2048 characters (name or ARN); VersionId 32-64; VersionStage 1-256.
    expect(input.SecretId.length, 'SecretId 1-2048 characters').toBeGreaterThanOrEqual(1);
    expect(input.SecretId.length, 'SecretId 1-2048 characters').toBeLessThanOrEqual(2048);
    if (input.VersionId !== undefined) expect(input.VersionId.length).toBeGreaterThanOrEqual(32);
    if (input.VersionStage !== undefined) expect(input.VersionStage.length).toBeLessThanOrEqual(256);
    const value = fakes.secrets.get(input.SecretId);
    if (value === undefined) throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} });
    expect(bytes(value), 'a secret value is at most 64 KB').toBeLessThanOrEqual(64 * KiB);
    return { ARN: input.SecretId, Name: input.SecretId, SecretString: value, VersionId: '00000000-0000-0000-0000-000000000001', VersionStages: ['AWSCURRENT'] };
  });

  fakes.restore = () => {
    secretsManager.restore();
    eventBridge.restore();
    sqs.restore();
    sns.restore();
    scheduler.restore();
  };
  return fakes;
};
