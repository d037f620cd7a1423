/**
 * Local SQS for notice jobs, on the runtime's SQLite store (store.ts): one row per message, indexed
 * by when it is next visible, so send, receive, delete and a delay each cost O(log n) whatever the
 * depth (the JSON file it replaces was rewritten whole on every change: 84 MB per poll in a
 * 400,000-customer fan-out).
 *
 * SQS semantics kept: a receive hides a message for the visibility timeout and counts the receive; a
 * message the consumer does not report done comes back after the timeout; after `maxReceiveCount`
 * receives it goes to dead-letters.jsonl with its reason (also when the runtime died while it was in
 * flight: the next receive finds its count used up, as SQS's redrive does). Delays up to 15 minutes.
 * Consumers get the same SQSEvent batches as the Lambda event source mapping hands to notify.
 * Messages come in through the SQS adapter (functions/adapters/sqs.ts: SendMessageBatch in 10s, failed
 * entries resent) over a real SQSClient answered here (local-aws.ts); each batch is one transaction.
 * A FIFO queue (the planning jobs) keeps SQS FIFO's message groups and deduplication ids.
 */
import { createHash, randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { JobQueue } from '../../functions/adapters/sqs.ts';
import type { DeadLetterFile } from './dead-letters.ts';
import { LOCAL_CLIENT, serveLocally, type LocalCommandHandler } from './local-aws.ts';
import { describeError } from './log.ts';
import { atomically, countRows, type LocalStore } from './store.ts';

export interface JobQueueOptions {
  /** The table of the store it keeps its messages in: `jobs` (notice jobs) or `deliveries` (the channels' subscriptions). */
  table?: 'jobs' | 'deliveries';
  /** How long a received message stays hidden while its consumer works on it (the stack's queue: 15 min). */
  visibilityMs?: number;
  /**
   * How soon a message the consumer reported failed is handed out again (default 2 s), doubled at each
   * receive (2, 4, 8, 16 s, at most a minute): the receives of a job outlast a restart of DynamoDB
   * Local, which a fixed 2 s did not (deliveries were dead-lettered 10 s into an outage).
   */
  retryMs?: number;
  maxReceiveCount?: number;
  now?: () => number;
  /**
   * A FIFO queue (the planning jobs, table `plan_jobs`): messages carry a group and a deduplication id;
   * a group's next message is handed out only once the one before it is done (SQS FIFO's message
   * groups), and a message whose deduplication id is still queued is dropped.
   */
  fifo?: boolean;
  /** The SQS client the adapter sends with (for instrumenting, chaos.ts); the queue makes it answer locally. */
  client?: SQSClient;
}

interface SendEntry {
  Id: string;
  MessageBody: string;
  DelaySeconds?: number;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

interface Row {
  id: number;
  message_id: string;
  body: string;
  receive_count: number;
  sent_at: number;
  group_id?: string;
}

const MAX_DELAY_SECONDS = 900;

export class LocalJobQueue extends JobQueue {
  private readonly db: LocalStore;
  private readonly letters: DeadLetterFile;
  private readonly visibilityMs: number;
  private readonly retryMs: number;
  private readonly maxReceiveCount: number;
  private readonly now: () => number;
  private readonly fifo: boolean;
  private count: number;
  private readonly letterSource: 'jobs' | 'deliveries';
  private readonly statements;

  constructor(db: LocalStore, letters: DeadLetterFile, options: JobQueueOptions = {}) {
    const handlers: Record<string, LocalCommandHandler> = {};
    // A queue URL on the client's own endpoint, so the SDK has no reason to redirect (or warn).
    super(
      serveLocally(options.client ?? new SQSClient(LOCAL_CLIENT), 'SQS', handlers),
      `https://sqs.local.amazonaws.com/000000000000/${options.fifo ? 'plan-jobs.fifo' : 'notice-jobs'}`,
    );
    handlers.SendMessageBatchCommand = (input) => ({ Successful: this.enqueue(input.Entries as SendEntry[]), Failed: [] });
    handlers.SendMessageCommand = (input) => {
      const [sent] = this.enqueue([{ Id: 'one', MessageBody: String(input.MessageBody), DelaySeconds: input.DelaySeconds as number | undefined }]);
      return { MessageId: sent.MessageId, MD5OfMessageBody: sent.MD5OfMessageBody };
    };
    this.db = db;
    this.letters = letters;
    this.visibilityMs = options.visibilityMs ?? 2_000;
    this.retryMs = options.retryMs ?? 2_000;
    this.maxReceiveCount = options.maxReceiveCount ?? 5;
    this.now = options.now ?? Date.now;
    this.fifo = !!options.fifo;
    const table = this.fifo ? 'plan_jobs' : (options.table ?? 'jobs');
    // Planning jobs that fail for good are job dead letters too (the stack's FIFO DLQ).
    this.letterSource = this.fifo ? 'jobs' : (options.table ?? 'jobs');
    this.count = countRows(db, table);
    this.statements = {
      insert: this.fifo
        ? db.prepare(`INSERT INTO ${table} (message_id, body, visible_at, sent_at, group_id, dedupe_id) VALUES (?, ?, ?, ?, ?, ?)`)
        : db.prepare(`INSERT INTO ${table} (message_id, body, visible_at, sent_at) VALUES (?, ?, ?, ?)`),
      // FIFO: only the oldest message of each group can be handed out, and only when it is visible.
      visible: this.fifo
        ? db.prepare(
            `SELECT id, message_id, body, receive_count, sent_at, group_id FROM ${table} WHERE id IN (SELECT min(id) FROM ${table} GROUP BY group_id) AND visible_at <= ? ORDER BY id LIMIT ?`,
          )
        : db.prepare(`SELECT id, message_id, body, receive_count, sent_at FROM ${table} WHERE visible_at <= ? ORDER BY visible_at, id LIMIT ?`),
      receive: db.prepare(`UPDATE ${table} SET receive_count = receive_count + 1, visible_at = ? WHERE id = ?`),
      retry: db.prepare(`UPDATE ${table} SET visible_at = ? WHERE id = ?`),
      remove: db.prepare(`DELETE FROM ${table} WHERE id = ?`),
      queued: this.fifo ? db.prepare(`SELECT 1 FROM ${table} WHERE dedupe_id = ? LIMIT 1`) : undefined,
    };
    // Received messages are hidden for long (a job must never be handed to a second worker while the
    // first still works on it: both would send); nothing is in flight when a runtime starts, so what an
    // earlier process had received is handed out again at once. Delayed jobs keep their delay.
    db.prepare(`UPDATE ${table} SET visible_at = ? WHERE receive_count > 0 AND visible_at > ?`).run(this.now(), this.now());
  }

  /** Messages in the queue, visible or not (ApproximateNumberOfMessages + NotVisible); O(1). */
  get depth(): number {
    return this.count;
  }

  /** Messages stored now, in the caller's transaction if it has one (the outbox's durable subscriber). */
  sendNow(bodies: readonly string[]): void {
    this.enqueue(bodies.map((body, i) => ({ Id: String(i), MessageBody: body })));
  }

  /** One SendMessageBatch (at most 10, the adapter's batches): stored in one transaction. */
  private enqueue(entries: readonly SendEntry[]): { Id: string; MessageId: string; MD5OfMessageBody: string }[] {
    const now = this.now();
    let stored = 0;
    const sent = atomically(this.db, () =>
      entries.map((e) => {
        const messageId = randomUUID();
        const visibleAt = now + Math.min(MAX_DELAY_SECONDS, Math.max(0, e.DelaySeconds ?? 0)) * 1000;
        if (!this.fifo) {
          this.statements.insert.run(messageId, e.MessageBody, visibleAt, now);
          stored++;
        } else if (!e.MessageDeduplicationId || !this.statements.queued!.get(e.MessageDeduplicationId)) {
          // A message whose deduplication id is still queued is accepted and dropped, as SQS FIFO does.
          this.statements.insert.run(messageId, e.MessageBody, visibleAt, now, e.MessageGroupId ?? 'default', e.MessageDeduplicationId ?? null);
          stored++;
        }
        return { Id: e.Id, MessageId: messageId, MD5OfMessageBody: md5(e.MessageBody) };
      }),
    );
    this.count += stored;
    return sent;
  }

  /**
   * Receives up to `max` visible messages and hides them for the visibility timeout; a message whose
   * receives are used up goes to the dead letters instead.
   */
  receive(max: number): SQSEvent['Records'] {
    const now = this.now();
    return atomically(this.db, () => {
      const rows = this.statements.visible.all(now, max) as unknown as Row[];
      return rows.flatMap((row) => {
        if (row.receive_count >= this.maxReceiveCount) {
          this.deadLetter(row, `received ${row.receive_count} times without finishing (the runtime stopped while it was in flight)`);
          return [];
        }
        this.statements.receive.run(now + this.visibilityMs, row.id);
        return [toRecord(row, row.receive_count + 1, now, this.fifo)];
      });
    });
  }

  /** Deletes received messages (what DeleteMessageBatch does after the consumer succeeded). */
  delete(receiptHandles: readonly string[]): void {
    atomically(this.db, () => {
      for (const handle of receiptHandles) this.count -= Number(this.statements.remove.run(Number(handle)).changes);
    });
  }

  /** Delivers one batch of visible messages to the consumer; returns how many were handed over. */
  async poll(consumer: (event: SQSEvent) => Promise<SQSBatchResponse>, batchSize = 5): Promise<number> {
    const records = this.receive(batchSize);
    if (records.length === 0) return 0;
    let failed: Set<string>;
    let reason = 'the consumer reported it failed';
    try {
      failed = new Set((await consumer({ Records: records })).batchItemFailures.map((f) => f.itemIdentifier));
    } catch (error) {
      failed = new Set(records.map((r) => r.messageId));
      reason = `the consumer threw ${describeError(error)}`;
    }
    const done = records.filter((r) => !failed.has(r.messageId));
    this.delete(done.map((r) => r.receiptHandle));
    // Failed ones come back soon rather than after the (long) visibility timeout.
    const retryAt = (receives: number) => this.now() + Math.min(60_000, this.retryMs * 2 ** (receives - 1));
    atomically(this.db, () => {
      for (const r of records)
        if (failed.has(r.messageId)) this.statements.retry.run(retryAt(Number(r.attributes.ApproximateReceiveCount)), Number(r.receiptHandle));
    });
    for (const r of records.filter((r) => failed.has(r.messageId) && Number(r.attributes.ApproximateReceiveCount) >= this.maxReceiveCount)) {
      this.deadLetter(
        {
          id: Number(r.receiptHandle),
          message_id: r.messageId,
          body: r.body,
          receive_count: Number(r.attributes.ApproximateReceiveCount),
          sent_at: Number(r.attributes.SentTimestamp),
        },
        `failed ${r.attributes.ApproximateReceiveCount} times: ${reason}`,
      );
    }
    return records.length;
  }

  private deadLetter(row: Row, reason: string): void {
    this.letters.add(this.letterSource, reason, { messageId: row.message_id, receiveCount: row.receive_count, body: JSON.parse(row.body) });
    this.count -= Number(this.statements.remove.run(row.id).changes);
  }
}

const toRecord = (row: Row, receiveCount: number, receivedAt: number, fifo: boolean): SQSEvent['Records'][number] => ({
  messageId: row.message_id,
  receiptHandle: String(row.id),
  body: row.body,
  attributes: {
    ApproximateReceiveCount: String(receiveCount),
    SentTimestamp: String(row.sent_at),
    SenderId: 'local',
    ApproximateFirstReceiveTimestamp: String(receivedAt),
    ...(fifo && row.group_id ? { MessageGroupId: row.group_id } : {}),
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: fifo ? 'arn:aws:sqs:local:000000000000:plan-jobs.fifo' : 'arn:aws:sqs:local:000000000000:notice-jobs',
  awsRegion: 'local',
});
