/**
 * Built-in delivery (`impact:delivery` = `built-in`): `customer-notices` stays the fan-out point and
 * gets one SQS subscription per channel, filtered on the `channel` attribute (raw message delivery),
 * each drained by its deliver function at the channel's quota:
 *   e-mail  Amazon SES v2 SendEmail from `impact:emailFrom`, through a configuration set whose event
 *           destination is the account's default EventBridge bus (the only one SES can publish to);
 *   SMS     AWS End User Messaging SMS SendTextMessage from `impact:smsOriginationIdentity`, through a
 *           configuration set whose event destination is an SNS topic the receipts function reads;
 *   push    SNS Publish to the customer's platform endpoint.
 * A channel whose sender is not configured is left out (a warning at synth says which key turns it on):
 * its notices stay on the topic for a sender of the user's own. The receipts function maps provider
 * events to receipts and applies receipts (functions/handlers/receipts.ts); its rules are lib/routes.ts'
 * delivery routes. Each deliver function may send on its own channel only; nothing here can read the
 * contacts table (receipts may set a contact's mark, and nothing else).
 */
import { Annotations, Arn, ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { CfnConfigurationSet } from 'aws-cdk-lib/aws-smsvoice';
import { SubscriptionFilter, Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription, SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { pacingPlan } from '../../functions/domain/delivery/sending.ts';
import { MAX_SMS_SEGMENTS } from '../../functions/domain/notices/sms.ts';
import { MARK_ATTRIBUTES } from '../../functions/adapters/contacts-store.ts';
import type { NotifyChannel } from '../../functions/domain/model.ts';
import { ENV } from '../environment.ts';
import { secureQueue } from './messaging.ts';
import { PipelineFunction, type DeliveryHandlerName, type TableBinding } from './pipeline-function.ts';

export const DELIVERY_MODES = ['built-in', 'topic-only'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/** The delivery part of the stack's configuration (`impact:<name>` context values; README, "Deploy to AWS"). */
export interface DeliveryConfig {
  /** `built-in`: subscriptions, deliver functions, receipts. `topic-only`: notices stop at `customer-notices`. */
  readonly delivery: DeliveryMode;
  /** The verified SES identity notices are sent from; empty: no e-mail delivery. */
  readonly emailFrom: string;
  /** SES maximum send rate of the account (messages/s; `GetAccount` SendQuota.MaxSendRate). */
  readonly emailPerSecond: number;
  /** The SMS origination identity: an ARN, or a phone number or pool id (`phone-...`, `pool-...`); empty: no SMS delivery. */
  readonly smsOriginationIdentity: string;
  /** Message parts per second of that identity. */
  readonly smsPartsPerSecond: number;
  /** Push publishes per second (they share the region's SNS budget with the fan-out). */
  readonly pushPerSecond: number;
}

const problem = (key: keyof DeliveryConfig, value: unknown, fix: string) => `impact:${key} is ${JSON.stringify(value)}: ${fix}`;

const notPositive = (config: DeliveryConfig, key: 'emailPerSecond' | 'smsPartsPerSecond' | 'pushPerSecond'): string[] => {
  const value = config[key];
  return typeof value !== 'number' || !Number.isFinite(value) || value <= 0 ? [problem(key, value, 'give a number above 0 (per second)')] : [];
};

/** What is wrong with the delivery settings (the stack's checkConfig reports them with the rest), each naming the key, the value and the fix. */
export const deliveryConfigProblems = (config: DeliveryConfig): string[] => [
  ...((DELIVERY_MODES as readonly unknown[]).includes(config.delivery) ? [] : [problem('delivery', config.delivery, `use ${DELIVERY_MODES.join(' or ')}`)]),
  ...(config.emailFrom && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(config.emailFrom)
    ? [problem('emailFrom', config.emailFrom, 'give the verified sender address, e.g. notices@example.com, or leave it empty (no e-mail delivery)')]
    : []),
  ...(config.smsOriginationIdentity &&
  !/^(arn:aws[\w-]*:sms-voice:[a-z0-9-]+:\d{12}:(phone-number|pool|sender-id)\/\S+|phone-[0-9a-f]{32}|pool-[0-9a-f]{32})$/.test(config.smsOriginationIdentity)
    ? [
        problem(
          'smsOriginationIdentity',
          config.smsOriginationIdentity,
          'give the ARN of a phone number, pool or sender ID, or a phone number or pool id (phone-..., pool-...), or leave it empty (no SMS delivery)',
        ),
      ]
    : []),
  ...notPositive(config, 'emailPerSecond'),
  ...notPositive(config, 'smsPartsPerSecond'),
  ...notPositive(config, 'pushPerSecond'),
];

export interface DeliveryProps {
  readonly config: DeliveryConfig;
  /** The fan-out topic the channels subscribe to. */
  readonly customerNotices: ITopic;
  /** The impact bus: receipts are put on it. */
  readonly busName: string;
  readonly grantPutEvents: (fn: PipelineFunction) => void;
  /** Fallback jobs go to notify through it. */
  readonly noticeJobs: Queue;
  readonly impacts: TableBinding;
  readonly graph: TableBinding;
  readonly contacts: TableBinding;
  readonly key: IKey;
  readonly logRetention: RetentionDays;
  /** On-failure destination of the receipts function (asynchronous). */
  readonly asyncFailures: Queue;
  /** Dead-letter queue of the subscriptions. */
  readonly subscriptionDlq: Queue;
}

interface Channel {
  channel: NotifyChannel;
  handler: DeliveryHandlerName;
  perSecond: number;
  unitsPerMessage: number;
  environment: Record<string, string>;
  grant: (fn: PipelineFunction) => void;
}

export class Delivery extends Construct {
  readonly functions: Partial<Record<DeliveryHandlerName, PipelineFunction>> = {};
  readonly queues: Partial<Record<NotifyChannel, Queue>> = {};
  readonly deadLetterQueues: Partial<Record<NotifyChannel, Queue>> = {};
  readonly receipts: PipelineFunction;
  readonly emailConfigurationSet?: ConfigurationSet;
  readonly smsConfigurationSet?: CfnConfigurationSet;
  readonly smsEvents?: Topic;

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    const { config, key } = props;
    const stack = Stack.of(this);
    const arn = (service: string, resource: string, resourceName: string) =>
      Arn.format({ service, resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }, stack);
    const channels: Channel[] = [];

    if (config.emailFrom) {
      const configurationSet = new ConfigurationSet(this, 'EmailConfigurationSet');
      configurationSet.addEventDestination('ToDefaultBus', {
        destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
        events: [EmailSendingEvent.DELIVERY, EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.DELIVERY_DELAY, EmailSendingEvent.REJECT],
      });
      this.emailConfigurationSet = configurationSet;
      const domain = config.emailFrom.slice(config.emailFrom.lastIndexOf('@') + 1);
      channels.push({
        channel: 'email',
        handler: 'deliver-email',
        perSecond: config.emailPerSecond,
        unitsPerMessage: 1,
        environment: { [ENV.emailFrom]: config.emailFrom, [ENV.emailConfigurationSet]: configurationSet.configurationSetName },
        grant: (fn) =>
          fn.fn.addToRolePolicy(
            new PolicyStatement({
              effect: Effect.ALLOW,
              actions: ['ses:SendEmail'],
              // The sender (as an address or through its verified domain) and our configuration set: nothing else.
              resources: [
                arn('ses', 'identity', config.emailFrom),
                arn('ses', 'identity', domain),
                arn('ses', 'configuration-set', configurationSet.configurationSetName),
              ],
            }),
          ),
      });
    } else {
      Annotations.of(this).addWarning(
        'No e-mail delivery: set impact:emailFrom to a verified SES identity to turn it on (e-mail notices stay on customer-notices).',
      );
    }

    if (config.smsOriginationIdentity) {
      // SMS events come back through an SNS topic the configuration set publishes to.
      this.smsEvents = new Topic(this, 'SmsEvents', { displayName: 'impact sms events', masterKey: key, enforceSSL: true });
      const servicePrincipal = new ServicePrincipal('sms-voice.amazonaws.com');
      this.smsEvents.addToResourcePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          principals: [servicePrincipal],
          actions: ['sns:Publish'],
          resources: [this.smsEvents.topicArn],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
      );
      key.grant(servicePrincipal, 'kms:GenerateDataKey*', 'kms:Decrypt');
      const configurationSet = new CfnConfigurationSet(this, 'SmsConfigurationSet', {
        eventDestinations: [
          { eventDestinationName: 'receipts', enabled: true, matchingEventTypes: ['TEXT_ALL'], snsDestination: { topicArn: this.smsEvents.topicArn } },
        ],
      });
      this.smsConfigurationSet = configurationSet;
      const identity = config.smsOriginationIdentity.startsWith('arn:')
        ? config.smsOriginationIdentity
        : arn('sms-voice', config.smsOriginationIdentity.startsWith('pool-') ? 'pool' : 'phone-number', config.smsOriginationIdentity);
      channels.push({
        channel: 'sms',
        handler: 'deliver-sms',
        perSecond: config.smsPartsPerSecond,
        unitsPerMessage: MAX_SMS_SEGMENTS,
        environment: { [ENV.smsOriginationIdentity]: config.smsOriginationIdentity, [ENV.smsConfigurationSet]: configurationSet.ref },
        grant: (fn) =>
          fn.fn.addToRolePolicy(
            new PolicyStatement({
              effect: Effect.ALLOW,
              actions: ['sms-voice:SendTextMessage'],
              resources: [identity, arn('sms-voice', 'configuration-set', configurationSet.ref)],
            }),
          ),
      });
    } else {
      Annotations.of(this).addWarning(
        'No SMS delivery: set impact:smsOriginationIdentity to an origination identity (phone number, pool or sender ID) to turn it on (SMS notices stay on customer-notices).',
      );
    }

    channels.push({
      channel: 'push',
      handler: 'deliver-push',
      perSecond: config.pushPerSecond,
      unitsPerMessage: 1,
      environment: {},
      grant: (fn) => {
        // Publish to platform endpoints only (the customers' devices), never to a topic.
        fn.fn.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['sns:Publish'], resources: [arn('sns', 'endpoint', '*')] }));
        const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
        const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
        Validations.of(fn.fn.role!.node.findChild('DefaultPolicy')).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sns:${region}:${account}:endpoint/*]`,
          reason: "Push goes to each customer's own platform endpoint (created by the apps); the grant covers endpoints only, no topic.",
        });
      },
    });

    for (const c of channels) this.channelDelivery(c, props);

    this.receipts = new PipelineFunction(this, 'Receipts', {
      handler: 'receipts',
      description: 'delivery receipts: SES and SMS events to receipts, receipts to delivery state, contact marks and fallbacks',
      environment: { [ENV.eventBusName]: props.busName, [ENV.noticeQueueUrl]: props.noticeJobs.queueUrl },
      logRetention: props.logRetention,
      key,
      asynchronous: true,
      deadLetterQueue: props.asyncFailures,
    });
    const receipts = this.receipts;
    receipts.fn.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(props.asyncFailures) });
    receipts.bindTable(props.impacts, 'read-write').bindTable(props.graph);
    this.bindContactMarks(receipts, props.contacts);
    props.noticeJobs.grantSendMessages(receipts.fn);
    props.grantPutEvents(receipts);
    this.smsEvents?.addSubscription(new LambdaSubscription(receipts.fn, { deadLetterQueue: props.subscriptionDlq }));
    this.functions.receipts = receipts;
  }

  /** The channel's queue (subscribed to the topic, filtered on `channel`), its DLQ and its deliver function, paced to its quota. */
  private channelDelivery(c: Channel, props: DeliveryProps): void {
    const plan = pacingPlan({ perSecond: c.perSecond, maxUnitsPerMessage: c.unitsPerMessage });
    const name = c.channel[0].toUpperCase() + c.channel.slice(1);
    const dlq = secureQueue(this, `${name}Dlq`, props.key);
    Validations.of(dlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: `This is the dead-letter queue of the ${c.channel} delivery queue.` });
    Validations.of(dlq).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This is itself a dead-letter queue.' });
    // Visibility six times the function's timeout (AWS-LIMITS rule 11); a throttled message comes back after it.
    const queue = secureQueue(this, `${name}Queue`, props.key, {
      visibilityTimeout: Duration.seconds(plan.timeoutSeconds * 6),
      deadLetterQueue: { queue: dlq, maxReceiveCount: 10 },
    });
    props.customerNotices.addSubscription(
      new SqsSubscription(queue, {
        rawMessageDelivery: true,
        filterPolicy: { channel: SubscriptionFilter.stringFilter({ allowlist: [c.channel] }) },
        deadLetterQueue: props.subscriptionDlq,
      }),
    );
    const fn = new PipelineFunction(this, `Deliver${name}`, {
      handler: c.handler,
      description: `deliver customer notices by ${c.channel}, paced to ${c.perSecond}/s`,
      environment: {
        [ENV.eventBusName]: props.busName,
        [ENV.deliveryPerSecond]: String(c.perSecond),
        [ENV.deliveryWorkers]: String(plan.workers),
        // Longer than an invocation, shorter than the visibility timeout: a crashed worker's notice is sent by the next receive.
        [ENV.deliveryLeaseMs]: String((plan.timeoutSeconds + 30) * 1000),
        ...c.environment,
      },
      timeout: Duration.seconds(plan.timeoutSeconds),
      logRetention: props.logRetention,
      key: props.key,
    });
    fn.bindTable(props.impacts, 'read-write');
    props.grantPutEvents(fn);
    c.grant(fn);
    fn.fn.addEventSource(new SqsEventSource(queue, { batchSize: plan.batchSize, maxConcurrency: plan.workers, reportBatchItemFailures: true }));
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: `SQS mappings have no on-failure destination: the ${c.channel} queue redrives to its DLQ after 10 receives.`,
    });
    this.functions[c.handler] = fn;
    this.queues[c.channel] = queue;
    this.deadLetterQueues[c.channel] = dlq;
  }

  /**
   * The receipts function may set a contact's mark and nothing else: UpdateItem of the mark attributes
   * (and the key, for its condition), returning nothing. No read, no put, no delete.
   */
  private bindContactMarks(fn: PipelineFunction, contacts: TableBinding): void {
    fn.fn.addEnvironment(contacts.env, contacts.table.tableName);
    fn.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:UpdateItem'],
        resources: [contacts.table.tableArn],
        conditions: {
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['customerId', ...MARK_ATTRIBUTES] },
          StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
        },
      }),
    );
    contacts.table.encryptionKey?.grantEncryptDecrypt(fn.fn);
  }
}
