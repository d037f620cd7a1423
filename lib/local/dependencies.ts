/**
 * The Lambda handlers as the local runtime runs them: their dependencies are the same adapters as in
 * Lambda over DynamoDB Local, with the local stand-ins for SQS (job queue, dead letters), SNS (topics
 * with the outbox), Scheduler (reminders) and the pipeline's outbound events (the local bus).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, DynamoDBStreamEvent, EventBridgeEvent, SQSEvent } from 'aws-lambda';
import { documentClient } from '../../functions/adapters/dynamodb/client.ts';
import { buildApiHandler } from '../../functions/handlers/api.ts';
import { buildAssessHandler } from '../../functions/handlers/assess.ts';
import { buildIngestHandler } from '../../functions/handlers/ingest.ts';
import { buildNotifyHandler } from '../../functions/handlers/notify.ts';
import { buildRemindHandler } from '../../functions/handlers/remind.ts';
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
import type { LocalReminders } from './reminders.ts';

export const DEFAULT_SETTINGS: Dependencies['settings'] = { reminderOffsetsHours: [24, 1], incidentCadenceMinutes: 60, snsMessagesPerSecond: 1_000 };

export interface LocalParts {
  dynamodbEndpoint: string;
  bus: LocalBus;
  queue: LocalJobQueue;
  letters: DeadLetterFile;
  reminders: LocalReminders;
  outbox: Outbox;
  pipelineEventsFile: string;
  subscriptions: LocalSubscription[];
  settings?: Partial<Dependencies['settings']>;
  /** Faults injected into the SDK clients (IMPACT_CHAOS, for the chaos suite). */
  chaos?: Chaos;
}

export const localDependencies = (parts: LocalParts): Dependencies => {
  const dynamodb = documentClient({ endpoint: parts.dynamodbEndpoint, ...LOCAL_AWS });
  parts.chaos?.instrument(dynamodb, 'dynamodb');
  const sns = () => parts.chaos?.instrument(new SNSClient(LOCAL_CLIENT), 'sns');
  return {
    ...buildDependencies(
      // The SQS and SNS clients here are never used: their adapters are the local ones below.
      { dynamodb, eventBridge: new EventBridgeClient({ region: 'local' }), sqs: undefined as never, sns: undefined as never },
      { tables: tableNames(''), busName: 'impact', noticeQueueUrl: 'local', noticeDlqUrl: 'local', customerNoticesTopicArn: 'local', supportBriefingsTopicArn: 'local' },
      { ...DEFAULT_SETTINGS, ...parts.settings },
    ),
    jobs: parts.queue,
    deadLetters: new LocalDeadLetterQueue(parts.letters),
    customerNotices: new LocalTopic('customer-notices', parts.outbox, parts.subscriptions, sns()),
    supportBriefings: new LocalTopic('support-briefings', parts.outbox, parts.subscriptions, sns()),
    reminders: parts.reminders,
    pipelineEvents: new LocalPipelineEvents(parts.bus, parts.pipelineEventsFile),
  };
};

const context = { functionName: 'local', awsRequestId: 'local', getRemainingTimeInMillis: () => 900_000 } as unknown as Context;
const asTargetEvent = (event: BusEvent) => event as unknown as EventBridgeEvent<string, unknown>;

/** Each handler, built once, as its local trigger calls it: the bus's rule targets, the stream, the queue, the API. */
export const localHandlers = (deps: Dependencies, bus: LocalBus, intake: LocalIntake) => {
  const ingest = buildIngestHandler(deps);
  const remind = buildRemindHandler(deps);
  const assess = buildAssessHandler(deps);
  const notify = buildNotifyHandler(deps);
  const api = buildApiHandler({
    ...deps,
    localAdmin: true,
    submit: async (events) => void bus.put('impact', events.map((e) => ({ source: e.source, detailType: e['detail-type'], detail: e.detail }))),
    intake: { credentials: new LocalCredentials(intake.secrets), config: intake.config },
  });
  const targets: Targets = { ingest: (e) => ingest(asTargetEvent(e), context), remind: (e) => remind(asTargetEvent(e), context) };
  return {
    targets,
    assess: (event: DynamoDBStreamEvent) => assess(event, context),
    notify: (event: SQSEvent) => notify(event, context),
    api: (async (event) => api(event, context)) satisfies ApiHandler,
  };
};
