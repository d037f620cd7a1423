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
import { resolve } from 'node:path';
import { CLAIM_LEASE_MS, LEASE_MARGIN_MS } from '../functions/domain/notices/jobs.ts';
import { TemplateFilesError, loadTemplates } from '../functions/adapters/template-files.ts';
import { ApprovalPolicyError, SEND_EVERYTHING, parseApprovalPolicy, type ApprovalPolicy } from '../functions/domain/notices/approval.ts';
import { mergeWindowProblem } from '../functions/domain/notices/merging.ts';
import { checkTemplates, templateErrors } from '../functions/domain/notices/template-check.ts';
import { formatTemplateProblem } from '../functions/domain/notices/template-set.ts';
import { checkIntakeConfig, type IntakeConfig } from '../functions/domain/intake/config.ts';
import { ENV } from './environment.ts';
import { Delivery, deliveryConfigProblems, type DeliveryConfig } from './constructs/delivery.ts';
import { EventRouting } from './constructs/event-routing.ts';
import { IntakeSecrets } from './constructs/intake.ts';
import { Messaging, PLAN_TIMEOUT_MINUTES, secureQueue, teamSubscriptionProblems, type TeamSubscription } from './constructs/messaging.ts';
import { notifyConcurrencyFor, snsBudgetFor } from './capacity.ts';
import { Operations } from './constructs/operations.ts';
import { PipelineFunction, ROOT, retentionFor, type HandlerName } from './constructs/pipeline-function.ts';
import { Storage } from './constructs/storage.ts';
import { EVENT_ITEM_KIND, INDEX_BUILD_PARTITIONS } from './tables.ts';
import { SupportApi } from './constructs/support-api.ts';
import { SupportChat } from './constructs/support-chat.ts';
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
  /** The SNS message budget fan-out is paced to; absent: 80% of the region's quota (lib/capacity.ts). */
  readonly snsMessagesPerSecond?: number;
  /** Where each support team reads its briefings: e-mail, a Slack or Teams channel (AWS Chatbot), an HTTPS webhook. */
  readonly teamSubscriptions: readonly TeamSubscription[];
  /**
   * Which new subjects wait for approval when their events do not say: JSON (an object or its text),
   * keys sev1..sev4 and change, values "send" or "draft"; keys left out send. Checked at synth.
   */
  readonly approvalPolicy: string | Readonly<Record<string, string>>;
  /** News this soon after a customer's last notice about a subject waits and goes out merged. */
  readonly mergeWindowMinutes: number;
  /** The notice templates shipped with the functions that render (relative to the project root); checked at synth. */
  readonly templatesDir: string;
  /** Severity and effect per intake source and node, what Jira's fields are called (functions/domain/intake/config.ts). */
  readonly intake: IntakeConfig;
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
  teamSubscriptions: [],
  delivery: 'built-in',
  emailFrom: '',
  emailPerSecond: 14,
  smsOriginationIdentity: '',
  smsPartsPerSecond: 1,
  pushPerSecond: 100,
  approvalPolicy: {},
  mergeWindowMinutes: 5,
  templatesDir: 'templates',
  intake: {},
};

/**
 * Lambda keeps at most 4 KB of environment per function; the intake configuration travels in it. Beyond
 * this, synth fails rather than the deploy.
 */
export const MAX_INTAKE_CONFIG_BYTES = 2048;

