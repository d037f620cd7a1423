/**
 * The whole pipeline on one machine (DESIGN section 8), composed from parts with one job each:
 * the runtime's durable store (store.ts: inbox, job queue, reminders, stream positions), the local bus
 * (bus.ts, inbox.ts) behind the PutEvents endpoint (event-endpoint.ts), the console and API server
 * (console-server.ts, on its own thread: console-thread.ts), DynamoDB Local with its tables (dynamodb-local.ts), the first-run seed
 * (seed.ts), the poll loop feeding assess, notify and the reminders (poller.ts), and the take-over of
 * an older data dir's JSON files (legacy.ts). The handlers are the very ones that run in Lambda, and
 * so are the SQS and SNS adapters, over SDK clients answered in-process (local-aws.ts); the EventBridge
 * and Scheduler adapters are local stand-ins. At every start the outbox and the ledger are reconciled
 * (outbox.ts, recovery.ts), so a kill -9 at any moment sends no notice twice; DynamoDB Local is started
 * again if its java dies, and nothing is handed to a handler until it is back. IMPACT_CHAOS injects
 * faults into the SDK clients for the chaos suite (chaos.ts).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Dependencies } from '../../functions/handlers/shared/dependencies.ts';
import { tableNames } from '../tables.ts';
import { LocalBus } from './bus.ts';
import { chaosFromEnvironment } from './chaos.ts';
import { startConsoleThread } from './console-thread.ts';
import { DeadLetterFile } from './dead-letters.ts';
import { deliveryQueueSubscriber } from './deliverers.ts';
import { localDependencies, localHandlers } from './dependencies.ts';
import { LOCAL_AWS, startSupervisedDynamoDb } from './dynamodb-local.ts';
import { eventEndpoint } from './event-endpoint.ts';
import { close, listen } from './http.ts';
import { Inbox } from './inbox.ts';
import type { LocalIntake } from './intake.ts';
import { LocalJobQueue } from './job-queue.ts';
import { importLegacyFiles } from './legacy.ts';
import { LOCAL_CLIENT } from './local-aws.ts';
import { stdoutLog, type Log } from './log.ts';
import { Outbox, type LocalSubscription } from './outbox.ts';
import { Poller, StreamProgress } from './poller.ts';
import { RECHECK_WINDOW_MS, recheckLedger, reconcileLedger } from './recovery.ts';
import { LocalReminders } from './reminders.ts';
import { airlineSeed, seedOnFirstRunInThread, type Seed } from './seed.ts';
import { openLocalStore } from './store.ts';
import { StreamReader } from './stream-reader.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LocalOptions {
  dataDir: string;
  eventsPort: number;
  apiPort: number;
  inMemory?: boolean;
  /** Graph to load when the store is empty (default examples/airline); false loads nothing. */
  seed?: Seed | false;
  subscriptions?: LocalSubscription[];
  /** `built-in` (default): notices go through the local stand-ins of SES, SMS and push, with receipts; `topic-only`: they stop at the outbox. */
  delivery?: 'built-in' | 'topic-only';
  settings?: Partial<Dependencies['settings']>;
  /** Intake configuration and secrets (impact.local.json `intake`); none: every tool may post unsigned. */
  intake?: LocalIntake;
  log?: Log;
}

export interface LocalRuntime {
  eventsUrl: string;
  apiUrl: string;
  outboxFile: string;
  deps: Dependencies;
  /** Resolves when the bus, the job queue and the stream are all drained (for tests and demos). */
  idle: (timeoutMs?: number) => Promise<void>;
  stop: () => Promise<void>;
}

/** What to undo, newest first: on stop, and when a start fails halfway (a port in use, a bad seed). */
class Teardown {
  private readonly steps: (() => unknown)[] = [];
  add(step: () => unknown): void {
    this.steps.unshift(step);
  }
  async run(): Promise<void> {
    for (const step of this.steps.splice(0)) await step();
  }
}

