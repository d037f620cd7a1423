/**
 * Everything a handler talks to, built once per process from the environment (./environment.ts).
 * Tests and the local runtime build the same object with their own clients.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV } from './environment.ts';
import { ContactsStore } from '../../adapters/contacts-store.ts';
import { Deliveries } from '../../adapters/deliveries.ts';
import { documentClient } from '../../adapters/dynamodb/client.ts';
import { PipelineEvents } from '../../adapters/eventbridge.ts';
import { EventStore } from '../../adapters/event-store.ts';
import { GraphStore } from '../../adapters/graph-store.ts';
import { Ledger } from '../../adapters/ledger.ts';
import { Projections } from '../../adapters/projections.ts';
import { ShardStore } from '../../adapters/shard-store.ts';
import { Reminders } from '../../adapters/scheduler.ts';
import { Topic } from '../../adapters/sns.ts';
import { defaultTemplates } from '../../adapters/template-files.ts';
import { JobQueue } from '../../adapters/sqs.ts';
import { tracer } from './powertools.ts';
import { parseApprovalPolicy, type ApprovalPolicy } from '../../domain/notices/approval.ts';
import type { TemplateSet } from '../../domain/notices/template-set.ts';
import { CHAT_DIALECTS, type ChatChannel } from '../../domain/chat/briefing.ts';
import { checkIntakeConfig, type IntakeConfig } from '../../domain/intake/config.ts';
import { isHttpIntakeSource, type HttpIntakeSource } from '../../domain/intake/credentials.ts';

export interface Settings {
  reminderOffsetsHours: number[];
  incidentCadenceMinutes: number;
  snsMessagesPerSecond: number;
  /** Notify invocations at once (the queue mapping's maximum concurrency): each paces at snsMessagesPerSecond / this. */
  notifyConcurrency?: number;
  /** Which new subjects wait for `Notices Approved` when their events do not say (default: none). */
  approvalPolicy?: ApprovalPolicy;
  /** News this soon after a customer's last notice about a subject waits and goes out merged (default 5). */
  mergeWindowMinutes?: number;
  /** Severity and effect per intake source and node (checked at synth, or when the local runtime starts). */
  intake?: IntakeConfig;
  /** The support console's URL: briefings link each subject there. */
  consoleUrl?: string;
}

/** A support team's chat channel: the topic its AWS Chatbot channel configuration listens to. */
export interface ChatChannelTopic extends ChatChannel {
  topic: Topic;
}

export interface Dependencies {
  events: EventStore;
  graph: GraphStore;
  projections: Projections;
  ledger: Ledger;
  /** The reads of one customer shard of a subject (planning). */
  shards: ShardStore;
  /** Delivery state per notice and channel, counters, customers nobody could reach (impacts table). */
  deliveries: Deliveries;
  contacts: ContactsStore;
  pipelineEvents: PipelineEvents;
  jobs: JobQueue;
  /** Planning jobs, one per customer shard (FIFO: a shard's jobs in order). */
  planJobs: JobQueue;
  deadLetters: JobQueue;
  customerNotices: Topic;
  supportBriefings: Topic;
  /** The support teams' chat channels (none locally). */
  supportChat: ChatChannelTopic[];
  reminders?: Reminders;
  settings: Settings;
  /**
   * The notice templates, read and checked once per process (functions/adapters/template-files.ts);
   * throws with every problem when they cannot be used. Only the functions that render call it, and
   * the stack ships templates/ with exactly those (IMPACT_TEMPLATES_DIR).
   */
  templates: () => TemplateSet;
  now: () => number;
}

export interface Clients {
  dynamodb: DynamoDBDocumentClient;
  eventBridge: EventBridgeClient;
  sqs: SQSClient;
  sns: SNSClient;
  scheduler?: SchedulerClient;
}

export interface Names {
  tables: { events: string; graph: string; impacts: string; contacts: string };
  busName: string;
  busArn?: string;
  noticeQueueUrl: string;
  planQueueUrl?: string;
  noticeDlqUrl: string;
  customerNoticesTopicArn: string;
  supportBriefingsTopicArn: string;
  chatChannels?: (ChatChannel & { topicArn: string })[];
  schedulerGroupName?: string;
  schedulerRoleArn?: string;
}

export class ConfigurationError extends Error {
  constructor(name: string, problem = 'is not set') {
    super(`environment variable ${name} ${problem}; the stack (lib/constructs) or the local runtime sets it`);
    this.name = 'ConfigurationError';
  }
}

export const buildDependencies = (clients: Clients, names: Names, settings: Settings, now = () => Date.now()): Dependencies => ({
  events: new EventStore(clients.dynamodb, names.tables.events),
  graph: new GraphStore(clients.dynamodb, names.tables),
  projections: new Projections(clients.dynamodb, names.tables.impacts),
  ledger: new Ledger(clients.dynamodb, names.tables.impacts),
  shards: new ShardStore(clients.dynamodb, names.tables),
  deliveries: new Deliveries(clients.dynamodb, names.tables.impacts),
  contacts: new ContactsStore(clients.dynamodb, names.tables.contacts),
  pipelineEvents: new PipelineEvents(clients.eventBridge, names.busName),
  jobs: new JobQueue(clients.sqs, names.noticeQueueUrl),
  planJobs: new JobQueue(clients.sqs, names.planQueueUrl ?? ''),
  deadLetters: new JobQueue(clients.sqs, names.noticeDlqUrl),
  customerNotices: new Topic(clients.sns, names.customerNoticesTopicArn),
  supportBriefings: new Topic(clients.sns, names.supportBriefingsTopicArn),
  supportChat: (names.chatChannels ?? []).map(({ topicArn, ...channel }) => ({ ...channel, topic: new Topic(clients.sns, topicArn) })),
  ...(clients.scheduler && names.schedulerGroupName && names.schedulerRoleArn && names.busArn
    ? { reminders: new Reminders(clients.scheduler, { groupName: names.schedulerGroupName, roleArn: names.schedulerRoleArn, busArn: names.busArn }) }
    : {}),
  settings,
  templates: defaultTemplates,
  now,
});

