/**
 * Alarms on every DLQ, on function errors and on the assess stream's iterator age; a dashboard of the
 * pipeline's own metrics. Powertools emits every metric with the `service` dimension of the function
 * that emits it (`impact-<handler>`), so the dashboard asks for each metric with that dimension: a
 * metric asked for without it is a different metric, and stays empty.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, Dashboard, GraphWidget, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../environment.ts';
import { secureQueue } from './messaging.ts';
import type { AnyHandlerName, HandlerName, PipelineFunction } from './pipeline-function.ts';

/** Powertools' cold start metric: emitted with the `function_name` dimension besides `service`. */
export const COLD_START = 'ColdStart';

/** What every deliver function emits (functions/handlers/shared/deliver.ts). */
const DELIVER_METRICS = [
  'NoticesHandedOver',
  'DeliveryRepeatsDropped',
  'DeliveryThrottled',
  'DeliveryRefused',
  'ReceiptsEmitted',
  'ProviderEventsIgnored',
] as const;

/**
 * The pipeline's metrics on the dashboard, one graph per concern, each metric under the handler that
 * emits it (the stack test checks this against the handlers' code: nothing emitted is missing here).
 */
export const DASHBOARD_METRICS = {
  Events: { ingest: ['EventsAppended', 'DuplicateEvents', 'EventsRejected', COLD_START] },
  'Notices planned': {
    assess: ['ReplayedEvents'],
    plan: ['NoticesPlanned', 'NoticesHeld', 'NoticesFoldedIntoChange', 'ScheduledNoticesPlanned'],
    remind: ['ScheduledNoticesQueued'],
  },
  'Notices sent': {
    notify: [
      'NoticesSent',
      'NoticesAlreadySent',
      'NoticeCountsSettled',
      'NoticesDeferred',
      'NoticesSuperseded',
      'NoticesRequeued',
      'NoticesFailed',
      'NoticesUnreachable',
      'BriefingsSent',
    ],
  },
  Delivery: {
    'deliver-email': DELIVER_METRICS,
    'deliver-sms': DELIVER_METRICS,
    'deliver-push': DELIVER_METRICS,
  },
  'Intake from the tools': { api: ['IntakeEvents', 'IntakeIgnored', 'EventsRejected'] },
  Receipts: {
    receipts: [
      'ReceiptsEmitted',
      'ProviderEventsIgnored',
      'ReceiptsApplied',
      'ReceiptRepeats',
      'ReceiptsRejected',
      'ContactsMarked',
      'FallbacksQueued',
      'FallbacksImpossible',
    ],
  },
} as const satisfies Record<string, Partial<Record<AnyHandlerName, readonly string[]>>>;

export interface OperationsProps {
  /** Encrypts the ops topic and the alarm subscription's DLQ. */
  readonly key: IKey;
  /** Where alarms are e-mailed; none when empty. */
  readonly alarmEmail: string;
  /** The pipeline's functions: an error alarm each, and their metrics on the dashboard (delivery's when it is built in). */
  readonly functions: Record<HandlerName, PipelineFunction> & Partial<Record<AnyHandlerName, PipelineFunction>>;
  /** Every dead-letter queue of the stack, by a name for the alarm. */
  readonly deadLetterQueues: Record<string, Queue>;
}

export class Operations extends Construct {
  readonly opsTopic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.opsTopic = new Topic(this, 'Ops', { displayName: 'impact-ops', masterKey: props.key, enforceSSL: true });
    if (props.alarmEmail) {
      const undelivered = secureQueue(this, 'UndeliveredAlarms', props.key);
      Validations.of(undelivered).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the dead-letter queue of the alarm e-mail subscription.' });
      Validations.of(undelivered).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This is itself a dead-letter queue.' });
      this.opsTopic.addSubscription(new EmailSubscription(props.alarmEmail, { deadLetterQueue: undelivered }));
    }
    const action = new SnsAction(this.opsTopic);
    const add = (alarm: Alarm) => {
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
    };
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      add(
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }).createAlarm(this, `${name}NotEmpty`, {
          alarmDescription: `${name} has messages: something failed every retry`,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    for (const [name, { fn }] of Object.entries(props.functions)) {
      add(
        fn.metricErrors({ period: Duration.minutes(5) }).createAlarm(this, `${name}Errors`, {
          alarmDescription: `${name} function errors`,
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    const iteratorAge = new Metric({
      namespace: 'AWS/Lambda',
      metricName: 'IteratorAge',
      dimensionsMap: { FunctionName: props.functions.assess.fn.functionName },
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    add(
      iteratorAge.createAlarm(this, 'AssessIteratorAge', {
        alarmDescription: 'assess is falling behind the event store stream',
        threshold: 5 * 60_000,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    const emitted = (handler: AnyHandlerName, metricName: string) => {
      const fn = props.functions[handler]!;
      return new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: fn.serviceName, ...(metricName === COLD_START ? { function_name: fn.fn.functionName } : {}) },
        statistic: 'Sum',
        period: Duration.minutes(5),
        label: `${metricName} (${handler})`,
      });
    };
    const graphs = Object.entries(DASHBOARD_METRICS).flatMap(([title, byHandler]) => {
      // Only the functions the stack has: delivery's graphs are absent with `topic-only`.
      const left = Object.entries(byHandler)
        .filter(([handler]) => props.functions[handler as AnyHandlerName])
        .flatMap(([handler, names]) => (names as readonly string[]).map((name) => emitted(handler as AnyHandlerName, name)));
      return left.length > 0 ? [new GraphWidget({ title, left })] : [];
    });
    this.dashboard = new Dashboard(this, 'Dashboard', { widgets: [[...graphs, new GraphWidget({ title: 'Assess iterator age', left: [iteratorAge] })]] });
  }
}
