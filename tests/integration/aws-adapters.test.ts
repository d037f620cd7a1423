import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { PipelineEvents } from '../../functions/adapters/eventbridge.ts';
import { JobQueue } from '../../functions/adapters/sqs.ts';

const region = { region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
const mocks: { restore: () => void }[] = [];
afterEach(() => {
  for (const m of mocks.splice(0)) m.restore();
});

describe('AWS adapters resend only what failed', () => {
  it('PutEvents: entries reported as failed are sent again, in batches of at most 10', async () => {
    const eb = mockClient(EventBridgeClient);
    mocks.push(eb);
    const calls: number[] = [];
    let first = true;
    eb.on(PutEventsCommand).callsFake((input) => {
      calls.push(input.Entries.length);
      expect(input.Entries.length).toBeLessThanOrEqual(10);
      if (first) {
        first = false;
        return {
          FailedEntryCount: 2,
          Entries: input.Entries.map((_: unknown, i: number) =>
            i < 2 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: `e${i}` },
          ),
        };
      }
      return { FailedEntryCount: 0, Entries: input.Entries.map((_: unknown, i: number) => ({ EventId: `r${i}` })) };
    });
    await new PipelineEvents(new EventBridgeClient(region), 'impact').emit(
      Array.from({ length: 12 }, (_, i) => ({ detailType: 'Impact Assessed' as const, detail: { i } })),
    );
    expect(calls).toEqual([10, 2, 2]);
  });

  it('SendMessageBatch: failed entries are resent, batches stay within 10 entries and 256 KiB', async () => {
    const sqs = mockClient(SQSClient);
    mocks.push(sqs);
    const batches: string[][] = [];
    let failOnce = true;
    sqs.on(SendMessageBatchCommand).callsFake((input) => {
      batches.push(input.Entries.map((e: { Id: string }) => e.Id));
      const total = input.Entries.reduce((n: number, e: { MessageBody: string }) => n + Buffer.byteLength(e.MessageBody), 0);
      expect(total).toBeLessThanOrEqual(256 * 1024);
      const failed = failOnce ? [input.Entries[0].Id] : [];
      failOnce = false;
      return {
        Successful: input.Entries.filter((e: { Id: string }) => !failed.includes(e.Id)).map((e: { Id: string }) => ({
          Id: e.Id,
          MessageId: e.Id,
          MD5OfMessageBody: '',
        })),
        Failed: failed.map((Id) => ({ Id, Code: 'InternalError', SenderFault: false })),
      };
    });
    const big = 'x'.repeat(60 * 1024);
    await new JobQueue(new SQSClient(region), 'https://sqs.eu-west-1.amazonaws.com/1/q').send(Array.from({ length: 6 }, (_, i) => ({ body: { i, big } })));
    // 60 KiB messages: four fit in one request, so 6 messages make two batches; the first failed entry is resent alone.
    expect(batches).toEqual([['m0', 'm1', 'm2', 'm3'], ['m0'], ['m4', 'm5']]);
  });
});