/** A configuration (cdk.json context) the stack cannot be built from; lists every problem. */
export class StackConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`the stack's configuration (cdk.json context, -c key=value) has ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'StackConfigError';
    this.problems = problems;
  }
}

/** What the functions are configured with, once checked. */
export interface CheckedConfig {
  intake: IntakeConfig;
  /** Complete (every key), as APPROVAL_POLICY carries it. */
  approvalPolicy: ApprovalPolicy;
  mergeWindowMinutes: number;
  /** Absolute path of the templates shipped with the functions that render. */
  templatesDir: string;
}

/**
 * The configuration checked before anything is built, every problem at once: team subscriptions, delivery, the
 * intake configuration, the approval policy, the merge window and the notice templates (every error
 * `impact templates check` would report), so that a deploy never ships what the functions would refuse.
 */
export const checkConfig = (config: PipelineConfig): CheckedConfig => {
  const intake = checkIntakeConfig(config.intake);
  const problems = [
    ...teamSubscriptionProblems(config.teamSubscriptions),
    ...deliveryConfigProblems(config),
    ...(intake.ok ? [] : intake.problems.map((p) => `impact:${p.path}: ${p.message}`)),
  ];
  const bytes = Buffer.byteLength(JSON.stringify(config.intake ?? {}));
  if (bytes > MAX_INTAKE_CONFIG_BYTES)
    problems.push(
      `impact:intake is ${bytes} bytes of JSON; at most ${MAX_INTAKE_CONFIG_BYTES} fit in the functions' environment: keep perNode overrides to the nodes that need them`,
    );
  let approvalPolicy: ApprovalPolicy = SEND_EVERYTHING;
  try {
    const policy = config.approvalPolicy;
    approvalPolicy = parseApprovalPolicy(typeof policy === 'string' ? policy : JSON.stringify(policy));
  } catch (error) {
    if (!(error instanceof ApprovalPolicyError)) throw error;
    problems.push(...error.problems.map((p) => `impact:approvalPolicy: ${p}`));
  }
  const mergeProblem = mergeWindowProblem(config.mergeWindowMinutes);
  if (mergeProblem) problems.push(`impact:mergeWindowMinutes: ${mergeProblem}`);
  const templatesDir = resolve(ROOT, config.templatesDir);
  try {
    problems.push(
      ...templateErrors(checkTemplates(loadTemplates(templatesDir, config.templatesDir))).map((p) => `impact:templatesDir: ${formatTemplateProblem(p)}`),
    );
  } catch (error) {
    if (!(error instanceof TemplateFilesError)) throw error;
    problems.push(`impact:templatesDir: ${error.message}`);
  }
  if (problems.length > 0 || !intake.ok) throw new StackConfigError(problems);
  return { intake: intake.config, approvalPolicy, mergeWindowMinutes: config.mergeWindowMinutes, templatesDir };
};

/**
 * Reads `impact:<name>` context values over the defaults. `cdk -c key=value` hands every value over as
 * text, so a value whose default is not text (a list, an object, a number, a flag) is read as JSON.
 */