export const startLocalRuntime = async (options: LocalOptions): Promise<LocalRuntime> => {
  const log = options.log ?? stdoutLog;
  // Every path is absolute from here on: some are handed to other processes with their own working directory.
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const file = (name: string) => join(dataDir, name);
  const outboxFile = file('outbox.jsonl');
  const teardown = new Teardown();
  try {
    const store = options.inMemory ? openLocalStore(file('runtime.scratch.sqlite'), { scratch: true }) : openLocalStore(file('runtime.sqlite'));
    teardown.add(() => store.close());
    const imported = importLegacyFiles(dataDir, store);
    if (imported.length > 0) log(`took over ${imported.join(', ')} from an earlier version (kept as *.imported)`);
    const letters = new DeadLetterFile(file('dead-letters.jsonl'));
    // The channels' delivery queue takes each notice in the transaction that records it in the outbox.
    const deliveries = new LocalJobQueue(store, letters, { table: 'deliveries' });
    // Before anything can publish: the outbox record caught up with the file (a kill -9 mid-write).
    const outbox = new Outbox(outboxFile, store, options.delivery === 'topic-only' ? undefined : deliveryQueueSubscriber(deliveries));
    const { recovered, cut } = outbox.recover();
    if (recovered + cut > 0) log(`recovered after a stop: ${recovered} outbox line(s) written but not recorded, ${cut} torn line cut (it is sent again)`);
    const bus = new LocalBus(new Inbox(store, letters), log);

    // The ports first: one in use fails the start at once, before java and the first-run import. From
    // here on events are taken (durably), and delivered once the pipeline is up.
    const events = eventEndpoint((entries) => void bus.putOnBuses(entries), log);
    const eventsPort = await listen(events, options.eventsPort, 'events', '--events-port');
    teardown.add(() => close(events));
    // The console and API on a thread of their own: a fan-out keeps this one busy.
    const web = await startConsoleThread({ webRoot: join(ROOT, 'web'), outboxFile, port: options.apiPort }, log);
    const apiPort = web.port;
    teardown.add(() => web.stop());

    const chaos = chaosFromEnvironment(file('chaos-faults.log'));
    if (chaos)
      log(
        `IMPACT_CHAOS: injecting faults (seed ${chaos.config.seed}, throttle ${chaos.config.throttle}, fail ${chaos.config.fail}); each one is logged to chaos-faults.log`,
      );
    const dynamodb = await startSupervisedDynamoDb(options.inMemory ? undefined : file('dynamodb'), log);
    teardown.add(() => dynamodb.stop());
    // As the stack's notice-job queue: a job is hidden from other workers far longer than it takes.
    const queue = new LocalJobQueue(store, letters, { visibilityMs: 15 * 60_000, client: chaos?.instrument(new SQSClient(LOCAL_CLIENT), 'sqs') });
    const planQueue = new LocalJobQueue(store, letters, {
      fifo: true,
      visibilityMs: 15 * 60_000,
      client: chaos?.instrument(new SQSClient(LOCAL_CLIENT), 'sqs'),
    });
    const reminders = new LocalReminders(store);
    const intake = options.intake ?? { config: {}, secrets: {} };
    // Briefings link subjects in the console this runtime serves.
    const settings = { consoleUrl: `http://127.0.0.1:${apiPort}/`, ...options.settings, intake: intake.config };
    const deps = localDependencies({
      dynamodbEndpoint: dynamodb.endpoint,
      bus,
      queue,
      planQueue,
      letters,
      reminders,
      outbox,
      pipelineEventsFile: file('pipeline-events.jsonl'),
      subscriptions: options.subscriptions ?? [],
      settings,
      chaos,
    });
    // The first-run import on a thread of its own: the whole graph is in memory while it runs.
    if (options.seed !== false && (await deps.graph.version()) === 0)
      await seedOnFirstRunInThread({ dynamodbEndpoint: dynamodb.endpoint, seed: options.seed ?? airlineSeed(ROOT) }, log);
    await reconcileLedger(outbox, deps.ledger, log, deps.projections);
    dynamodb.afterRestart((stoppedAt) => recheckLedger(outbox, deps.ledger, log, deps.projections, stoppedAt - RECHECK_WINDOW_MS));

    const progress = new StreamProgress(deps.events);
    const handlers = localHandlers(deps, bus, deliveries);
    web.connect({ dynamodbEndpoint: dynamodb.endpoint, settings: deps.settings, intake, bus, pipelineEvents: deps.pipelineEvents });
    // Nothing is handed to a handler while DynamoDB Local is down (restarting): no attempt is spent on it.
    const whenUp =
      <E, R>(handler: (event: E) => Promise<R>) =>
      async (event: E) => {
        await dynamodb.ready();
        return handler(event);
      };
    bus.start({ ingest: whenUp(handlers.targets.ingest), remind: whenUp(handlers.targets.remind), receipts: whenUp(handlers.targets.receipts) });
    teardown.add(() => bus.stop());
    const stream = new StreamReader({
      endpoint: dynamodb.endpoint,
      ...LOCAL_AWS,
      table: tableNames('').events,
      store,
      deadLetters: letters,
      consumer: progress.counting(handlers.assess),
      ready: dynamodb.ready,
    });
    const poller = new Poller({
      stream,
      queue,
      planQueue,
      plan: whenUp(handlers.plan),
      reminders,
      bus,
      notify: whenUp(handlers.notify),
      ...(options.delivery === 'topic-only' ? {} : { deliveries: { queue: deliveries, consume: whenUp(handlers.deliver) } }),
      log,
      ready: dynamodb.ready,
      notifyWorkers: deps.settings.notifyConcurrency,
    });
    poller.start();
    teardown.add(() => poller.stop());

    return {
      eventsUrl: `http://127.0.0.1:${eventsPort}`,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      outboxFile,
      deps,
      idle: (timeoutMs = 60_000) =>
        poller.idle(
          () => bus.busy || queue.depth > 0 || planQueue.depth > 0 || deliveries.depth > 0 || !progress.caughtUp,
          () => bus.settled(),
          timeoutMs,
        ),
      stop: () => teardown.run(),
    };
  } catch (error) {
    await teardown.run();
    throw error;
  }
};
