/**
 * The Lambda handlers as the local runtime runs them: their dependencies are the same adapters as in
 * Lambda over DynamoDB Local, with the local stand-ins for SQS (job queue, dead letters), SNS (topics
 * with the outbox; `customer-notices` subscribed per channel), Scheduler (reminders), the pipeline's
 * outbound events (the local bus) and the delivery providers (deliverers.ts).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, DynamoDBStreamEvent, EventBridgeEvent, SNSEvent, SQSEvent } from 'aws-lambda';
import { documentClient } from '../../functions/adapters/dynamodb/client.ts';
import { buildApiHandler, type ApiDependencies } from '../../functions/handlers/api.ts';
import { buildAssessHandler } from '../../functions/handlers/assess.ts';
import { buildIngestHandler } from '../../functions/handlers/ingest.ts';
import { buildNotifyHandler } from '../../functions/handlers/notify.ts';
import { buildPlanHandler } from '../../functions/handlers/plan.ts';
import { buildReceiptsHandler } from '../../functions/handlers/receipts.ts';
import { buildRemindHandler } from '../../functions/handlers/remind.ts';
import { buildDeliverHandler, type DeliverSettings } from '../../functions/handlers/shared/deliver.ts';
import { buildDependencies, type Dependencies } from '../../functions/handlers/shared/dependencies.ts';
import { tableNames } from '../tables.ts';
import { LocalPipelineEvents, type BusEvent, type LocalBus, type Targets } from './bus.ts';
import type { Chaos } from './chaos.ts';
import type { ApiHandler } from './console-server.ts';
import { LocalDeadLetterQueue, type DeadLetterFile } from './dead-letters.ts';
import { LOCAL_AWS } from './dynamodb-local.ts';
import { LocalCredentials, type LocalIntake } from './intake.ts';
import { LOCAL_CLIENT } from './local-aws.ts';
import type { LocalJobQueue } from './job-queue.ts';
import { LocalTopic, type LocalSubscription, type Outbox } from './outbox.ts';
import { LocalEmailSender, LocalPushSender, LocalSmsSender, deliveryConsumer } from './deliverers.ts';
import type { LocalReminders } from './reminders.ts';

/** Four notify workers share the SNS budget (each paces at a quarter of it). */
export const DEFAULT_SETTINGS: Dependencies['settings'] = {
  reminderOffsetsHours: [24, 1],
  incidentCadenceMinutes: 60,
  snsMessagesPerSecond: 1_000,
  notifyConcurrency: 4,
};

export interface LocalParts {
  dynamodbEndpoint: string;
  bus: LocalBus;
  queue: LocalJobQueue;
  planQueue: LocalJobQueue;
  letters: DeadLetterFile;
  reminders: LocalReminders;
  /** Where both topics write; the channels' delivery queue, when there is one, subscribes to it (deliverers.ts). */
  outbox: Outbox;
  pipelineEventsFile: string;
  subscriptions: LocalSubscription[];
  settings?: Partial<Dependencies['settings']>;
  /** Faults injected into the SDK clients (IMPACT_CHAOS, for the chaos suite). */
  chaos?: Chaos;
}

/**
 * The handlers' dependencies over DynamoDB Local, as in Lambda: the stores. What is not a store (queues,
 * topics, the bus, reminders) is the real adapter over a client that is never called; localDependencies
 * puts the local stand-ins in their place. The console's thread (console-worker.ts) uses only the stores.
 */
export const storeDependencies = (parts: Pick<LocalParts, 'dynamodbEndpoint' | 'settings' | 'chaos'>): Dependencies => {
  const dynamodb = documentClient({ endpoint: parts.dynamodbEndpoint, ...LOCAL_AWS });
  parts.chaos?.instrument(dynamodb, 'dynamodb');
  return buildDependencies(
    { dynamodb, eventBridge: new EventBridgeClient({ region: 'local' }), sqs: undefined as never, sns: undefined as never },
    {
      tables: tableNames(''),
      busName: 'impact',
      noticeQueueUrl: 'local',
      noticeDlqUrl: 'local',
      customerNoticesTopicArn: 'local',
      supportBriefingsTopicArn: 'local',
    },
    { ...DEFAULT_SETTINGS, ...parts.settings },
  );
};

export const localDependencies = (parts: LocalParts): Dependencies => {
  const sns = () => parts.chaos?.instrument(new SNSClient(LOCAL_CLIENT), 'sns');
  return {
    ...storeDependencies(parts),
    jobs: parts.queue,
    planJobs: parts.planQueue,
    deadLetters: new LocalDeadLetterQueue(parts.letters),
    customerNotices: new LocalTopic('customer-notices', parts.outbox, parts.subscriptions, sns()),
    supportBriefings: new LocalTopic('support-briefings', parts.outbox, parts.subscriptions, sns()),
    reminders: parts.reminders,
    pipelineEvents: new LocalPipelineEvents(parts.bus, parts.pipelineEventsFile),
  };
};

const context = { functionName: 'local', awsRequestId: 'local', getRemainingTimeInMillis: () => 900_000 } as unknown as Context;
const asTargetEvent = (event: BusEvent) => event as unknown as EventBridgeEvent<string, unknown>;

/** Locally nothing throttles: the stand-ins take a batch's messages at once. */
const LOCAL_DELIVERY: DeliverSettings = { perSecond: 10_000, workers: 1, leaseMs: 10_000, parallel: true };

/**
 * The API handler as the local console serves it: every caller without a token is the local admin (the
 * server listens on 127.0.0.1 only), intake takes the secrets of impact.local.json.
 */
export const localApi = (deps: Dependencies, submit: ApiDependencies['submit'], intake: LocalIntake): ApiHandler => {
  const api = buildApiHandler({ ...deps, localAdmin: true, submit, intake: { credentials: new LocalCredentials(intake.secrets), config: intake.config } });
  return (event) => api(event, context);
};

/** Each handler but the API's (its own thread: console-worker.ts), built once, as its local trigger calls it: the bus's rule targets, the stream, the queues. */
export const localHandlers = (deps: Dependencies, bus: LocalBus, deliveries: LocalJobQueue) => {
  const ingest = buildIngestHandler(deps);
  const remind = buildRemindHandler(deps);
  const receipts = buildReceiptsHandler(deps);
  const assess = buildAssessHandler(deps);
  const notify = buildNotifyHandler(deps);
  const plan = buildPlanHandler(deps);
  const deliver = {
    email: buildDeliverHandler(deps, new LocalEmailSender(bus), LOCAL_DELIVERY),
    sms: buildDeliverHandler(deps, new LocalSmsSender(deliveries), LOCAL_DELIVERY),
    push: buildDeliverHandler(deps, new LocalPushSender(), LOCAL_DELIVERY),
  };
  const targets: Targets = {
    ingest: (e) => ingest(asTargetEvent(e), context),
    remind: (e) => remind(asTargetEvent(e), context),
    receipts: (e) => receipts(asTargetEvent(e), context),
  };
  return {
    targets,
    assess: (event: DynamoDBStreamEvent) => assess(event, context),
    notify: (event: SQSEvent) => notify(event, context),
    plan: (event: SQSEvent) => plan(event, context),
    deliver: deliveryConsumer({
      deliver: { email: (e) => deliver.email(e, context), sms: (e) => deliver.sms(e, context), push: (e) => deliver.push(e, context) },
      smsEvents: (e: SNSEvent) => receipts(e, context),
    }),
  };
};
