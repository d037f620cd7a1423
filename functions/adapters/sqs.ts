/** SendMessageBatch in 10s; every message must stay under the SQS size limit; failed entries are resent. */
import { createHash } from 'node:crypto';
import { type SQSClient, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { RetriesExhaustedError, backoffMs, sleep } from './dynamodb/retry.ts';

export const MAX_BATCH = 10;
/** One batch request may carry 256 KiB in total: each message is kept under a tenth of it. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_ATTEMPTS = 5;

export interface QueuedMessage {
  body: unknown;
  delaySeconds?: number;
  /** FIFO queues: the message group (kept in order) and the deduplication id (a resend within 5 minutes is dropped). */
  group?: string;
  dedupeId?: string;
}

/** FIFO ids are at most 128 characters: longer ones are hashed (they only need to be equal for equal inputs). */
const fifoId = (id: string) => (id.length <= 128 ? id.replace(/[^\w!"#$%&'()*+,\-./:;<=>?@[\\\]^`{|}~]/g, '_') : createHash('sha256').update(id).digest('hex'));

export class JobQueue {
  private readonly client: SQSClient;
  private readonly url: string;

  constructor(client: SQSClient, url: string) {
    this.client = client;
    this.url = url;
  }

  async send(messages: readonly QueuedMessage[]): Promise<void> {
    const bodies = messages.map((m) => JSON.stringify(m.body));
    // Batches of up to 10 whose total stays within the request limit.
    const batches: number[][] = [];
    let current: number[] = [];
    let bytes = 0;
    bodies.forEach((body, i) => {
      const size = Buffer.byteLength(body);
      if (size > MAX_MESSAGE_BYTES) throw new Error(`SQS message of ${size} bytes exceeds ${MAX_MESSAGE_BYTES}; make the chunks smaller`);
      if (current.length === MAX_BATCH || bytes + size > MAX_MESSAGE_BYTES) {
        batches.push(current);
        current = [];
        bytes = 0;
      }
      current.push(i);
      bytes += size;
    });
    if (current.length > 0) batches.push(current);
    for (const batch of batches) {
      let pending = batch;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= MAX_ATTEMPTS) throw new RetriesExhaustedError('SendMessageBatch', attempt);
        if (attempt > 0) await sleep(backoffMs(attempt, 50));
        const out = await this.client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.url,
            Entries: pending.map((i) => ({
              Id: `m${i}`,
              MessageBody: bodies[i],
              ...(messages[i].delaySeconds ? { DelaySeconds: Math.min(900, Math.max(0, Math.round(messages[i].delaySeconds!))) } : {}),
              ...(messages[i].group ? { MessageGroupId: fifoId(messages[i].group!) } : {}),
              ...(messages[i].dedupeId ? { MessageDeduplicationId: fifoId(messages[i].dedupeId!) } : {}),
            })),
          }),
        );
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        pending = pending.filter((i) => failed.has(`m${i}`));
      }
    }
  }

  /** One message, e.g. to a dead-letter queue with the reason it ended there. */
  async sendOne(body: unknown): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.url, MessageBody: JSON.stringify(body) }));
  }
}
