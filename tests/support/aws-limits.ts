/**
 * aws-sdk-client-mock stand-ins for EventBridge, SQS, SNS, Scheduler, Secrets Manager, SES (v2) and End
 * User Messaging SMS. Every request is checked against the service's limits (entry counts, sizes, ids,
 * attribute types and names; SES recipients, parts and tags; SMS numbers, parts and context; push
 * endpoints and payloads) and recorded, so handler tests can pass captured jobs on and read what was sent.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ConflictException as SmsConflictException,
  PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
  ThrottlingException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { ConflictException, CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { MessageRejected, SESv2Client, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { EndpointDisabledException, PublishBatchCommand, PublishCommand, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { expect } from 'vitest';
import { smsLength } from '../../functions/domain/notices/sms.ts';

const KiB = 1024;
const bytes = (s: string | undefined) => Buffer.byteLength(s ?? '');
const ATTRIBUTE_NAME = /^(?!aws\.|amazon\.)[A-Za-z0-9_.-]{1,256}$/;

export interface Published {
  topicArn: string;
  message: Record<string, unknown>;
  attributes: Record<string, string>;
}

export interface SentEmail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  configurationSet: string;
  tags: Record<string, string[]>;
  messageId: string;
}

export interface SentText {
  to: string;
  body: string;
  originationIdentity: string;
  configurationSet: string;
  context: Record<string, string>;
  messageId: string;
}

export interface SentPush {
  targetArn: string;
  payload: Record<string, string>;
  messageId: string;
}

/** A delivery provider of the fakes: SES (e-mail), End User Messaging SMS, SNS mobile push. */
export type Provider = 'ses' | 'sms' | 'push';

export interface AwsFakes {
  events: { source: string; detailType: string; detail: Record<string, unknown> }[];
  emails: SentEmail[];
  texts: SentText[];
  pushes: SentPush[];
  /** The next `count` sends of a provider are throttled (the SDK error each service throws), once each. */
  throttleNext: (provider: Provider, count: number) => void;
  /** The next send of a provider is refused with a permanent error of that service (MessageRejected, opted-out number, disabled endpoint). */
  refuseNext: (provider: Provider) => void;
  /** Requests the providers refused or throttled, by provider (each also counted: none is recorded as sent). */
  refused: Record<Provider, number>;
  queued: { queueUrl: string; body: string; delaySeconds: number; group?: string }[];
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
  const fakes: AwsFakes = {
    events: [],
    emails: [],
    texts: [],
    pushes: [],
    throttleNext: () => {},
    refuseNext: () => {},
    refused: { ses: 0, sms: 0, push: 0 },
    queued: [],
    published: [],
    schedules: [],
    failNextPublishes: () => {},
    crashOnPublishBatch: () => {},
    failNextPutEvents: () => {},
    secrets: new Map(),
    secretReads: () => 0,
    restore: () => {},
  };
  let failing = 0;
  let failingEntries = { count: 0, errorCode: '' };
  fakes.failNextPutEvents = (count, errorCode) => (failingEntries = { count, errorCode });
  let crashIn = 0;
  fakes.failNextPublishes = (count) => (failing = count);
  fakes.crashOnPublishBatch = (nth) => (crashIn = nth);