/** The intake configuration the stack checked at synth (checked again: a hand-edited variable fails at cold start, naming it). */
export const intakeConfigFrom = (raw: string | undefined): IntakeConfig | undefined => {
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(ENV.intakeConfig, 'is not JSON');
  }
  const check = checkIntakeConfig(parsed);
  if (!check.ok)
    throw new ConfigurationError(ENV.intakeConfig, `is not a valid intake configuration (${check.problems.map((p) => `${p.path}: ${p.message}`).join('; ')})`);
  return check.config;
};

/** Secret ARN per intake source, as the stack passes it to the api function (`{"pagerduty":"arn:..."}`). */
export const intakeSecretIdsFrom = (raw: string | undefined): Partial<Record<HttpIntakeSource, string>> => {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(ENV.intakeSecrets, 'is not JSON');
  }
  if (!parsed || typeof parsed !== 'object') throw new ConfigurationError(ENV.intakeSecrets, 'is not a JSON object of secret ARNs per source');
  return Object.fromEntries(Object.entries(parsed).filter(([source, arn]) => isHttpIntakeSource(source) && typeof arn === 'string'));
};

const chatChannelsFrom = (raw: string | undefined): (ChatChannel & { topicArn: string })[] => {
  if (!raw) return [];
  const parsed: unknown = JSON.parse(raw);
  const valid = (c: unknown): c is ChatChannel & { topicArn: string } =>
    !!c &&
    typeof c === 'object' &&
    typeof (c as { team?: unknown }).team === 'string' &&
    typeof (c as { topicArn?: unknown }).topicArn === 'string' &&
    (CHAT_DIALECTS as readonly unknown[]).includes((c as { dialect?: unknown }).dialect);
  if (!Array.isArray(parsed) || !parsed.every(valid))
    throw new ConfigurationError(ENV.chatChannels, 'is not a JSON list of { team, dialect: slack|teams, topicArn }');
  return parsed;
};

const env = (name: string, required = true): string => {
  const value = process.env[name];
  if (!value && required) throw new ConfigurationError(name);
  return value ?? '';
};

/** A variable a handler cannot run without (fails at the first invocation, naming it). */
export const requiredEnv = (name: string): string => env(name);

/**
 * Dependencies from the Lambda environment. Each handler calls this on its first invocation (not at
 * import, so tests and the local runtime can import handlers without that environment) and keeps the
 * result for the life of the process.
 */
export const fromEnvironment = (): Dependencies =>
  buildDependencies(
    tracedClients(),
    {
      // A function is given only the tables it uses (lib/constructs: bindTable), so none is required here.
      tables: {
        events: env(ENV.eventsTable, false),
        graph: env(ENV.graphTable, false),
        impacts: env(ENV.impactsTable, false),
        contacts: env(ENV.contactsTable, false),
      },
      busName: env(ENV.eventBusName),
      busArn: env(ENV.eventBusArn, false),
      noticeQueueUrl: env(ENV.noticeQueueUrl, false),
      planQueueUrl: env(ENV.planQueueUrl, false),
      noticeDlqUrl: env(ENV.noticeDlqUrl, false),
      customerNoticesTopicArn: env(ENV.customerNoticesTopicArn, false),
      supportBriefingsTopicArn: env(ENV.supportBriefingsTopicArn, false),
      chatChannels: chatChannelsFrom(process.env[ENV.chatChannels]),
      schedulerGroupName: env(ENV.schedulerGroupName, false),
      schedulerRoleArn: env(ENV.schedulerRoleArn, false),
    },
    {
      reminderOffsetsHours: (process.env[ENV.reminderOffsetsHours] ?? '24,1')
        .split(',')
        .map(Number)
        .filter((n) => n > 0),
      incidentCadenceMinutes: Number(process.env[ENV.incidentCadenceMinutes] ?? 60),
      snsMessagesPerSecond: Number(process.env[ENV.snsMessagesPerSecond] ?? 300),
      notifyConcurrency: Number(process.env[ENV.notifyConcurrency] ?? 1),
      approvalPolicy: parseApprovalPolicy(process.env[ENV.approvalPolicy]),
      mergeWindowMinutes: Number(process.env[ENV.mergeWindowMinutes] ?? 5),
      intake: intakeConfigFrom(process.env[ENV.intakeConfig]),
      consoleUrl: process.env[ENV.consoleUrl],
    },
  );

/** The SDK clients a Lambda uses, each traced: X-Ray shows every DynamoDB, EventBridge, SQS, SNS and Scheduler call. */
export const tracedClients = (): Clients => ({
  dynamodb: documentClient({}, (client) => tracer.captureAWSv3Client(client)),
  eventBridge: tracer.captureAWSv3Client(new EventBridgeClient({})),
  sqs: tracer.captureAWSv3Client(new SQSClient({})),
  sns: tracer.captureAWSv3Client(new SNSClient({})),
  scheduler: tracer.captureAWSv3Client(new SchedulerClient({})),
});
