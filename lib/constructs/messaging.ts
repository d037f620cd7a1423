/**
 * The notice-job queue (with its DLQ) and the two SNS topics, all encrypted with the stack's key; the
 * support teams' e-mail and webhook subscriptions to `support-briefings`, each filtered on its team.
 * (Chat channels get topics of their own: support-chat.ts.)
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SubscriptionFilter, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, UrlSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Where a support team reads its briefings (`impact:teamSubscriptions`), one destination per entry:
 * an e-mail address, a Slack or Microsoft Teams channel through AWS Chatbot, or an HTTPS webhook.
 */
export type TeamSubscription = { readonly team: string } & (
  | { readonly email: string }
  | { readonly slack: { readonly workspaceId: string; readonly channelId: string } }
  | { readonly teams: { readonly teamId: string; readonly channelId: string; readonly tenantId: string } }
  | { readonly webhook: string }
);

const DESTINATIONS = ['email', 'slack', 'teams', 'webhook'] as const;
const CHAT_ID = /^[A-Za-z0-9-_.:%@]{1,256}$/;
const text = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const ids = (v: unknown, keys: readonly string[]): boolean =>
  !!v && typeof v === 'object' && keys.every((k) => CHAT_ID.test(String((v as Record<string, unknown>)[k] ?? '')));

/** Every problem of `impact:teamSubscriptions`, each naming its entry, field and the fix (none: valid). */
export const teamSubscriptionProblems = (raw: unknown): string[] => {
  if (!Array.isArray(raw)) return [`impact:teamSubscriptions must be a list of { team, email | slack | teams | webhook } (got ${JSON.stringify(raw)})`];
  return raw.flatMap((entry: unknown, i): string[] => {
    const at = `impact:teamSubscriptions[${i}]`;
    if (!entry || typeof entry !== 'object') return [`${at} must be an object { team, email | slack | teams | webhook }`];
    const e = entry as Record<string, unknown>;
    const given = DESTINATIONS.filter((d) => d in e);
    return [
      ...(text(e.team) ? [] : [`${at}.team is required: the team name as the graph's \`team:\` says it`]),
      ...(given.length === 1 ? [] : [`${at} needs exactly one of ${DESTINATIONS.join(', ')} (got ${given.join(', ') || 'none'})`]),
      ...('email' in e && !(text(e.email) && e.email.includes('@')) ? [`${at}.email must be an e-mail address`] : []),
      ...('webhook' in e && !(text(e.webhook) && /^https:\/\/[^\s/]+/.test(e.webhook))
        ? [`${at}.webhook must be an https:// URL (SNS confirms the subscription there first)`]
        : []),
      ...('slack' in e && !ids(e.slack, ['workspaceId', 'channelId'])
        ? [`${at}.slack must be { workspaceId, channelId }: the workspace id from the AWS Chatbot console, the channel id from the channel's link`]
        : []),
      ...('teams' in e && !ids(e.teams, ['teamId', 'channelId', 'tenantId'])
        ? [`${at}.teams must be { teamId, channelId, tenantId }: the ids the AWS Chatbot console shows once Teams is authorized`]
        : []),
    ];
  });
};

export interface MessagingProps {
  /** Encrypts the queues and topics. */
  readonly key: IKey;
  /** Subscriptions to `support-briefings`; the e-mail and webhook ones are made here, filtered on their team. */
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
    this.jobs = secureQueue(this, 'NoticeJobs', props.key, {
      visibilityTimeout: Duration.minutes(15),
      deadLetterQueue: { queue: this.jobsDlq, maxReceiveCount: 5 },
    });
    this.planJobsDlq = secureQueue(this, 'PlanJobsDlq', props.key, { fifo: true });
    Validations.of(this.planJobsDlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the dead-letter queue of the planning-job queue.' });
    Validations.of(this.planJobsDlq).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This is itself a dead-letter queue.' });
    this.planJobs = secureQueue(this, 'PlanJobs', props.key, {
      fifo: true,
      visibilityTimeout: Duration.minutes(PLAN_TIMEOUT_MINUTES * 6),
      deadLetterQueue: { queue: this.planJobsDlq, maxReceiveCount: 5 },
    });
    this.customerNotices = new Topic(this, 'CustomerNotices', {
      topicName: undefined,
      displayName: 'customer-notices',
      masterKey: props.key,
      enforceSSL: true,
    });
    this.supportBriefings = new Topic(this, 'SupportBriefings', { displayName: 'support-briefings', masterKey: props.key, enforceSSL: true });
    this.subscriptionDlq = secureQueue(this, 'SubscriptionDlq', props.key);
    Validations.of(this.subscriptionDlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the dead-letter queue of the briefing subscriptions.' });
    Validations.of(this.subscriptionDlq).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This is itself a dead-letter queue.' });
    for (const sub of props.teamSubscriptions) {
      const options = { filterPolicy: { team: SubscriptionFilter.stringFilter({ allowlist: [sub.team] }) }, deadLetterQueue: this.subscriptionDlq };
      if ('email' in sub) this.supportBriefings.addSubscription(new EmailSubscription(sub.email, options));
      // Raw delivery: the webhook gets the briefing JSON itself, not SNS's envelope around it.
      if ('webhook' in sub)
        this.supportBriefings.addSubscription(new UrlSubscription(sub.webhook, { ...options, protocol: SubscriptionProtocol.HTTPS, rawMessageDelivery: true }));
    }
  }
}