  const eventBridge = mockClient(EventBridgeClient);
  eventBridge.on(PutEventsCommand).callsFake((input) => {
    expect(input.Entries.length, 'PutEvents takes at most 10 entries').toBeLessThanOrEqual(10);
    const total = input.Entries.reduce(
      (n: number, e: { Detail?: string; DetailType?: string; Source?: string }) => n + bytes(e.Detail) + bytes(e.DetailType) + bytes(e.Source),
      0,
    );
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
      if (String(input.QueueUrl).endsWith('.fifo')) {
        // FIFO queues: a group and a deduplication id on every message (no content-based dedupe), no per-message delay.
        expect(e.MessageGroupId, 'FIFO message group id').toMatch(/^[\w!"#$%&'()*+,\-./:;<=>?@[\\\]^`{|}~]{1,128}$/);
        expect(e.MessageDeduplicationId, 'FIFO deduplication id').toMatch(/^[\w!"#$%&'()*+,\-./:;<=>?@[\\\]^`{|}~]{1,128}$/);
        expect(e.DelaySeconds, 'FIFO queues take no per-message delay').toBeUndefined();
      } else expect(e.MessageGroupId, 'a standard queue message has no group').toBeUndefined();
      fakes.queued.push({
        queueUrl: input.QueueUrl,
        body: e.MessageBody,
        delaySeconds: e.DelaySeconds ?? 0,
        ...(e.MessageGroupId ? { group: e.MessageGroupId } : {}),
      });
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
    const total = entries.reduce(
      (n: number, e: { Message: string; MessageAttributes?: Record<string, { DataType: string; StringValue?: string }> }) =>
        n + bytes(e.Message) + Object.entries(e.MessageAttributes ?? {}).reduce((m, [k, v]) => m + bytes(k) + bytes(v.DataType) + bytes(v.StringValue), 0),
      0,
    );
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
  // Provider behaviour the tests ask for: throttling and refusals, each for the next sends of one provider.
  const throttled: Record<Provider, number> = { ses: 0, sms: 0, push: 0 };
  const refusing: Record<Provider, number> = { ses: 0, sms: 0, push: 0 };
  fakes.throttleNext = (provider, count) => (throttled[provider] = count);
  fakes.refuseNext = (provider) => (refusing[provider] = 1);
  const misbehave = (provider: Provider, throttle: () => Error, refuse: () => Error) => {
    if (throttled[provider] > 0) {
      throttled[provider]--;
      fakes.refused[provider]++;
      throw throttle();
    }
    if (refusing[provider] > 0) {
      refusing[provider]--;
      fakes.refused[provider]++;
      throw refuse();
    }
  };
  const meta = { $metadata: {} };

  sns.on(PublishCommand).callsFake((input) => {
    expect(bytes(input.Message)).toBeLessThanOrEqual(256 * KiB);
    if (input.TargetArn !== undefined) {
      // Mobile push: to a platform endpoint, one payload per platform, each within APNs' and FCM's 4 KB.
      expect(input.TopicArn, 'Publish names a topic or a target, not both').toBeUndefined();
      expect(input.TargetArn).toMatch(
        /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:endpoint\/(APNS|APNS_SANDBOX|GCM|ADM|BAIDU|WNS|MPNS|MACOS|MACOS_SANDBOX)\/[^/]{1,256}\/[A-Za-z0-9-]{1,64}$/,
      );
      expect(input.MessageStructure).toBe('json');
      const payload = JSON.parse(input.Message) as Record<string, string>;
      expect(typeof payload.default, 'a json message has a default').toBe('string');
      for (const [platform, body] of Object.entries(payload)) {
        expect(typeof body, platform).toBe('string');
        expect(bytes(body), `${platform} payload within 4 KB`).toBeLessThanOrEqual(4 * KiB);
        if (platform !== 'default') JSON.parse(body);
      }
      misbehave(
        'push',
        () => new ThrottledException({ message: 'Rate exceeded', ...meta }),
        () => new EndpointDisabledException({ message: 'Endpoint is disabled', ...meta }),
      );
      fakes.pushes.push({ targetArn: input.TargetArn, payload, messageId: `push-${fakes.pushes.length + 1}` });
      return { MessageId: `push-${fakes.pushes.length}` };
    }
    fakes.published.push({ topicArn: input.TopicArn, message: JSON.parse(input.Message), attributes: checkAttributes(input.MessageAttributes) });
    return { MessageId: `sns-${fakes.published.length}` };
  });

  const ses = mockClient(SESv2Client);
  const TAG = /^[A-Za-z0-9_-]{1,256}$/;
  ses.on(SendEmailCommand).callsFake((input) => {
    expect(input.FromEmailAddress, 'a sender').toMatch(/^[^\s@]+@[^\s@]+$/);
    const to = input.Destination?.ToAddresses ?? [];
    const recipients = to.length + (input.Destination?.CcAddresses?.length ?? 0) + (input.Destination?.BccAddresses?.length ?? 0);
    expect(recipients, 'SES takes 1 to 50 recipients a message').toBeGreaterThanOrEqual(1);
    expect(recipients).toBeLessThanOrEqual(50);
    for (const address of to) expect(address).toMatch(/^[^\s@]+@[^\s@]+$/);
    const simple = input.Content?.Simple;
    expect(simple, 'Simple content').toBeDefined();
    const subject = simple!.Subject?.Data ?? '';
    expect(subject.length, 'a subject').toBeGreaterThan(0);
    expect(subject, 'a subject is one header line').not.toMatch(/[\r\n]/);
    expect(simple!.Body?.Text?.Data, 'a plain-text part').toBeTruthy();
    expect(simple!.Body?.Html?.Data, 'an HTML part').toBeTruthy();
    const size = Math.ceil(((bytes(subject) + bytes(simple!.Body?.Text?.Data) + bytes(simple!.Body?.Html?.Data)) * 4) / 3);
    expect(size, 'message within 40 MB after base64').toBeLessThanOrEqual(40 * 1024 * KiB);
    expect(input.ConfigurationSetName, 'a configuration set (receipts)').toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    const tags = input.EmailTags ?? [];
    expect(tags.length).toBeLessThanOrEqual(50);
    for (const tag of tags) {
      expect(tag.Name).toMatch(TAG);
      expect(tag.Value).toMatch(TAG);
    }
    misbehave(
      'ses',
      () => new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', ...meta }),
      () => new MessageRejected({ message: `Email address is not verified: ${to[0]}`, ...meta }),
    );
    const messageId = `ses-${fakes.emails.length + 1}`;
    fakes.emails.push({
      from: input.FromEmailAddress!,
      to,
      subject,
      text: simple!.Body!.Text!.Data!,
      html: simple!.Body?.Html?.Data,
      configurationSet: input.ConfigurationSetName!,
      tags: Object.fromEntries(tags.map((t: { Name: string; Value: string }) => [t.Name, [t.Value]])),
      messageId,
    });
    return { MessageId: messageId };
  });

  const sms = mockClient(PinpointSMSVoiceV2Client);
  sms.on(SendTextMessageCommand).callsFake((input) => {
    expect(input.DestinationPhoneNumber, 'destination in E.164').toMatch(/^\+[1-9]\d{1,14}$/);
    expect(input.MessageBody?.length ?? 0, 'a body of 1 to 1600 characters').toBeGreaterThan(0);
    expect(input.MessageBody!.length).toBeLessThanOrEqual(1600);
    expect(smsLength(input.MessageBody!).segments, 'at most 2 parts').toBeLessThanOrEqual(2);
    expect(input.OriginationIdentity, 'an origination identity').toMatch(/^[A-Za-z0-9_:/+-]{1,256}$/);
    expect(input.ConfigurationSetName, 'a configuration set (receipts)').toMatch(/^[A-Za-z0-9_:/-]{1,256}$/);
    expect(['TRANSACTIONAL', 'PROMOTIONAL']).toContain(input.MessageType);
    const context = input.Context ?? {};
    expect(Object.keys(context).length, 'at most 5 context entries').toBeLessThanOrEqual(5);
    for (const [key, value] of Object.entries(context)) {
      expect(key).toMatch(/^\S{1,100}$/);
      expect(String(value)).toMatch(/^\S[\s\S]{0,798}$/);
    }
    misbehave(
      'sms',
      () => new ThrottlingException({ message: 'Rate exceeded', ...meta }),
      () => new SmsConflictException({ message: 'The destination phone number opted out', Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT', ...meta }),
    );
    const messageId = `sms-${fakes.texts.length + 1}`;
    fakes.texts.push({
      to: input.DestinationPhoneNumber!,
      body: input.MessageBody!,
      originationIdentity: input.OriginationIdentity!,
      configurationSet: input.ConfigurationSetName!,
      context: context as Record<string, string>,
      messageId,
    });
    return { MessageId: messageId };
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
    ses.restore();
    sms.restore();
    secretsManager.restore();
    eventBridge.restore();
    sqs.restore();
    sns.restore();
    scheduler.restore();
  };
  return fakes;
};