export const configFromContext = (get: (key: string) => unknown): PipelineConfig => {
  const config = { ...DEFAULT_CONFIG } as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, fallback] of Object.entries(DEFAULT_CONFIG)) {
    const value = get(`impact:${key}`);
    if (value === undefined) continue;
    if (typeof value !== 'string' || typeof fallback === 'string') {
      config[key] = value;
      continue;
    }
    try {
      config[key] = JSON.parse(value);
    } catch {
      problems.push(
        `impact:${key} is not JSON (got ${JSON.stringify(value.slice(0, 80))}); give it as in cdk.json, e.g. -c 'impact:${key}=${JSON.stringify(fallback)}'`,
      );
    }
  }
  if (problems.length > 0) throw new StackConfigError(problems);
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
    const { config } = props;
    const checked = checkConfig(config);
    const intakeConfig = JSON.stringify(checked.intake);
    const key = new Key(this, 'Key', { enableKeyRotation: true, description: 'impact pipeline: tables, queues, topics, logs' });
    key.grantEncryptDecrypt(new ServicePrincipal(`logs.${this.region}.amazonaws.com`));
    key.grantEncryptDecrypt(new ServicePrincipal('events.amazonaws.com'));
    key.grantEncryptDecrypt(new ServicePrincipal('cloudwatch.amazonaws.com'));
    this.storage = new Storage(this, 'Storage', { key, prefix: config.tablePrefix, deletionProtection: config.deletionProtection });
    this.routing = new EventRouting(this, 'Events', { busName: config.busName, key, archiveRetentionDays: config.eventArchiveRetentionDays });
    this.messaging = new Messaging(this, 'Messaging', { key, teamSubscriptions: config.teamSubscriptions });
    const tables = this.storage.tables;

    const scheduleGroup = new CfnScheduleGroup(this, 'ReminderGroup', { name: `${config.busName}-reminders` });
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: 'EventBridge Scheduler puts Notice Due events on the impact bus',
    });
    this.routing.bus.grantPutEventsTo(schedulerRole);

    const logRetention = retentionFor(config.logRetentionDays);
    const asyncDlq = secureQueue(this, 'AsyncFailures', key);
    Validations.of(asyncDlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is the on-failure destination of the asynchronous functions and the stream mapping.',
    });
    Validations.of(asyncDlq).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This is itself a dead-letter queue.' });
    const asynchronous = new Set<HandlerName>(['ingest', 'remind']);
    // The functions that render customer notices; the stack test derives the same list from the handlers' code.
    const rendering = new Set<HandlerName>(['notify', 'api']);
    const make = (handler: HandlerName, description: string, environment: Record<string, string>, timeout?: Duration, memorySize?: number) =>
      new PipelineFunction(this, handler[0].toUpperCase() + handler.slice(1), {
        handler,
        description,
        // Every handler builds its bus adapter at cold start; the rest is what each one uses.
        environment: { [ENV.eventBusName]: this.routing.bus.eventBusName, ...environment },
        logRetention,
        key,
        ...(timeout ? { timeout } : {}),
        ...(memorySize ? { memorySize } : {}),
        ...(asynchronous.has(handler) ? { asynchronous: true, deadLetterQueue: asyncDlq } : {}),
        ...(rendering.has(handler) ? { templatesDir: checked.templatesDir } : {}),
      });
    const scheduling = {
      [ENV.eventBusArn]: this.routing.bus.eventBusArn,
      [ENV.schedulerGroupName]: scheduleGroup.name!,
      [ENV.schedulerRoleArn]: schedulerRole.roleArn,
      [ENV.reminderOffsetsHours]: config.reminderOffsetsHours.join(','),
      [ENV.incidentCadenceMinutes]: String(config.incidentCadenceMinutes),
      [ENV.planQueueUrl]: this.messaging.planJobs.queueUrl,
    };
    // Fan-out is paced in notify: each of `notifyConcurrency` workers at its share of the budget (an SQS
    // delay stops at 900 s, so pacing by delays bunched everything past 900 x rate at the 900th second).
    const snsBudget = config.snsMessagesPerSecond ?? snsBudgetFor(Token.isUnresolved(this.region) ? undefined : this.region);
    const notifyConcurrency = notifyConcurrencyFor(snsBudget);
    const pacing = { [ENV.snsMessagesPerSecond]: String(snsBudget), [ENV.notifyConcurrency]: String(notifyConcurrency) };
    const approval = { [ENV.approvalPolicy]: JSON.stringify(checked.approvalPolicy) };
    const intakeSecrets = new IntakeSecrets(this, 'Intake', { key });
    const chat = new SupportChat(this, 'Chat', { key, teamSubscriptions: config.teamSubscriptions, namePrefix: `${config.busName}-` });

    this.functions = {
      ingest: make('ingest', 'validate, dedupe and append change/incident events; map AWS Health events', { [ENV.intakeConfig]: intakeConfig }),
      // assess is light whatever the estate (fold, propagate, start a run): its time does not grow with customers.
      assess: make(
        'assess',
        'fold subjects, propagate impact, start an assessment run per customer shard',
        { ...scheduling, ...approval },
        Duration.minutes(1),
      ),
      plan: make(
        'plan',
        'assess one customer shard of a subject and plan its notices',
        { [ENV.noticeQueueUrl]: this.messaging.jobs.queueUrl },
        Duration.minutes(PLAN_TIMEOUT_MINUTES),
      ),
      notify: make(
        'notify',
        'send customer notices and support briefings',
        {
          ...pacing,
          [ENV.mergeWindowMinutes]: String(checked.mergeWindowMinutes),
          [ENV.noticeQueueUrl]: this.messaging.jobs.queueUrl,
          [ENV.noticeDlqUrl]: this.messaging.jobsDlq.queueUrl,
          [ENV.customerNoticesTopicArn]: this.messaging.customerNotices.topicArn,
          [ENV.supportBriefingsTopicArn]: this.messaging.supportBriefings.topicArn,
          [ENV.chatChannels]: this.toJsonString(chat.channels.map((c) => ({ team: c.team, dialect: c.dialect, topicArn: c.topic.topicArn }))),
          // A notify that lives cannot outlast its ledger claims' lease (functions/adapters/ledger.ts).
        },
        Duration.seconds((CLAIM_LEASE_MS - LEASE_MARGIN_MS) / 1000),
      ),
      remind: make('remind', 'reminders, overrun and incident cadence updates', { ...scheduling, ...approval }),
      api: make('api', 'support API: subjects, customer lookup, what-if, drafts and approval; intake from the tools', {
        [ENV.intakeConfig]: intakeConfig,
        [ENV.intakeSecrets]: intakeSecrets.arns,
      }),
    };
    // Least privilege: each function is given the tables it uses, read-only unless it writes; only notify reads contacts.
    const { events, graph, impacts, contacts } = this.storage.bindings;
    this.functions.ingest.bindTable(events, 'read-write').bindTable(graph).bindTable(impacts, 'write');
    this.functions.assess.bindTable(events).bindTable(graph).bindTable(impacts, 'read-write');
    this.functions.plan.bindTable(graph).bindTable(impacts, 'read-write');
    // notify reads a customer's channel preference (graph) only when a planned channel's contact is marked.
    this.functions.notify.bindTable(impacts, 'read-write').bindTable(contacts).bindTable(graph);
    this.functions.remind.bindTable(impacts);
    this.functions.api.bindTable(events).bindTable(graph).bindTable(impacts);
    const { ingest, assess, plan, notify, remind, api } = Object.fromEntries(Object.entries(this.functions).map(([k, v]) => [k, v.fn])) as Record<
      HandlerName,
      PipelineFunction['fn']
    >;
    for (const fn of [ingest, remind]) fn.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(asyncDlq) });

    for (const fn of [ingest, assess, plan, api]) this.routing.bus.grantPutEventsTo(fn);
    this.messaging.planJobs.grantSendMessages(assess);
    this.messaging.planJobs.grantSendMessages(remind);
    this.messaging.jobs.grantSendMessages(plan);
    this.messaging.jobs.grantSendMessages(notify);
    this.messaging.jobsDlq.grantSendMessages(notify);
    this.messaging.customerNotices.grantPublish(notify);
    this.messaging.supportBriefings.grantPublish(notify);
    for (const c of chat.channels) c.topic.grantPublish(notify);
    // Only the api function reads the intake secrets; it writes no table but its rejections (leading key rejected#...)
    // and the one-time builds of the indexes.
    intakeSecrets.grantRead(api);
    api.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:PutItem'],
        resources: [tables.impacts.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['rejected#*'] } },
      }),
    );
    // The first reader of a store that predates the changes, open incidents and metrics indexes builds them once (their partitions only).
    api.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [tables.impacts.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': INDEX_BUILD_PARTITIONS } },
      }),
    );
    key.grantEncrypt(api);
    for (const fn of [assess, remind]) {
      fn.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['scheduler:CreateSchedule'],
          resources: [`arn:${this.partition}:scheduler:${this.region}:${this.account}:schedule/${scheduleGroup.name}/*`],
        }),
      );
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
        filters: [
          FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { NewImage: { kind: { S: FilterRule.isEqual(EVENT_ITEM_KIND) } } } }),
        ],
      }),
    );
    // A shard a job: every shard of a subject in its own invocation, a shard's jobs in order (FIFO groups).
    plan.addEventSource(new SqsEventSource(this.messaging.planJobs, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 50 }));
    Validations.of(plan).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: 'SQS mappings have no on-failure destination: the planning-job queue redrives to its DLQ after 5 receives.',
    });
    const jobSource = new SqsEventSource(this.messaging.jobs, { batchSize: 5, reportBatchItemFailures: true, maxConcurrency: notifyConcurrency });
    notify.addEventSource(jobSource);
    Validations.of(notify).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: 'SQS mappings have no on-failure destination: the notice-job queue redrives to its DLQ after 5 receives.',
    });
    for (const fn of [assess, remind]) {
      Validations.of(fn.role!.node.findChild('DefaultPolicy')).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:${Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region}:${Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account}:schedule/${scheduleGroup.name}/*]`,
        reason: "Schedule names are made per subject at run time; the grant is limited to the pipeline's schedule group.",
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
    // Briefings link each subject in the console (chat and e-mail).
    notify.addEnvironment(ENV.consoleUrl, supportConsole.url);
    new Operations(this, 'Operations', {
      key,
      alarmEmail: config.alarmEmail,
      functions: { ...this.functions, ...this.delivery?.functions },
      deadLetterQueues: {
        noticeJobsDlq: this.messaging.jobsDlq,
        planJobsDlq: this.messaging.planJobsDlq,
        targetDlq: this.routing.targetDlq,
        asyncFailures: asyncDlq,
        subscriptionDlq: this.messaging.subscriptionDlq,
        ...Object.fromEntries(Object.entries(this.delivery?.deadLetterQueues ?? {}).map(([channel, queue]) => [`${channel}DeliveryDlq`, queue])),
      },
    });
    new CfnOutput(this, 'EventBusName', { value: this.routing.bus.eventBusName });
    new CfnOutput(this, 'TablePrefix', { value: config.tablePrefix });
    new CfnOutput(this, 'CustomerNoticesTopic', { value: this.messaging.customerNotices.topicArn });
    new CfnOutput(this, 'IntakeUrl', {
      value: `${this.supportApi.api.apiEndpoint}/intake/`,
      description: 'append the tool: servicenow, jira, pagerduty or alertmanager',
    });
  }
}
