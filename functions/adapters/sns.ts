/**
 * PublishBatch: at most 10 entries and 256 KiB per call, String message attributes for filter
 * policies; entries reported in `Failed` are retried with backoff, what still fails is returned.
 */
import { PublishBatchCommand, PublishCommand, type SNSClient, type PublishBatchRequestEntry } from '@aws-sdk/client-sns';
import { backoffMs, sleep } from './dynamodb/retry.ts';

export const MAX_BATCH = 10;
export const MAX_BATCH_BYTES = 256 * 1024;
const MAX_ATTEMPTS = 4;

export interface OutgoingMessage {
  id: string;
  body: unknown;
  attributes: Record<string, string>;
}

/** Around each PublishBatch: `before` may throw to stop (nothing more is sent), `after` gets what SNS took. */
export interface BatchHooks {
  before?: () => void;
  after?: (published: OutgoingMessage[]) => Promise<void>;
}

const sizeOf = (e: PublishBatchRequestEntry) =>
  Buffer.byteLength(e.Message ?? '') +
  Object.entries(e.MessageAttributes ?? {}).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v.DataType ?? '') + Buffer.byteLength(v.StringValue ?? ''),
    0,
  );

export class Topic {
  private readonly client: SNSClient;
  private readonly arn: string;

  constructor(client: SNSClient, arn: string) {
    this.client = client;
    this.arn = arn;
  }

  /** Publishes all messages; returns those that failed every attempt, with the last reason. */
  async publish(messages: readonly OutgoingMessage[], hooks: BatchHooks = {}): Promise<{ message: OutgoingMessage; reason: string }[]> {
    const entries = messages.map(
      (m, i): PublishBatchRequestEntry => ({
        Id: `n${i}`,
        Message: JSON.stringify(m.body),
        MessageAttributes: Object.fromEntries(Object.entries(m.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
      }),
    );
    const failures: { message: OutgoingMessage; reason: string }[] = [];
    let batch: number[] = [];
    let bytes = 0;
    const flush = async () => {
      hooks.before?.();
      let pending = batch;
      const reasons = new Map<number, string>();
      for (let attempt = 0; pending.length > 0 && attempt < MAX_ATTEMPTS; attempt++) {
        if (attempt > 0) await sleep(backoffMs(attempt, 50));
        const out = await this.client.send(new PublishBatchCommand({ TopicArn: this.arn, PublishBatchRequestEntries: pending.map((i) => entries[i]) }));
        const failed = new Map((out.Failed ?? []).map((f) => [f.Id, `${f.Code}: ${f.Message ?? ''}`]));
        for (const i of pending) if (failed.has(`n${i}`)) reasons.set(i, failed.get(`n${i}`)!);
        pending = pending.filter((i) => failed.has(`n${i}`));
      }
      for (const i of pending) failures.push({ message: messages[i], reason: reasons.get(i) ?? 'unknown' });
      const lost = new Set(pending);
      await hooks.after?.(batch.filter((i) => !lost.has(i)).map((i) => messages[i]));
      batch = [];
      bytes = 0;
    };
    for (let i = 0; i < entries.length; i++) {
      const size = sizeOf(entries[i]);
      if (batch.length === MAX_BATCH || bytes + size > MAX_BATCH_BYTES) await flush();
      batch.push(i);
      bytes += size;
    }
    if (batch.length > 0) await flush();
    return failures;
  }

  async publishOne(body: unknown, attributes: Record<string, string>): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.arn,
        Message: JSON.stringify(body),
        MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
      }),
    );
  }
}
