/**
 * The local event buses (`impact` and `default`): events are matched against lib/routes.ts, each
 * matching rule's delivery is stored in the inbox before `put` returns, and a worker per lane hands
 * them to their targets (ingest, remind; receipts in a lane of their own) one at a time, in arrival
 * order, retrying as the inbox says.
 * The PutEvents endpoint, the API's POST /events, the pipeline's own events and fired reminders all
 * come in through `put`.
 */
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PipelineEvents } from '../../functions/adapters/eventbridge.ts';
import { PIPELINE_SOURCE, type PipelineDetailType } from '../../functions/domain/events/schemas.ts';
import { ROUTES, routesFor, type Route, type RouteName } from '../routes.ts';
import type { Delivery, Inbox, TakenDelivery } from './inbox.ts';
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
  routesFor(bus, event as unknown as Record<string, unknown>).flatMap((route) =>
    ROUTES[route].target === 'impact-bus' ? deliveriesFor('impact', event) : [{ route, event }],
  );

/**
 * The bus's lanes: each has one worker that delivers in arrival order. Receipts (lib/routes.ts' delivery
 * routes to the receipts handler) have a lane of their own, so that a change or incident event never
 * waits behind the receipts of a large fan-out; their order does not matter (a receipt's effect does not
 * depend on it), the order of a subject's events is kept in the other lane.
 */
const RECEIPT_ROUTES = (Object.keys(ROUTES) as RouteName[]).filter((name) => ROUTES[name].target === 'receipts');
interface Lane {
  routes: readonly RouteName[];
  /** Deliveries run side by side (receipts: their order does not matter), each hidden meanwhile. */
  parallel: number;
}
const LANES: readonly Lane[] = [
  { routes: (Object.keys(ROUTES) as RouteName[]).filter((name) => !RECEIPT_ROUTES.includes(name)), parallel: 1 },
  { routes: RECEIPT_ROUTES, parallel: 8 },
];
/** How long a delivery of a parallel lane is hidden while it runs: a crash in the middle makes it due again after this. */
const IN_FLIGHT_MS = 30_000;

export class LocalBus {
  private readonly inbox: Inbox;
  private readonly log: Log;
  private targets?: Targets;
  private readonly workers: (Promise<void> | undefined)[] = LANES.map(() => undefined);
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
    return this.inbox.pending > 0 || this.workers.some(Boolean);
  }

  /** Settles when the deliveries running now (if any) have finished. */
  async settled(): Promise<void> {
    await Promise.all(this.workers);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await Promise.all(this.workers);
  }

  private kick(): void {
    if (!this.targets || this.stopped) return;
    clearTimeout(this.retryTimer);
    LANES.forEach((laneOf, lane) => {
      if (this.workers[lane]) return;
      // The drain starts once the lane's worker is set: a target that puts events (the receipts handler
      // does) must find the worker running, not start a second one that takes the same delivery.
      this.workers[lane] = Promise.resolve()
        .then(() => this.drain(laneOf))
        .catch((error: unknown) => {
          // The store itself failed (disk full, ...): try again in a second, not in a tight loop (said once for all lanes).
          if (Date.now() >= this.pausedUntil) this.log(`local bus: deliveries paused for a second: ${describeError(error)}`);
          this.pausedUntil = Date.now() + 1_000;
        })
        .finally(() => {
          this.workers[lane] = undefined;
          this.scheduleRetry();
        });
    });
  }

  private async drain(lane: Lane): Promise<void> {
    while (!this.stopped) {
      const deliveries =
        lane.parallel > 1 ? this.inbox.takeSome(lane.routes, lane.parallel, IN_FLIGHT_MS) : [this.inbox.take(lane.routes)].filter((d) => d !== undefined);
      if (deliveries.length === 0) return;
      await Promise.all(deliveries.map((d) => this.deliver(d)));
    }
  }

  private async deliver(delivery: TakenDelivery): Promise<void> {
    try {
      await this.targets![ROUTES[delivery.route].target as Target](delivery.event);
      this.inbox.done(delivery);
    } catch (error) {
      this.log(
        `delivery of "${delivery.event['detail-type']}" ${delivery.event.id} to ${delivery.route} failed (attempt ${delivery.attempts}): ${describeError(error)}`,
      );
      this.inbox.failed(delivery, error);
    }
  }

  /** Wakes the workers when the next retry is due. */
  private scheduleRetry(): void {
    if (this.stopped) return;
    let at: number | undefined;
    try {
      at = this.inbox.nextDueAt();
    } catch {
      at = Date.now(); // the store failed to answer: look again after the pause
    }
    clearTimeout(this.retryTimer);
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
    const put = this.bus.put(
      'impact',
      events.map((e) => ({ source: PIPELINE_SOURCE, detailType: e.detailType, detail: e.detail })),
    );
    appendFileSync(this.file, put.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }
}
