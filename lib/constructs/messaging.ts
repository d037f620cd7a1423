/** The notice-job queue (with its DLQ) and the two SNS topics, all encrypted with the stack's key. */
import { Duration, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { SubscriptionFilter } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface TeamSubscription {
  /** Team name as in the graph (`team:` on touchpoints); briefings are filtered on it. */
  readonly team: string;
  /** Where the team's briefings are e-mailed. */
  readonly email: string;
}

export interface MessagingProps {
  /** Encrypts the queues and topics. */
  readonly key: IKey;
  /** E-mail subscriptions to `support-briefings`, each filtered on its team. */
  readonly teamSubscriptions: readonly TeamSubscription[];
}

export const secureQueue = (scope: Construct, id: string, key: IKey, props: Partial<ConstructorParameters<typeof Queue>[2]> = {}) =>
  new Queue(scope, id, { encryption: QueueEncryption.KMS, encryptionMasterKey: key, enforceSSL: true, retentionPeriod: Duration.days(14), ...props });

/** Planning (one shard of a Delta-scale assessment) may take minutes: the queue hides a job for six times that. */
export const PLAN_TIMEOUT_MINUTES = 5;

export class Messaging extends Construct {
  readonly jobs: Queue;
  readonly jobsDlq: Queue;
  /** Planning jobs, one per customer shard: FIFO, grouped by subject shard (a shard's jobs stay in order). */
  readonly planJobs: Queue;
  readonly planJobsDlq: Queue;
  readonly customerNotices: Topic;
  readonly supportBriefings: Topic;
  readonly subscriptionDlq: Queue;

  constructor(scope: Construct, id: string, props: MessagingProps) {
    super(scope, id);
    this.jobsDlq = secureQueue(this, 'NoticeJobsDlq', props.key);
    Validations.of(this.jobsDlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the dead-letter queue of the notice-job queue.' });
    Validations.of(this.jobsDlq).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This is itself a dead-letter queue.' });
    // Visibility well above six times notify's timeout (AWS-LIMITS rule 11).
    this.jobs = secureQueue(this, 'NoticeJobs', props.key, { visibilityTimeout: Duration.minutes(15), deadLetterQueue: { queue: this.jobsDlq, maxReceiveCount: 5 } });
    this.planJobsDlq = secureQueue(this, 'PlanJobsDlq', props.key, { fifo: true });
    Validations.of(this.planJobsDlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the dead-letter queue of the planning-job queue.' });
    Validations.of(this.planJobsDlq).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This is itself a dead-letter queue.' });
    this.planJobs = secureQueue(this, 'PlanJobs', props.key, {
      fifo: true,
      visibilityTimeout: Duration.minutes(PLAN_TIMEOUT_MINUTES * 6),
      deadLetterQueue: { queue: this.planJobsDlq, maxReceiveCount: 5 },
    });
    this.customerNotices = new Topic(this, 'CustomerNotices', { topicName: undefined, displayName: 'customer-notices', masterKey: props.key, enforceSSL: true });
    this.supportBriefings = new Topic(this, 'SupportBriefings', { displayName: 'support-briefings', masterKey: props.key, enforceSSL: true });
    this.subscriptionDlq = secureQueue(this, 'SubscriptionDlq', props.key);
    Validations.of(this.subscriptionDlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the dead-letter queue of the briefing subscriptions.' });
    Validations.of(this.subscriptionDlq).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This is itself a dead-letter queue.' });
    for (const sub of props.teamSubscriptions) {
      this.supportBriefings.addSubscription(
        new EmailSubscription(sub.email, { filterPolicy: { team: SubscriptionFilter.stringFilter({ allowlist: [sub.team] }) }, deadLetterQueue: this.subscriptionDlq }),
      );
    }
  }
}
