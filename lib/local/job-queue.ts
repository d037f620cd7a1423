/**
 * Local SQS for notice jobs: durable (a JSON file in the data dir), delays honoured, delivered to a
 * consumer as SQSEvent batches; a failed message is retried after a visibility timeout and moved to
 * a dead-letter file after `maxReceiveCount` receives, as the queue's redrive policy does in AWS.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSBatchResponse } from 'aws-lambda';
import { JobQueue, type QueuedMessage } from '../../functions/adapters/sqs.ts';

interface Stored {
  messageId: string;
  body: string;
  dueAt: number;
  receiveCount: number;
}

export class LocalJobQueue extends JobQueue {
  private readonly file: string;
  private readonly deadLetterFile: string;
  private messages: Stored[];
  private readonly maxReceiveCount = 5;
  private readonly visibilityMs = 2_000;

  constructor(file: string, deadLetterFile: string) {
    super(new SQSClient({ region: 'local' }), 'local');
    this.file = file;
    this.deadLetterFile = deadLetterFile;
    this.messages = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Stored[]) : [];
  }

  private persist(): void {
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.messages));
    renameSync(`${this.file}.tmp`, this.file);
  }

  override async send(messages: readonly QueuedMessage[]): Promise<void> {
    const now = Date.now();
    for (const m of messages) this.messages.push({ messageId: randomUUID(), body: JSON.stringify(m.body), dueAt: now + Math.min(900, m.delaySeconds ?? 0) * 1000, receiveCount: 0 });
    this.persist();
  }

  override async sendOne(body: unknown): Promise<void> {
    appendFileSync(this.deadLetterFile, `${JSON.stringify({ body, at: new Date().toISOString() })}\n`);
  }

  get depth(): number {
    return this.messages.length;
  }

  /** Delivers due messages in batches; returns how many were handed over. */
  async poll(consumer: (event: SQSEvent) => Promise<SQSBatchResponse>, batchSize = 5): Promise<number> {
    const now = Date.now();
    const due = this.messages.filter((m) => m.dueAt <= now).slice(0, batchSize);
    if (due.length === 0) return 0;
    for (const m of due) {
      m.receiveCount++;
      m.dueAt = now + this.visibilityMs;
    }
    this.persist();
    const event: SQSEvent = {
      Records: due.map((m) => ({
        messageId: m.messageId,
        receiptHandle: m.messageId,
        body: m.body,
        attributes: { ApproximateReceiveCount: String(m.receiveCount) } as never,
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:local:000000000000:notice-jobs',
        awsRegion: 'local',
      })),
    };
    let failed: Set<string>;
    try {
      failed = new Set((await consumer(event)).batchItemFailures.map((f) => f.itemIdentifier));
    } catch {
      failed = new Set(due.map((m) => m.messageId));
    }
    for (const m of due) {
      if (!failed.has(m.messageId)) this.messages = this.messages.filter((x) => x !== m);
      else if (m.receiveCount >= this.maxReceiveCount) {
        appendFileSync(this.deadLetterFile, `${JSON.stringify({ reason: `failed ${m.receiveCount} times`, body: JSON.parse(m.body), at: new Date().toISOString() })}\n`);
        this.messages = this.messages.filter((x) => x !== m);
      }
    }
    this.persist();
    return due.length;
  }
}
