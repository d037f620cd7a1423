/**
 * ImpactPipelineStack: the whole pipeline (DESIGN sections 2 and 9), composed of one construct per
 * concern. Configuration comes from cdk.json context (see README "Deploy to AWS").
 */
import { CfnOutput, Duration, Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { ENV } from './environment.ts';
import { Delivery, checkDeliveryConfig, type DeliveryConfig } from './constructs/delivery.ts';
import { EventRouting } from './constructs/event-routing.ts';
import { Messaging, secureQueue, type TeamSubscription } from './constructs/messaging.ts';
import { Operations } from './constructs/operations.ts';
import { PipelineFunction, retentionFor, type HandlerName } from './constructs/pipeline-function.ts';
import { Storage } from './constructs/storage.ts';
import { SupportApi } from './constructs/support-api.ts';
import { SupportConsole } from './constructs/support-console.ts';

/** The stack's configuration: `impact:<name>` context values (README, "Deploy to AWS"). */
export interface PipelineConfig extends DeliveryConfig {
  /** Name of the event bus. */
  readonly busName: string;
  /** Physical table names are `<tablePrefix><logical name>`. */
  readonly tablePrefix: string;
  /** Reminders this many hours before a change window. */
  readonly reminderOffsetsHours: readonly number[];
  readonly incidentCadenceMinutes: number;
  /** Function and API log retention. */
  readonly logRetentionDays: number;
  /** How long events can be replayed from the archive. */
  readonly eventArchiveRetentionDays: number;
  /** Where alarms are e-mailed; none when empty. */
  readonly alarmEmail: string;
  /** Deletion protection on the tables, and tables retained when the stack goes. */
  readonly deletionProtection: boolean;
  /** The region's SNS message budget that fan-out is paced to. */
  readonly snsMessagesPerSecond: number;
  /** Support teams' e-mail subscriptions to their briefings. */
  readonly teamSubscriptions: readonly TeamSubscription[];
}

export const DEFAULT_CONFIG: PipelineConfig = {
  busName: 'impact',
  tablePrefix: 'impact-',
  reminderOffsetsHours: [24, 1],
  incidentCadenceMinutes: 60,
  logRetentionDays: 30,
  eventArchiveRetentionDays: 365,
  alarmEmail: '',
  deletionProtection: true,
  snsMessagesPerSecond: 300,
  teamSubscriptions: [],
  delivery: 'built-in',
  emailFrom: '',
  emailPerSecond: 14,
  smsOriginationIdentity: '',
  smsPartsPerSecond: 1,
  pushPerSecond: 100,
};

/** Reads `impact:<name>` context values over the defaults. */
export const configFromContext = (get: (key: string) => unknown): PipelineConfig => {
  const config = { ...DEFAULT_CONFIG } as Record<string, unknown>;
  for (const key of Object.keys(DEFAULT_CONFIG)) {
    const value = get(`impact:${key}`);
    if (value !== undefined) config[key] = value;
  }
  return config as unknown as PipelineConfig;
};

export interface ImpactPipelineStackProps extends StackProps {
  readonly config: PipelineConfig;
}

export class ImpactPipelineStack extends Stack {
  readonly storage: Storage;
  readonly routing: EventRouting;
  readonly messaging: Messaging;
  readonly functions: Record<HandlerName, PipelineFunction>;
  readonly supportApi: SupportApi;
  /** Built-in delivery; absent with `impact:delivery` = `topic-only`. */
  readonly delivery?: Delivery;

  constructor(scope: Construct, id: string, props: ImpactPipelineStackProps) {
    super(scope, id, props);
    const config = { ...props.config, ...checkDeliveryConfig(props.config) };
    const key = new Key(this, 'Key', { enableKeyRotation: true, description: 'impact pipeline: tables, queues, topics, logs' });
    key.grantEncryptDecrypt(new ServicePrincipal(`logs.${this.region}.amazonaws.com`));
    key.grantEncryptDecrypt(new ServicePrincipal('events.amazonaws.com'));
    key.grantEncryptDecrypt(new ServicePrincipal('cloudwatch.amazonaws.com'));
    this.storage = new Storage(this, 'Storage', { key, prefix: config.tablePrefix, deletionProtection: config.deletionProtection });
    this.routing = new EventRouting(this, 'Events', { busName: config.busName, key, archiveRetentionDays: config.eventArchiveRetentionDays });
    this.messaging = new Messaging(this, 'Messaging', { key, teamSubscriptions: config.teamSubscriptions });
    const tables = this.storage.tables;

    const scheduleGroup = new CfnScheduleGroup(this, 'ReminderGroup', { name: `${config.busName}-reminders` });
    const schedulerRole = new Role(this, 'SchedulerRole', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com'), description: 'EventBridge Scheduler puts Notice Due events on the impact bus' });
    this.routing.bus.grantPutEventsTo(schedulerRole);

    const logRetention = retentionFor(config.logRetentionDays);
    const asyncDlq = secureQueue(this, 'AsyncFailures', key);
    Validations.of(asyncDlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the on-failure destination of the asynchronous functions and the stream mapping.' });
    Validations.of(asyncDlq).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This is itself a dead-letter queue.' });
    const asynchronous = new Set<HandlerName>(['ingest', 'remind']);
    const make = (handler: HandlerName, description: string, environment: Record<string, string>, timeout?: Duration) =>
      new PipelineFunction(this, handler[0].toUpperCase() + handler.slice(1), {
        handler,
        description,
        // Every handler builds its bus adapter at cold start; the rest is what each one uses.
        environment: { [ENV.eventBusName]: this.routing.bus.eventBusName, ...environment },
        logRetention,
        key,
        ...(timeout ? { timeout } : {}),
        ...(asynchronous.has(handler) ? { asynchronous: true, deadLetterQueue: asyncDlq } : {}),
      });
    const scheduling = {
      [ENV.eventBusArn]: this.routing.bus.eventBusArn,
      [ENV.schedulerGroupName]: scheduleGroup.name!,
      [ENV.schedulerRoleArn]: schedulerRole.roleArn,
      [ENV.reminderOffsetsHours]: config.reminderOffsetsHours.join(','),
      [ENV.incidentCadenceMinutes]: String(config.incidentCadenceMinutes),
      [ENV.noticeQueueUrl]: this.messaging.jobs.queueUrl,
    };
    const pacing = { [ENV.snsMessagesPerSecond]: String(config.snsMessagesPerSecond) };

    this.functions = {
      ingest: make('ingest', 'validate, dedupe and append change/incident events', {}),
      assess: make('assess', 'fold subjects, assess impact, plan notices', { ...scheduling, ...pacing }, Duration.minutes(5)),
      notify: make('notify', 'send customer notices and support briefings', {
        ...pacing,
        [ENV.noticeQueueUrl]: this.messaging.jobs.queueUrl,
        [ENV.noticeDlqUrl]: this.messaging.jobsDlq.queueUrl,
        [ENV.customerNoticesTopicArn]: this.messaging.customerNotices.topicArn,
        [ENV.supportBriefingsTopicArn]: this.messaging.supportBriefings.topicArn,
      }, Duration.minutes(2)),
      remind: make('remind', 'reminders, overrun and incident cadence updates', scheduling),
      api: make('api', 'support API: subjects, customer lookup, what-if', {}),
    };
    // Least privilege: each function is given the tables it uses, read-only unless it writes; only notify reads contacts.
    const { events, graph, impacts, contacts } = this.storage.bindings;
    this.functions.ingest.bindTable(events, 'read-write').bindTable(graph).bindTable(impacts, 'write');
    this.functions.assess.bindTable(events).bindTable(graph).bindTable(impacts, 'read-write');
    // notify reads a customer's channel preference (graph) only when a planned channel's contact is marked.
    this.functions.notify.bindTable(impacts, 'read-write').bindTable(contacts).bindTable(graph);
    this.functions.remind.bindTable(graph).bindTable(impacts, 'read-write');
    this.functions.api.bindTable(events).bindTable(graph).bindTable(impacts);
    const { ingest, assess, notify, remind, api } = Object.fromEntries(Object.entries(this.functions).map(([k, v]) => [k, v.fn])) as Record<HandlerName, PipelineFunction['fn']>;
    for (const fn of [ingest, remind]) fn.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(asyncDlq) });

    for (const fn of [ingest, assess, api]) this.routing.bus.grantPutEventsTo(fn);
    this.messaging.jobs.grantSendMessages(assess);
    this.messaging.jobs.grantSendMessages(remind);
    this.messaging.jobs.grantSendMessages(notify);
    this.messaging.jobsDlq.grantSendMessages(notify);
    this.messaging.customerNotices.grantPublish(notify);
    this.messaging.supportBriefings.grantPublish(notify);
    for (const fn of [assess, remind]) {
      fn.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['scheduler:CreateSchedule'], resources: [`arn:${this.partition}:scheduler:${this.region}:${this.account}:schedule/${scheduleGroup.name}/*`] }));
      schedulerRole.grantPassRole(fn.grantPrincipal);
    }

    // The stream carries only event inserts to assess: in order, bounded retries, failures parked.
    assess.addEventSource(
      new DynamoEventSource(tables.events, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        bisectBatchOnError: true,
        retryAttempts: 5,
        maxRecordAge: Duration.hours(6),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(asyncDlq),
        filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { NewImage: { kind: { S: FilterRule.isEqual('event') } } } })],
      }),
    );
    const jobSource = new SqsEventSource(this.messaging.jobs, { batchSize: 5, reportBatchItemFailures: true, maxConcurrency: 10 });
    notify.addEventSource(jobSource);
    Validations.of(notify).acknowledge({ id: 'Serverless-LambdaEventSourceMappingDestination', reason: 'SQS mappings have no on-failure destination: the notice-job queue redrives to its DLQ after 5 receives.' });
    for (const fn of [assess, remind]) {
      Validations.of(fn.role!.node.findChild('DefaultPolicy')).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:${Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region}:${Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account}:schedule/${scheduleGroup.name}/*]`,
        reason: 'Schedule names are made per subject at run time; the grant is limited to the pipeline\'s schedule group.',
      });
    }
    if (config.delivery === 'built-in') {
      this.delivery = new Delivery(this, 'Delivery', {
        config,
        customerNotices: this.messaging.customerNotices,
        busName: this.routing.bus.eventBusName,
        grantPutEvents: (fn) => this.routing.bus.grantPutEventsTo(fn.fn),
        noticeJobs: this.messaging.jobs,
        impacts,
        graph,
        contacts,
        key,
        logRetention,
        asyncFailures: asyncDlq,
        subscriptionDlq: this.messaging.subscriptionDlq,
      });
    }
    this.routing.route({ ingest, remind, ...(this.delivery ? { receipts: this.delivery.receipts.fn } : {}) });

    const supportConsole = new SupportConsole(this, 'Console');
    this.supportApi = new SupportApi(this, 'Support', { fn: api, key, logRetention, consoleUrl: supportConsole.url });
    supportConsole.deploy({ apiUrl: this.supportApi.api.apiEndpoint, userPool: this.supportApi.userPool, client: this.supportApi.client });
    new Operations(this, 'Operations', {
      key,
      alarmEmail: config.alarmEmail,
      functions: { ...this.functions, ...this.delivery?.functions },
      deadLetterQueues: {
        noticeJobsDlq: this.messaging.jobsDlq,
        targetDlq: this.routing.targetDlq,
        asyncFailures: asyncDlq,
        subscriptionDlq: this.messaging.subscriptionDlq,
        ...Object.fromEntries(Object.entries(this.delivery?.deadLetterQueues ?? {}).map(([channel, queue]) => [`${channel}DeliveryDlq`, queue])),
      },
    });
    new CfnOutput(this, 'EventBusName', { value: this.routing.bus.eventBusName });
    new CfnOutput(this, 'TablePrefix', { value: config.tablePrefix });
    new CfnOutput(this, 'CustomerNoticesTopic', { value: this.messaging.customerNotices.topicArn });
  }
}
