/**
 * The handlers' dependencies for the local runtime: the same adapters as in Lambda over DynamoDB Local,
 * with the local stand-ins for SQS (job queue, dead letters), SNS (topics with the outbox), Scheduler
 * (reminders) and the pipeline's outbound events (the local bus).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { documentClient } from '../../functions/adapters/dynamodb/client.ts';
import { buildDependencies, type Dependencies } from '../../functions/handlers/shared/dependencies.ts';
import { tableNames } from '../tables.ts';
import { LocalPipelineEvents, type LocalBus } from './bus.ts';
import { LocalDeadLetterQueue, type DeadLetterFile } from './dead-letters.ts';
import { LOCAL_AWS } from './dynamodb-local.ts';
import type { LocalJobQueue } from './job-queue.ts';
import { LocalTopic, type LocalSubscription } from './outbox.ts';
import type { LocalReminders } from './reminders.ts';

export const DEFAULT_SETTINGS: Dependencies['settings'] = { reminderOffsetsHours: [24, 1], incidentCadenceMinutes: 60, snsMessagesPerSecond: 1_000 };

export interface LocalParts {
  dynamodbEndpoint: string;
  bus: LocalBus;
  queue: LocalJobQueue;
  letters: DeadLetterFile;
  reminders: LocalReminders;
  outboxFile: string;
  pipelineEventsFile: string;
  subscriptions: LocalSubscription[];
  settings?: Partial<Dependencies['settings']>;
}

export const localDependencies = (parts: LocalParts): Dependencies => ({
  ...buildDependencies(
    // SQS and SNS clients are never used: their adapters are replaced below.
    { dynamodb: documentClient({ endpoint: parts.dynamodbEndpoint, ...LOCAL_AWS }), eventBridge: new EventBridgeClient({ region: 'local' }), sqs: undefined as never, sns: undefined as never },
    { tables: tableNames(''), busName: 'impact', noticeQueueUrl: 'local', noticeDlqUrl: 'local', customerNoticesTopicArn: 'local', supportBriefingsTopicArn: 'local' },
    { ...DEFAULT_SETTINGS, ...parts.settings },
  ),
  jobs: parts.queue,
  deadLetters: new LocalDeadLetterQueue(parts.letters),
  customerNotices: new LocalTopic('customer-notices', parts.outboxFile, parts.subscriptions),
  supportBriefings: new LocalTopic('support-briefings', parts.outboxFile, parts.subscriptions),
  reminders: parts.reminders,
  pipelineEvents: new LocalPipelineEvents(parts.bus, parts.pipelineEventsFile),
});
