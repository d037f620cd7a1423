/**
 * How a handler is configured: the environment variables the CDK stack (lib/stack.ts) sets and the
 * handlers read in `fromEnvironment` (dependencies.ts), and the Powertools metrics namespace the
 * dashboards (lib/constructs) ask for. It lives beside the handlers because they are what reads it;
 * lib/ imports it from here, never the other way round. AWS SDK endpoints for the local runtime use
 * the SDK's own `AWS_ENDPOINT_URL_<SERVICE>` variables.
 */
import { TEMPLATES_DIR_ENV } from '../../adapters/template-files.ts';

export const ENV = {
  /** Table names, one per definition in lib/tables.ts. */
  eventsTable: 'EVENTS_TABLE',
  graphTable: 'GRAPH_TABLE',
  impactsTable: 'IMPACTS_TABLE',
  contactsTable: 'CONTACTS_TABLE',
  /** EventBridge bus the pipeline emits to (and Scheduler targets). */
  eventBusName: 'EVENT_BUS_NAME',
  eventBusArn: 'EVENT_BUS_ARN',
  /** SQS queue of notice jobs (assess -> notify). */
  noticeQueueUrl: 'NOTICE_QUEUE_URL',
  /** SQS FIFO queue of planning jobs (assess and remind -> plan: one per customer shard). */
  planQueueUrl: 'PLAN_QUEUE_URL',
  /** Where notify sends what still fails after retries. */
  noticeDlqUrl: 'NOTICE_DLQ_URL',
  customerNoticesTopicArn: 'CUSTOMER_NOTICES_TOPIC_ARN',
  supportBriefingsTopicArn: 'SUPPORT_BRIEFINGS_TOPIC_ARN',
  schedulerGroupName: 'SCHEDULER_GROUP_NAME',
  schedulerRoleArn: 'SCHEDULER_ROLE_ARN',
  /** Comma-separated hours before a change window, e.g. "24,1". */
  reminderOffsetsHours: 'REMINDER_OFFSETS_HOURS',
  incidentCadenceMinutes: 'INCIDENT_CADENCE_MINUTES',
  /** SNS message budget of the region (messages/s) that fan-out is paced against. */
  snsMessagesPerSecond: 'SNS_MESSAGES_PER_SECOND',
  /** How many notify invocations run at once: each paces itself at the SNS budget divided by this. */
  notifyConcurrency: 'NOTIFY_CONCURRENCY',
  /** JSON approval policy, e.g. {"sev3":"draft","sev4":"draft","change":"draft"} (functions/domain/notices/approval.ts). */
  approvalPolicy: 'APPROVAL_POLICY',
  /** Minutes after a customer's last notice about a subject during which further news waits and is merged (default 5). */
  mergeWindowMinutes: 'MERGE_WINDOW_MINUTES',
  /** Where the notice templates are (set for the functions that render; a bundle ships the folder next to its code). */
  templatesDir: TEMPLATES_DIR_ENV,
  /** JSON intake configuration per source (severity, effect, per-node overrides; functions/domain/intake/config.ts). */
  intakeConfig: 'INTAKE_CONFIG',
  /** JSON map from intake source to the ARN of its Secrets Manager secret (api only). */
  intakeSecrets: 'INTAKE_SECRETS',
  /** The support console's URL, for links in chat briefings. */
  consoleUrl: 'CONSOLE_URL',
  /** JSON list of the support teams' chat channels: `[{"team","dialect":"slack"|"teams","topicArn"}]` (AWS Chatbot topics). */
  chatChannels: 'CHAT_CHANNELS',
  /** Delivery (deliver-email, deliver-sms, deliver-push): the channel's quota (messages or SMS parts per second) and the workers sharing it. */
  deliveryPerSecond: 'DELIVERY_PER_SECOND',
  deliveryWorkers: 'DELIVERY_WORKERS',
  /** How long a deliver function holds a notice while it sends it (ms); above its timeout, below its queue's visibility timeout. */
  deliveryLeaseMs: 'DELIVERY_LEASE_MS',
  /** E-mail sender identity and the SES configuration set (receipts). */
  emailFrom: 'EMAIL_FROM',
  emailConfigurationSet: 'EMAIL_CONFIGURATION_SET',
  /** SMS origination identity and the End User Messaging SMS configuration set (receipts). */
  smsOriginationIdentity: 'SMS_ORIGINATION_IDENTITY',
  smsConfigurationSet: 'SMS_CONFIGURATION_SET',
  /** Powertools. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

export const METRICS_NAMESPACE = 'ImpactPipeline';
