/**
 * The local event buses (`impact` and `default`): events are matched against lib/routes.ts, each
 * matching rule's delivery is stored in the inbox before `put` returns, and a single worker hands
 * them to their targets (ingest, remind) one at a time, in arrival order, retrying as the inbox says.
 * The PutEvents endpoint, the API's POST /events, the pipeline's own events and fired reminders all
 * come in through `put`.
 */
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PipelineEvents } from '../../functions/adapters/eventbridge.ts';
import { PIPELINE_SOURCE, type PipelineDetailType } from '../../functions/domain/events/schemas.ts';
import { ROUTES, routesFor, type Route } from '../routes.ts';
import type { Delivery, Inbox } from './inbox.ts';
import { describeError, type Log } from './log.ts';

/** An event as EventBridge hands it to a target. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface NewEvent {
  /** Given by the PutEvents endpoint, which answers with it; otherwise a new one. */
  id?: string;
  source: string;
  detailType: string;
  detail: unknown;
  /** ISO 8601, whole seconds as EventBridge gives it; default now. */
  time?: string;
  resources?: string[];
}

export type BusName = Route['bus'];
export type Target = Exclude<Route['target'], 'impact-bus'>;
export type Targets = Record<Target, (event: BusEvent) => Promise<unknown>>;

/** EventBridge's `time`: UTC, whole seconds. */
export const eventTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const toBusEvent = (e: NewEvent): BusEvent => ({
  version: '0',
  id: e.id ?? randomUUID(),
  'detail-type': e.detailType,
  source: e.source,
  account: '000000000000',
  time: e.time ?? eventTime(Date.now()),
  region: 'local',
  resources: e.resources ?? [],
  detail: e.detail,
});

/** The deliveries one event makes on a bus: a forwarding rule puts it on the impact bus, others deliver. */
export const deliveriesFor = (bus: BusName, event: BusEvent): Delivery[] =>
  routesFor(bus, event as unknown as Record<string, unknown>).flatMap((route) => (ROUTES[route].target === 'impact-bus' ? deliveriesFor('impact', event) : [{ route, event }]));

export class LocalBus {
  private readonly inbox: Inbox;
  private readonly log: Log;
  private targets?: Targets;
  private worker?: Promise<void>;
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;
  private pausedUntil = 0;

  constructor(inbox: Inbox, log: Log) {
    this.inbox = inbox;
    this.log = log;
  }

  /** Puts events on a bus; when it returns, their deliveries are stored. Returns the events as delivered. */
  put(bus: BusName, events: readonly NewEvent[]): BusEvent[] {
    return this.putOnBuses(events.map((event) => ({ bus, event }))).map((e) => e.event);
  }

  /** Puts events each on its bus, all stored in one step (a PutEvents request may name both buses). */
  putOnBuses(entries: readonly { bus: BusName; event: NewEvent }[]): { bus: BusName; event: BusEvent }[] {
    const put = entries.map((e) => ({ bus: e.bus, event: toBusEvent(e.event) }));
    this.inbox.add(put.flatMap((e) => deliveriesFor(e.bus, e.event)));
    this.kick();
    return put;
  }

  /** Starts delivering (what was stored before, then what comes). */
  start(targets: Targets): void {
    this.targets = targets;
    this.kick();
  }

  /** Deliveries are stored or running. */
  get busy(): boolean {
    return this.inbox.pending > 0 || this.worker !== undefined;
  }

  /** Settles when the delivery running now (if any) has finished. */
  async settled(): Promise<void> {
    await this.worker;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.worker;
  }

  private kick(): void {
    if (!this.targets || this.worker || this.stopped) return;
    clearTimeout(this.retryTimer);
    // The drain starts once `worker` is set: a target that puts events (the receipts handler does) must
    // find the worker running, not start a second one that takes the same delivery.
    this.worker = Promise.resolve()
      .then(() => this.drain())
      .catch((error: unknown) => {
        // The store itself failed (disk full, ...): try again in a second, not in a tight loop.
        this.pausedUntil = Date.now() + 1_000;
        this.log(`local bus: deliveries paused for a second: ${describeError(error)}`);
      })
      .finally(() => {
        this.worker = undefined;
        this.scheduleRetry();
      });
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const delivery = this.inbox.take();
      if (!delivery) return;
      try {
        await this.targets![ROUTES[delivery.route].target as Target](delivery.event);
        this.inbox.done(delivery);
      } catch (error) {
        this.log(`delivery of "${delivery.event['detail-type']}" ${delivery.event.id} to ${delivery.route} failed (attempt ${delivery.attempts}): ${describeError(error)}`);
        this.inbox.failed(delivery, error);
      }
    }
  }

  /** Wakes the worker when the next retry is due. */
  private scheduleRetry(): void {
    if (this.stopped) return;
    let at: number | undefined;
    try {
      at = this.inbox.nextDueAt();
    } catch {
      at = Date.now(); // the store failed to answer: look again after the pause
    }
    if (at !== undefined) this.retryTimer = setTimeout(() => this.kick(), Math.max(0, at - Date.now(), this.pausedUntil - Date.now()));
  }
}

/** The pipeline's outbound events (Impact Assessed, Event Rejected, ...): logged to a file, put on the impact bus. */
export class LocalPipelineEvents extends PipelineEvents {
  private readonly bus: LocalBus;
  private readonly file: string;

  constructor(bus: LocalBus, file: string) {
    super(new EventBridgeClient({ region: 'local' }), 'impact');
    this.bus = bus;
    this.file = file;
  }

  override async emit(events: { detailType: PipelineDetailType; detail: unknown }[]): Promise<void> {
    const put = this.bus.put('impact', events.map((e) => ({ source: PIPELINE_SOURCE, detailType: e.detailType, detail: e.detail })));
    appendFileSync(this.file, put.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }
}
