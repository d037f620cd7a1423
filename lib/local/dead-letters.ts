/**
 * `dead-letters.jsonl` in the data dir: what every local stand-in gives up on (a bus delivery after its
 * retries, a job after maxReceiveCount receives, a stream record, what notify sends to its DLQ), one
 * JSON line each with `reason`, `source` and `at`. Appended, never rewritten: O(1) per letter.
 */
import { appendFileSync } from 'node:fs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { JobQueue, type QueuedMessage } from '../../functions/adapters/sqs.ts';
import { withoutContactDetails } from './log.ts';

export type DeadLetterSource = 'bus' | 'jobs' | 'stream' | 'notify' | 'deliveries';

export class DeadLetterFile {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  add(source: DeadLetterSource, reason: string, fields: Record<string, unknown>): void {
    appendFileSync(this.file, `${JSON.stringify({ reason: withoutContactDetails(reason), source, ...fields, at: new Date().toISOString() })}\n`);
  }
}

/** The notice DLQ that notify writes to (`deps.deadLetters`): each message becomes a dead letter. */
export class LocalDeadLetterQueue extends JobQueue {
  private readonly letters: DeadLetterFile;

  constructor(letters: DeadLetterFile) {
    super(new SQSClient({ region: 'local' }), 'local-dlq');
    this.letters = letters;
  }

  override async send(messages: readonly QueuedMessage[]): Promise<void> {
    for (const m of messages) await this.sendOne(m.body);
  }

  override async sendOne(body: unknown): Promise<void> {
    const reason = (body as { reason?: unknown } | null)?.reason;
    this.letters.add('notify', typeof reason === 'string' ? reason : 'sent to the dead-letter queue', { body });
  }
}
