/**
 * The runtime's poll loop, standing in for what AWS runs on its own: the DynamoDB Streams event source
 * mapping (stream -> assess), the SQS ones (notice jobs -> notify; each channel's notices -> its deliver
 * handler) and Scheduler (due reminders -> the bus). One pass does each once; the loop sleeps only when a pass found nothing. An error in a pass is
 * logged and the loop goes on: nothing a handler does can stop it.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { EVENT_ITEM_KIND } from '../../functions/adapters/dynamodb/layout.ts';
import type { EventStore } from '../../functions/adapters/event-store.ts';
import type { LocalBus } from './bus.ts';
import type { LocalJobQueue } from './job-queue.ts';
import { describeError, type Log } from './log.ts';
import type { LocalReminders } from './reminders.ts';
import type { StreamReader } from './stream-reader.ts';

export interface PollerParts {
  stream: StreamReader;
  queue: LocalJobQueue;
  reminders: LocalReminders;
  bus: LocalBus;
  notify: (event: SQSEvent) => Promise<SQSBatchResponse>;
  /** The channels' delivery queue and its consumer (deliverers.ts). */
  deliveries?: { queue: LocalJobQueue; consume: (event: SQSEvent) => Promise<SQSBatchResponse> };
  log: Log;
  /** Resolves when the database is up (it waits while DynamoDB Local restarts). */
  ready?: () => Promise<void>;
}

const IDLE_SLEEP_MS = 200;

export class Poller {
  private readonly parts: PollerParts;
  private running = false;
  private loop?: Promise<void>;
  /** Stream records handed to assess so far, and passes in a row that found the stream empty. */
  streamed = 0;
  emptyStreamPolls = 0;

  constructor(parts: PollerParts) {
    this.parts = parts;
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const work = await this.pass().catch((error: unknown) => {
          this.parts.log(`local runtime: ${describeError(error)}`);
          return 0;
        });
        if (work === 0 && this.running) await new Promise((r) => setTimeout(r, IDLE_SLEEP_MS));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /**
   * Resolves once the stream has been read empty for a while and `busy` (the bus, the queue, events
   * not yet seen on the stream) has stayed false for three looks in a row.
   */
  async idle(busy: () => boolean, settled: () => Promise<void>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    while (Date.now() < deadline) {
      await settled();
      const before = this.streamed;
      await new Promise((r) => setTimeout(r, 300));
      quiet = !busy() && this.streamed === before && this.emptyStreamPolls >= 2 ? quiet + 1 : 0;
      if (quiet >= 3) return;
    }
    throw new Error(`local runtime still busy after ${timeoutMs} ms`);
  }

  /** One pass over the stream, the job queue and the reminders; returns how much it did. */
  private async pass(): Promise<number> {
    const { stream, queue, reminders, bus, notify } = this.parts;
    await this.parts.ready?.();
    const records = await stream.poll();
    this.emptyStreamPolls = records === 0 ? this.emptyStreamPolls + 1 : 0;
    this.streamed += records;
    const jobs = await queue.poll(notify);
    const delivered = this.parts.deliveries ? await this.parts.deliveries.queue.poll(this.parts.deliveries.consume, 25) : 0;
    const fired = reminders.fireDue(Date.now(), bus);
    return records + jobs + delivered + fired;
  }
}

/**
 * Events appended to the store against those seen again on its stream: DynamoDB Local's stream can
 * lag a write, so an empty stream read alone does not mean everything appended was assessed.
 */
export class StreamProgress {
  private appended = 0;
  private streamed = 0;
  private working = 0;

  /** Counts what the event store appends from now on. */
  constructor(events: EventStore) {
    const append = events.append.bind(events);
    events.append = async (...args) => {
      const result = await append(...args);
      if (result.status === 'appended') this.appended++;
      return result;
    };
  }

  /** A stream consumer that counts the event items it is handed, and the batches it is still working on. */
  counting(consumer: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>) {
    return async (event: DynamoDBStreamEvent) => {
      this.streamed += event.Records.filter((r) => r.eventName === 'INSERT' && r.dynamodb?.NewImage?.kind?.S === EVENT_ITEM_KIND).length;
      this.working++;
      try {
        return await consumer(event);
      } finally {
        this.working--;
      }
    };
  }

  /** Every appended event was seen on the stream and its assessment has finished. */
  get caughtUp(): boolean {
    return this.streamed >= this.appended && this.working === 0;
  }
}
