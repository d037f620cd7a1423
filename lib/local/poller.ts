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
  /** Planning jobs (FIFO by subject shard) and the plan handler. */
  planQueue: LocalJobQueue;
  plan: (event: SQSEvent) => Promise<SQSBatchResponse>;
  reminders: LocalReminders;
  bus: LocalBus;
  notify: (event: SQSEvent) => Promise<SQSBatchResponse>;
  /** The channels' delivery queue and its consumer (deliverers.ts). */
  deliveries?: { queue: LocalJobQueue; consume: (event: SQSEvent) => Promise<SQSBatchResponse> };
  log: Log;
  /** Notify and plan batches in flight at once (Lambda's concurrency, on one machine). */
  notifyWorkers?: number;
  planWorkers?: number;
  /** Resolves when the database is up (it waits while DynamoDB Local restarts). */
  ready?: () => Promise<void>;
}

const IDLE_SLEEP_MS = 200;
/** A worker that found its queue empty looks again this soon: a notice job queued by the planner is picked up at once. */
const QUEUE_SLEEP_MS = 25;

export class Poller {
  private readonly parts: PollerParts;
  private running = false;
  private loops: Promise<void>[] = [];
  /** Stream records handed to assess so far, and passes in a row that found the stream empty. */
  streamed = 0;
  emptyStreamPolls = 0;

  constructor(parts: PollerParts) {
    this.parts = parts;
  }

  /**
   * Runs what AWS runs side by side, side by side: the stream (assess) and the reminders in one loop,
   * and workers for the planning queue and the notice queue, each taking a batch at a time. While a
   * 390,000-customer assessment is planned, notices already planned go out.
   */
  start(): void {
    this.running = true;
    const { queue, planQueue, plan, notify } = this.parts;
    this.loops = [
      this.loop(() => this.streamPass(), IDLE_SLEEP_MS),
      ...Array.from({ length: this.parts.planWorkers ?? 2 }, () => this.loop(() => planQueue.poll(plan, 1), QUEUE_SLEEP_MS)),
      ...Array.from({ length: this.parts.notifyWorkers ?? 4 }, () => this.loop(() => queue.poll(notify), QUEUE_SLEEP_MS)),
      ...(this.parts.deliveries ? [this.loop(() => this.parts.deliveries!.queue.poll(this.parts.deliveries!.consume, 25), QUEUE_SLEEP_MS)] : []),
    ];
  }

  private async loop(pass: () => Promise<number>, sleepMs: number): Promise<void> {
    while (this.running) {
      const work = await (async () => {
        await this.parts.ready?.();
        return pass();
      })().catch((error: unknown) => {
        this.parts.log(`local runtime: ${describeError(error)}`);
        return 0;
      });
      if (work === 0 && this.running) await new Promise((r) => setTimeout(r, sleepMs));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /**
   * Resolves once the stream has been read empty for a while and `busy` (the bus, the queues, events
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

  /** One pass over the stream and the reminders; returns how much it did. */
  private async streamPass(): Promise<number> {
    const { stream, reminders, bus } = this.parts;
    const records = await stream.poll();
    this.emptyStreamPolls = records === 0 ? this.emptyStreamPolls + 1 : 0;
    this.streamed += records;
    const fired = reminders.fireDue(Date.now(), bus);
    return records + fired;
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
